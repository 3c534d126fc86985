"""The analyst's Excel export (issue 16): the 导出 Excel link of the results page honours its filters; one
row per finding with its review, plain Chinese evidence, a 汇总 sheet, a sheet per department with an
empty 部门反馈 column, autofilter, frozen header and a print setup.  Read back with openpyxl."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from urllib.parse import quote

import openpyxl
import pytest

from conftest import EXAMPLE
from helpers import TOKEN, analysed_example


HEX_ID = re.compile(r"\b[0-9a-f]{12,16}\b")
INTERNAL = re.compile(r"#|\[|\]|\||item:|prov:|doc:|dept:|'")


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    client, _, run, everything = analysed_example(tmp_path_factory.mktemp("svc"), sorted(EXAMPLE.glob("*.xlsx")))
    return client, run, everything["findings"]


def workbook(client, url: str):
    r = client.get(url)
    assert r.status_code == 200 and r.data[:2] == b"PK", url
    return openpyxl.load_workbook(io.BytesIO(r.data))


def table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def check_sheet_setup(ws, columns: int, rows: int) -> None:
    last = openpyxl.utils.get_column_letter(columns)
    assert ws.auto_filter.ref == f"A1:{last}{rows + 1}", ws.title
    assert ws.freeze_panes == "A2" and ws.print_title_rows in ("$1:$1", "1:1"), ws.title
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_the_export_link_honours_the_filters_with_one_row_per_finding_and_its_review(checked):
    client, run, found = checked
    dept = "明川县交通运输局"
    red = [f for f in found if dept in f["departments"] and f["severity"] == "红"]
    reviewed, other = red[0], red[1]
    for status, who, comment in (("核查中", "张三", "先看"), ("已确认", "李四", "两部门确有交叉")):
        client.put(f"/api/findings/{reviewed['fingerprint']}/review", headers=TOKEN,
                   json={"status": status, "reviewer": who, "comment": comment})
    at = client.get(f"/api/findings/{reviewed['fingerprint']}/review").json[-1]["at"]

    page = client.get(f"/analyses/{run}?department={quote(dept)}&severity=红").get_data(as_text=True)
    link = unescape(re.search(r'<a id="export" href="([^"]+)">导出 Excel</a>', page).group(1))
    assert "format=xlsx" in link and "severity=" in link and "department=" in link
    wb = workbook(client, link)
    assert wb.sheetnames[:2] == ["汇总", "全部问题"]
    rows = table(wb["全部问题"])
    assert [(r["规则编号"], r["问题描述"]) for r in rows] == [(f["rule"], f["message"]) for f in red]  # one row each
    assert all(r["严重程度"] == "红" for r in rows)
    several = [(r, f) for r, f in zip(rows, red) if len(f["sources"]) > 1]
    assert several and all(r["来源"].count("\n") == len({(s["file"], s["sheet"], tuple(s["rows"]))
                                                         for s in f["sources"]}) - 1 for r, f in several)
    by_message = {r["问题描述"]: r for r in rows}
    mine = by_message[reviewed["message"]]
    when = datetime.datetime.fromisoformat(at).astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert (mine["核查状态"], mine["核查人"], mine["核查意见"]) == ("已确认", "李四", "两部门确有交叉")
    assert mine["核查时间"] == when.strftime("%Y-%m-%d %H:%M")  # 北京时间
    assert (by_message[other["message"]]["核查状态"], by_message[other["message"]]["核查人"]) == ("待核查", None)
    summary = [r for r in wb["汇总"].iter_rows(values_only=True)]
    assert ("筛选条件", f"严重程度：红；部门：{dept}") in [r[:2] for r in summary]
    assert ("问题数", len(red)) in [r[:2] for r in summary]
    check_sheet_setup(wb["全部问题"], 15, len(red))


def test_a_sheet_per_department_with_an_empty_feedback_column_and_plain_evidence(checked):
    client, run, found = checked
    wb = workbook(client, f"/api/analyses/{run}/export?format=xlsx")
    departments = {d for f in found for d in f["departments"]}
    assert set(wb.sheetnames[2:]) == departments and len(table(wb["全部问题"])) == len(found)
    for dept in departments:
        ws = wb[dept]
        rows = table(ws)
        assert list(rows[0])[-1] == "部门反馈" and all(r["部门反馈"] is None for r in rows)
        assert [r["问题描述"] for r in rows] == [f["message"] for f in found if dept in f["departments"]]
        check_sheet_setup(ws, 16, len(rows))
        assert dept in ws.oddHeader.center.text
    cells = [str(c) for ws in wb.worksheets[1:] for r in ws.iter_rows(min_row=2, values_only=True) for c in r if c]
    assert not [c for c in cells if HEX_ID.search(c)]  # no fingerprints, no item ids
    evidence = [r["证据"] for r in table(wb["全部问题"]) if r["证据"]]
    assert len(evidence) > len(found) // 2 and not [e for e in evidence if INTERNAL.search(e)]
    assert any("《安全生产法》第97条" in e for e in evidence)  # 安全生产法#97 written as people write it


def test_csv_and_json_exports_take_the_same_filters(checked):
    client, run, found = checked
    import csv

    text = client.get(f"/api/analyses/{run}/export?format=csv&rule=R20").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == sum(max(1, len(f["sources"])) for f in found if f["rule"] == "R20") > 0
    assert {r[0] for r in rows} == {"R20"}
    data = client.get(f"/api/analyses/{run}/export?format=json&rule=R01").json
    assert {f["rule"] for f in data["findings"]} == {"R01a", "R01b"}
    assert client.get(f"/api/analyses/{run}/export?format=xlsx&severity=紫").status_code == 422
