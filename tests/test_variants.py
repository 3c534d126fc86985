"""The real lists in other wordings, orders and formats load the same items as published.

The corpus (``tests/corpus/variants.py``) is generated from ../shared/data/klmy into a
temporary folder; these tests skip without it.  A variant passes when loading it gives
exactly the multiset of (name, sub_name, category, department, basis_text) of the original
list.  The wording-only tests at the top need no real data.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from corpus.variants import COMPARED, JSP_DIRECTIVE, item_key, wordings, write_variants

from quanze.loaders import load_files
from quanze.loaders.reference import DATA_DIR
from quanze.loaders.text import compact


def test_invented_wordings_appear_nowhere_in_headers_yaml():
    text = (DATA_DIR / "headers.yaml").read_text(encoding="utf-8")
    known = {compact(w) for line in text.splitlines() for w in line.replace("[", ",").replace("]", ",").split(",")}
    invented = [w for ws in wordings()["invented"].values() for w in ws]
    assert len(invented) >= 2 * len(wordings()["invented"])
    assert [w for w in invented if w in text or compact(w) in known] == []


@pytest.mark.parametrize("pool", ["other", "invented"])
def test_a_wording_names_one_field(pool):
    seen: dict[str, str] = {}
    for f, ws in wordings()[pool].items():
        for w in ws:
            assert seen.setdefault(compact(w), f) == f, f"「{w}」 is a wording of both {seen[compact(w)]} and {f}"


@pytest.fixture(scope="module")
def corpus(klmy_dir, tmp_path_factory):
    files = sorted(p for p in klmy_dir.iterdir() if p.is_file())
    return write_variants(files, tmp_path_factory.mktemp("variants"))


def _matched(variant) -> tuple[int, int]:
    got = Counter(map(item_key, load_files(variant.paths).items))
    expected = Counter(variant.expected)
    return sum((got & expected).values()), sum(expected.values())


@pytest.mark.slow
def test_the_corpus_covers_every_list_and_all_items(corpus, klmy_dir):
    lists = {v.source for v in corpus}
    assert lists == {p.name for p in klmy_dir.iterdir() if p.is_file()}
    per_list = {v.source: len(v.expected) for v in corpus}
    assert sum(per_list.values()) == len(load_files([klmy_dir]).items)
    assert all(p.exists() for v in corpus for p in v.paths)


@pytest.mark.slow
@pytest.mark.parametrize("kind", COMPARED)
def test_variant_loads_the_published_items(corpus, kind):
    rows, total_matched, total = [], 0, 0
    for v in (v for v in corpus if v.kind == kind):
        matched, expected = _matched(v)
        total_matched, total = total_matched + matched, total + expected
        if matched != expected:
            rows.append(f"  {v.source}: {matched}/{expected}")
    if rows:
        pytest.fail(f"{kind}: {total_matched}/{total} items matched; lists that differ (matched/published):\n"
                    + "\n".join(rows), pytrace=False)


@pytest.mark.slow
def test_reordered_columns_keep_every_field_with_its_item(corpus, klmy_dir):
    """Columns move with their values, and 实施层级及权限 with its second column: levels and scope stay."""
    def full(items):
        return Counter((*item_key(it), tuple(it.levels), it.scope, it.unit, it.responsibilities_text,
                        it.accountability) for it in items)

    for v in (v for v in corpus if v.kind == "reordered"):
        assert full(load_files(v.paths).items) == full(load_files([klmy_dir / v.source]).items), v.source


@pytest.mark.slow
def test_reordered_columns_are_permuted(corpus, klmy_dir):
    moved = 0
    for v in (v for v in corpus if v.kind == "reordered"):
        before = [list(s.columns.values()) for s in load_files([klmy_dir / v.source]).files[0].sheets]
        after = [list(s.columns.values()) for s in load_files(v.paths).files[0].sheets]
        assert [sorted(c) for c in before] == [sorted(c) for c in after], v.source
        moved += before != after
    assert moved >= 15


@pytest.mark.slow
def test_no_category_variant_has_no_category_column(corpus):
    for v in (v for v in corpus if v.kind == "no-category"):
        mapped = [s for s in load_files(v.paths).files[0].sheets if s.header_row]
        assert mapped, v.source
        assert all("category" not in s.columns.values() and "name" in s.columns.values() for s in mapped)


@pytest.mark.slow
def test_text_variants_are_written_as_the_formats_say(corpus, klmy_dir):
    owner_keys = set(wordings()["other"]["owner"])
    for v in corpus:
        if v.kind == "csv":
            assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in v.paths), v.source
        elif v.kind == "html":
            text = v.paths[0].read_text(encoding="utf-8")
            assert text.startswith(JSP_DIRECTIVE) and "<h2>" in text and "<th" in text, v.source
            sheets = [s for s in load_files([klmy_dir / v.source]).files[0].sheets if s.header_row]
            assert text.count("<table") == len(sheets), v.source
        elif v.kind == "jsonl":
            for p in v.paths:
                rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
                assert rows and all(any(r.get(k) for k in owner_keys) for r in rows), p
