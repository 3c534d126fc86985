import pytest

from quanze.loaders.text import chinese_number, compact, normalise


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("九十七", 97), ("一百零五", 105),
    ("一百一十二", 112), ("两千零一", 2001), ("123", 123), ("", None), ("第五", None),
])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_normalise_traditional_and_full_width():
    assert normalise("對未按規定設置安全生產管理機構的處罰（ＡＢ）：") == "对未按规定设置安全生产管理机构的处罚(AB):"


def test_normalise_keeps_line_breaks_but_compact_drops_them():
    assert normalise(" 事项 \r\n 名称 ") == "事项\n名称"
    assert compact("事项\n名称") == "事项名称"


def test_integer_floats_from_xls_lose_their_decimal():
    assert normalise(12.0) == "12"


@pytest.mark.parametrize("cell,levels,scope", [
    ("乡镇级", ["乡"], ""),  # 级 belongs to 乡镇级, not to the scope
    ("县级、乡镇级", ["县", "乡"], ""),
    ("地州市级。负责全市", ["市"], "负责全市"),
    ("县级", ["县"], ""),
])
def test_levels_cell_keeps_level_words_whole(cell, levels, scope):
    from quanze.loaders.levels import parse_levels
    from quanze.loaders.sheet import split_levels_cell

    level_part, scope_part = split_levels_cell(cell)
    assert parse_levels(level_part) == levels and scope_part == scope


def test_header_权限范围_is_the_scope():
    from quanze.loaders.header import field_of

    assert field_of("权限范围") == "scope"


@pytest.mark.parametrize("max_df, max_terms", [(1.0, None), (0.2, None), (1.0, 50)])
def test_cached_term_counts_give_sklearns_own_tfidf_matrix(example, monkeypatch, max_df, max_terms):
    """weigh() counts each text once per process; the matrix must stay sklearn's, value for value,
    whatever texts were counted before (names, then names mixed with responsibility text), and when the
    numbering of terms starts again (a long-running service past MAX_TERMS)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from quanze.rules import textsim
    from quanze.rules.textsim import core_text, tokens, weigh

    if max_terms:
        monkeypatch.setattr(textsim, "MAX_TERMS", max_terms)

    names = [core_text(it.title) for it in example.items]
    cells = [it.responsibilities_text[:200] for it in example.items]
    for texts in (names, names[::-1] + cells[:20], cells[5:40] + names[:7]):
        plain = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, max_df=max_df, min_df=1)
        want, want_terms = plain.fit_transform(texts), plain.get_feature_names_out()
        got, terms = weigh(texts, max_df)
        assert type(got) is type(want) and list(terms) == list(want_terms)
        for attr in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(got, attr), getattr(want, attr))
