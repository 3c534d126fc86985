"""The load report page (issue 16): per-sheet warnings grouped and counted (long groups folded, none
dropped), the column mapping each sheet was read with and the headers left unused, the law-citation check
(share resolved, expired documents and missing articles with their items), and why rows read exceed items —
rows read = items + each reason's count, on every sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLE
from helpers import HEADER, TOKEN, row, upload, workbook

from quanze.api.http import create_app
from quanze.loaders import LawLibrary, load_files
from quanze.loaders.model import ROW_FATES


def sheets_add_up(report: dict) -> None:
    for f in report["files"]:
        for sh in f["sheets"]:
            assert set(sh["row_fates"]) <= set(ROW_FATES)
            assert sh["rows_read"] == sh["items"] + sum(sh["row_fates"].values()), (f["file"], sh["sheet"], sh)


def page_totals(page: str) -> tuple[int, int, dict[str, int]]:
    read = int(re.search(r'id="rows-read">(\d+)<', page).group(1))
    items = int(re.search(r'id="rows-items">(\d+)<', page).group(1))
    reasons = {k: int(n) for k, n in re.findall(r'data-reason="(\w+)">(\d+)<', page)}
    return read, items, reasons


@pytest.fixture(scope="module")
def example_service(tmp_path_factory, mini_laws):
    client = create_app(tmp_path_factory.mktemp("svc"), token="s3cret", laws=LawLibrary(mini_laws)).test_client()
    created = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json
    return client, created["id"], created["report"]


def test_rows_read_equal_items_plus_each_reason_on_the_example(example_service):
    client, ds, report = example_service
    sheets_add_up(report)
    page = client.get(f"/datasets/{ds}/report").get_data(as_text=True)
    read, items, reasons = page_totals(page)
    assert read == sum(f["rows_read"] for f in report["files"]) and items == report["items"]
    assert read == items + sum(reasons.values()) and reasons.get("continuation", 0) > 0
    assert 'class="mismatch"' not in page
    # the dataset page keeps each file's region and links to the report
    front = client.get(f"/datasets/{ds}").get_data(as_text=True)
    assert f'href="/datasets/{ds}/report"' in front and "<td>明川县</td>" in front


def test_the_law_check_names_expired_documents_and_missing_articles_with_their_items(example_service, mini_laws):
    client, ds, _ = example_service
    page = client.get(f"/datasets/{ds}/report").get_data(as_text=True)
    loaded = load_files([EXAMPLE], laws=LawLibrary(mini_laws))
    cited = [(it, c) for it in loaded.items for c in it.citations]
    resolved = [x for x in cited if x[1].resolved]
    assert f'id="laws-resolved">{len(resolved)}<' in page
    assert f'id="laws-share">{100 * len(resolved) / len(cited):.1f}%<' in page
    expired = page[page.index('id="expired"'):page.index('id="missing"')]
    missing = page[page.index('id="missing"'):page.index('id="unresolved"')]
    assert any(c.expired for _, c in resolved)
    for it, c in resolved:
        if c.expired:
            assert it.title in expired and it.id in expired
        if c.article_exists is False:
            block = missing[missing.index(f"第{c.article}条："):]
            assert it.id in block[:block.index("</details>")]
    # an item linked from the check opens on its own page with its source row
    item_id = re.search(r'href="/datasets/[^/]+/items/(\w+)"', missing).group(1)
    it = next(i for i in loaded.items if i.id == item_id)
    shown = client.get(f"/datasets/{ds}/items/{item_id}").get_data(as_text=True)
    assert it.title in shown and f"{it.source.file}「{it.source.sheet}」第{it.source.rows[0]}" in shown


def test_without_a_law_library_the_page_says_so(tmp_path):
    client = create_app(tmp_path / "d", token="s3cret").test_client()
    ds = upload(client, [EXAMPLE / "明川县应急管理局2024年权责清单.xlsx"]).json["id"]
    page = client.get(f"/datasets/{ds}/report").get_data(as_text=True)
    assert "没有配置法律法规库" in page


@pytest.fixture()
def untidy(tmp_path) -> Path:
    """A sheet with every kind of row that is not an item: section rows, notes, a header repeated on a
    printed page, a continuation row, a lone cell, a row without a name, a duplicate — and an unused column."""
    header = HEADER + ["联系电话"]
    rows = [header, ["一、行政处罚"] + [None] * 10,
            row(1, "对甲的处罚") + ["123"],
            [1, "对甲的处罚", None, None, "《中华人民共和国安全生产法》第九十八条"] + [None] * 6,  # continuation
            row(2, "对乙的处罚") + ["123"],
            header,  # repeated on the next printed page
            row(3, "对丙的处罚") + ["123"],
            row(4, "对乙的处罚") + ["123"],  # the same item again (same basis): a duplicate
            [None, None, None, None, None, "零散"] + [None] * 5,  # one cell only
            [9, None, None, "行政处罚", "依据", "明川县应急管理局", "县级"] + [None] * 4,  # no name
            ["二、行政检查"] + [None] * 10,
            row(5, "对丁的检查", category="行政检查")]
    rows += [[f"注：第{n}条说明文字"] + [None] * 10 for n in range(1, 13)]  # twelve notes below the table
    return workbook(tmp_path / "明川县应急管理局2024年权责清单.xlsx", {"应急局": rows})


def test_every_kind_of_row_is_counted_and_long_warning_groups_fold(tmp_path, untidy):
    client = create_app(tmp_path / "d", token="s3cret").test_client()
    created = upload(client, [untidy]).json
    sheets_add_up(created["report"])
    sheet = created["report"]["files"][0]["sheets"][0]
    assert sheet["row_fates"] == {"section": 2, "continuation": 1, "header": 1, "duplicate": 1, "rejected": 2,
                                  "note": 12}
    assert sheet["items"] == 4 and sheet["rows_read"] == 23
    page = client.get(f"/datasets/{created['id']}/report").get_data(as_text=True)
    read, items, reasons = page_totals(page)
    assert (read, items) == (23, 4) and reasons == sheet["row_fates"]
    # twelve notes: one group, counted, folded, and every one of its rows listed
    group = re.search(r"<details><summary><strong>12 处</strong>：为说明文字，未作为事项导入.*?</details>", page, re.S)
    assert group, page
    assert sorted(int(n) for n in re.findall(r"<td>应急局</td><td>(\d+)</td>", group.group(0))) == list(range(14, 26))
    # the rows that did not load, with their rows
    assert re.search(r"<td>应急局</td><td>10</td><td>只有一格有内容", page)
    assert re.search(r"<td>应急局</td><td>11</td><td>事项名称为空", page)
    assert re.search(r"<td>应急局</td><td>9</td><td>重复事项", page)
    # the column mapping, and the header left unused
    mapping = page[page.index('<table class="mapping">'):]
    mapping = mapping[:mapping.index("</table>")]
    assert re.search(r"<td>E</td><td>实施依据</td><td>实施依据</td>", mapping)
    assert re.search(r"<td>F</td><td>行使主体</td><td>实施主体</td>", mapping)
    assert re.search(r"未使用的列：K「联系电话」", page)


def test_the_real_lists_add_up(klmy):
    report = klmy.report()
    assert len(report["files"]) == 16
    sheets_add_up(report)
    from quanze.api.load_report import reconciliation

    totals = reconciliation(report)
    assert totals["items"] == report["items"]
    assert totals["rows_read"] == totals["items"] + sum(n for *_, n in totals["reasons"])
    assert totals["rows_read"] > totals["items"]


def test_warnings_that_say_the_same_of_different_rows_or_columns_are_one_group():
    from quanze.api.load_report import grouped

    says = ["第16列（P列）「责任事项依据」与前面的列重复，已忽略", "第17列（Q列）「追责对象范围」与前面的列重复，已忽略",
            "空工作表，已跳过", "空工作表，已跳过"]
    groups = grouped([{"file": "a.xls", "sheet": "s", "row": None, "message": m} for m in says])
    assert [(g["count"], g["alike"], g["example"]) for g in groups] == [(2, False, says[0]), (2, True, says[2])]
    assert [x["message"] for g in groups for x in g["lines"]] == says  # every line kept, in order


def test_a_report_kept_before_rows_were_counted_says_so():
    from quanze.api.load_report import file_views, reconciliation

    old = {"files": [{"file": "a.xlsx", "sheets": [{"sheet": "s", "rows_read": 5, "items": 3, "warnings": []}],
                      "rejected": [], "warnings": []}]}
    assert reconciliation(old) is None
    sheet = file_views(old)[0]["sheets"][0]
    assert sheet["reasons"] is None and not sheet["adds_up"]
