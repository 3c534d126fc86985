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
        # each row's terms in column order (sklearn keeps them in order of first occurrence), so a row's norm
        # is summed in another order: the weights agree to the last bits
        assert got.has_sorted_indices
        want = want.sorted_indices()
        for attr in ("indices", "indptr"):
            assert np.array_equal(getattr(got, attr), getattr(want, attr))
        assert np.allclose(got.data, want.data, rtol=1e-14, atol=0)


def test_pair_bigrams_kept_once_per_text_are_sklearns_rows(example):
    """The pair score's character bigrams keep one row per distinct text (names repeat from one government's
    list to the next); read by item they must be sklearn's TfidfVectorizer rows over every item, repeats
    counted in the document frequencies."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from quanze.rules.pairfeatures import _bigrams

    names = [it.name for it in example.items]
    texts = names + names[:30] + ["", "对未按规定设置安全生产管理机构的处罚"] * 3
    got = _bigrams(texts)
    assert got.matrix.shape[0] < len(texts)  # repeats kept once
    want = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(texts)
    rows = got[np.arange(len(texts))]
    assert rows.shape == want.shape
    assert abs(rows - want).max() < 1e-12 and (rows != 0).nnz == (want != 0).nnz
    assert _bigrams(["", ""])[np.array([0, 1])].nnz == 0


def test_pairs_in_blocks_are_those_of_comparing_row_by_row():
    """Pairs are found with one comparison per chunk of rows; the pairs, their order and their scores
    must be those of comparing each row with the rows after it, one row at a time."""
    import numpy as np
    import scipy.sparse as sp

    from quanze.rules import textsim

    rng = np.random.default_rng(5)
    X = sp.random(1500, 40, density=0.15, random_state=7, format="csr")
    X = sp.csr_matrix(X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1) + 1e-9)))
    blocks = rng.choice(["甲", "乙", None], size=1500, p=[0.6, 0.35, 0.05]).tolist()

    def one_row_at_a_time(threshold, top_k, keep):
        out = []
        for idx in textsim.by_block(blocks).values():
            idx = np.asarray(idx)
            dense = (X[idx] @ X[idx].T).toarray()
            for i, row in enumerate(dense):
                row[: i + 1] = 0.0
                cand = np.flatnonzero(row >= threshold)
                if len(cand) > top_k:
                    cand = cand[np.argpartition(-row[cand], top_k)[:top_k]]
                out += [(int(idx[i]), int(idx[j]), float(round(row[j], 4))) for j in cand
                        if keep is None or keep(int(idx[i]), int(idx[j]))]
        return out

    for threshold, top_k, keep in ((0.3, 5, None), (0.5, 1, lambda a, b: (a + b) % 3 != 0), (0.2, 1000, None)):
        want = one_row_at_a_time(threshold, top_k, keep)
        assert want and list(textsim.pairs_in_blocks(X, blocks, threshold, top_k, keep)) == want


def test_jieba_loads_without_the_pkg_resources_warning():
    """Every run (and every Dask worker) printed jieba's English «pkg_resources is deprecated» warning."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-W", "default", "-c",
                           "from quanze.rules import textsim; textsim._tokenizer()"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pkg_resources" not in done.stderr
