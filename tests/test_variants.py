"""The real lists in other wordings, orders and formats load the same items as published.

The corpus (``tests/corpus/variants.py``) is generated from ../shared/data/klmy into a
temporary folder; these tests skip without it.  A variant passes when loading it gives
exactly the multiset of (name, sub_name, category, department, basis_text) of the original
list.  The wording-only tests at the top need no real data.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from corpus.variants import COMPARED, JSP_DIRECTIVE, item_key, wordings, write_variants
from helpers import BASIS

from quanze.loaders import load_files
from quanze.loaders.formats import read_sheets
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


@pytest.fixture(scope="module")
def originals(klmy_dir):
    """Each real list loaded on its own, by file name."""
    return {p.name: load_files([p]) for p in sorted(klmy_dir.iterdir()) if p.is_file()}


def _matched(variant) -> tuple[int, int, int]:
    """(items loaded, items equal to a published one, items published)."""
    items = load_files(variant.paths).items
    expected = Counter(variant.expected)
    return len(items), sum((Counter(map(item_key, items)) & expected).values()), sum(expected.values())


@pytest.mark.slow
def test_the_corpus_covers_every_list_and_all_items(corpus, originals, klmy_dir):
    assert {v.source for v in corpus} == set(originals)
    per_list = {v.source: len(v.expected) for v in corpus}
    assert sum(per_list.values()) == len(load_files([klmy_dir]).items)
    assert all(p.exists() for v in corpus for p in v.paths)


@pytest.mark.slow
@pytest.mark.parametrize("kind", COMPARED)
def test_variant_loads_the_published_items(corpus, kind):
    rows, totals = [], Counter()
    for v in (v for v in corpus if v.kind == kind):
        loaded, matched, expected = _matched(v)
        totals.update(loaded=loaded, matched=matched, expected=expected)
        if matched != expected or loaded != expected:
            rows.append(f"  {v.source}: {matched}/{expected} matched, {loaded} loaded")
    if rows:
        pytest.fail(f"{kind}: {totals['matched']}/{totals['expected']} items matched ({totals['loaded']} loaded); "
                    "lists that differ:\n" + "\n".join(rows), pytrace=False)


@pytest.mark.slow
def test_reordered_columns_keep_every_field_with_its_item(corpus, originals):
    """Columns move with their values, and 实施层级及权限 with its second column: levels and scope stay."""
    def full(items):
        return Counter((*item_key(it), tuple(it.levels), it.scope, it.unit, it.responsibilities_text,
                        it.accountability) for it in items)

    for v in (v for v in corpus if v.kind == "reordered"):
        assert full(load_files(v.paths).items) == full(originals[v.source].items), v.source


@pytest.mark.slow
def test_reordered_columns_are_permuted(corpus, originals):
    moved = 0
    for v in (v for v in corpus if v.kind == "reordered"):
        before = [list(s.columns.values()) for s in originals[v.source].files[0].sheets]
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
def test_text_variants_are_written_as_the_formats_say(corpus, originals):
    owner_keys = set(wordings()["other"]["owner"])
    for v in corpus:
        if v.kind == "csv":
            assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in v.paths), v.source
        elif v.kind == "html":
            text = v.paths[0].read_text(encoding="utf-8")
            assert text.startswith(JSP_DIRECTIVE) and "<h2>" in text and "<th" in text, v.source
            sheets = [s for s in originals[v.source].files[0].sheets if s.header_row]
            assert text.count("<table") == len(sheets), v.source
        elif v.kind == "jsonl":
            for p in v.paths:
                rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
                assert rows and all(any(r.get(k) for k in owner_keys) for r in rows), p


def _two_row_header_list(folder: Path) -> Path:
    """A list whose 实施层级及权限 stands over 层级 | 权限, the other header cells merged over both rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "权责清单"
    ws.append(["明川县应急管理局2024年权责清单"])
    ws.append(["序号", "事项名称", "权力类型", "实施依据", "实施主体", "实施层级及权限", None, "责任事项"])
    ws.append([None] * 5 + ["层级", "权限"])
    ws.merge_cells("A1:H1")
    ws.merge_cells("F2:G2")
    for col in "ABCDEH":
        ws.merge_cells(f"{col}2:{col}3")
    for n, (name, category) in enumerate([("对未按规定设置安全生产管理机构的处罚", "行政处罚"),
                                          ("危险化学品经营许可", "行政许可"),
                                          ("对生产经营单位安全生产的监督检查", "行政检查")], 1):
        ws.append([n, name, category, BASIS, "明川县应急管理局", "县级", f"负责本县{name}", "1.立案责任：立案。"])
    path = folder / "明川县应急管理局2024年权责清单.xlsx"
    wb.save(path)
    return path


def test_a_two_row_header_stays_valid_in_every_variant(tmp_path):
    src = _two_row_header_list(tmp_path)
    original = load_files([src])
    assert len(original.items) == 3 and all(it.levels == ["县"] and it.scope for it in original.items)
    variants = {v.kind: v for v in write_variants([src], tmp_path / "out")}

    def full(result):
        return sorted((*item_key(it), tuple(it.levels), it.scope) for it in result.items)

    assert full(load_files(variants["reordered"].paths)) == full(original)
    pools = {f: set(wordings()["other"][f]) | set(wordings()["invented"][f]) for f in ("levels", "scope", "spanning")}
    pools["spanning"].add("实施层级及权限")
    pools["levels"].add("层级")
    pools["scope"].add("权限")
    for kind in ("wording-other", "wording-invented", "reordered", "no-category"):
        [sheet] = read_sheets(variants[kind].paths[0], "xlsx")
        [(c, top)] = [(c, r) for r in range(3) for c, v in enumerate(sheet.rows[r]) if v in pools["spanning"]]
        assert (top, top + 1, c, c + 2) in sheet.merged, kind
        assert sheet.rows[top + 1][c] in pools["levels"] and sheet.rows[top + 1][c + 1] in pools["scope"], kind
        others = [k for k, v in enumerate(sheet.rows[top]) if v is not None and k != c]
        assert others and all((top, top + 2, k, k + 1) in sheet.merged for k in others), kind
    page = variants["html"].paths[0].read_text(encoding="utf-8")
    assert page.count('colspan="2"') == 1 and page.count('<th rowspan="2">') == 6
