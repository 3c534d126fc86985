"""14-05: "control characters (\\x01 \\x07 \\x1b …) stay in names: quanze analyze then dies writing findings.xlsx
(IllegalCharacterError), the API Excel export returns 500, and the GraphML export is not well-formed XML"."""

import csv
import dataclasses
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest
import rdflib

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait
from rulekit import item

from quanze import pipeline as analysis
from quanze.api.cli import main
from quanze.api.http import create_app
from quanze.api.reports import write_findings, write_simulation
from quanze.graph import build_graph, export
from quanze.reform import read_scenario, simulate
from quanze.rules.engine import run

CONTROL = "\x01\x07\x1b\x0b\x0c\x00\x1f"
SCENARIO = EXAMPLE.parent / "scenarios" / "approval-bureau.yaml"


def dirty(text: str) -> str:
    """``text`` with control characters inside it, as a careless export from another system leaves them."""
    return text[:2] + CONTROL + text[2:] + "\x07"


def clean(text: str) -> str:
    return "".join(ch for ch in text if ch not in CONTROL)


@pytest.fixture(scope="module")
def items():
    return [
        item(dirty("对未按照规定设置安全生产管理机构的处罚")),  # no basis: R08 reports it
        item(dirty("食品经营许可"), "行政许可", dept="明川县市场监督管理局", remarks=dirty("备注"),
             file=dirty("市场监管局清单.xlsx")),
        item(dirty("对食品经营者违法行为的处罚"), dept="明川县市场监督管理局",
             basis="《中华人民共和国食品安全法》第一百二十二条" + CONTROL),
    ]


def test_findings_exports_succeed_without_the_characters(items, tmp_path):
    result = run(build_graph(items))
    assert any(CONTROL in s["name"] for f in result.findings for s in f.subjects)
    wb = openpyxl.load_workbook(write_findings(result, tmp_path / "findings.xlsx"))
    texts = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(clean(items[0].name) in t for t in texts)
    assert not any(ch in t for t in texts for ch in CONTROL)
    with write_findings(result, tmp_path / "findings.csv").open(encoding="utf-8-sig", newline="") as f:
        values = [v for r in csv.reader(f) for v in r]
    assert any(clean(items[0].name) in v for v in values) and not any(ch in v for v in values for ch in CONTROL)
    data = json.loads(write_findings(result, tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert data["findings"]
    page = write_findings(result, tmp_path / "report.html").read_text(encoding="utf-8")
    assert clean(items[0].name) in page and not any(ch in page for ch in CONTROL)


def test_graph_exports_are_well_formed(items, tmp_path):
    pg = build_graph(items)
    export(pg, tmp_path / "graph.graphml")
    root = ET.parse(tmp_path / "graph.graphml").getroot()
    names = [d.text for d in root.iter() if d.text and "安全生产管理机构" in d.text]
    assert clean(items[0].name) in names
    for suffix, fmt in ((".ttl", "turtle"), (".jsonld", "json-ld")):
        export(pg, tmp_path / f"graph{suffix}")
        g = rdflib.Graph().parse(tmp_path / f"graph{suffix}", format=fmt)
        literals = [str(o) for o in g.objects() if isinstance(o, rdflib.Literal)]
        assert clean(items[0].name) in literals and not any(ch in t for t in literals for ch in CONTROL)


def test_simulation_workbook_is_written(items, tmp_path):
    result = simulate(build_graph(items), read_scenario(SCENARIO))
    assert result.outputs["moved"]
    wb = openpyxl.load_workbook(write_simulation(result, tmp_path / "result.xlsx"))
    texts = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(clean(items[1].name) in t for t in texts) and not any(ch in t for t in texts for ch in CONTROL)


def keeping_controls(load):
    """``load`` as a loader that keeps the characters would be."""
    def load_with_controls(*args, **kwargs):
        loaded = load(*args, **kwargs)
        loaded.items = [dataclasses.replace(it, name=dirty(it.name)) for it in loaded.items]
        return loaded
    return load_with_controls


def test_cli_analyze_writes_the_workbook(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(analysis, "load_files", keeping_controls(analysis.load_files))
    out = tmp_path / "findings.xlsx"
    assert main(["analyze", str(EXAMPLE), "--rules", "R01,R04", "--out", str(out), "--out",
                 str(tmp_path / "report.html")]) == 0
    wb = openpyxl.load_workbook(out)
    texts = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert len(wb.sheetnames) > 2 and not any(ch in t for t in texts for ch in CONTROL)


def test_api_excel_and_graphml_exports(monkeypatch, tmp_path):
    monkeypatch.setattr(analysis, "load_files", keeping_controls(analysis.load_files))  # the service's pipeline
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    run_id = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01,R04"}, headers=TOKEN).json["id"]
    state = wait(client, run_id)
    assert state["status"] == "完成" and state["findings"] > 0
    xlsx = client.get(f"/api/analyses/{run_id}/export?format=xlsx")
    assert xlsx.status_code == 200
    (tmp_path / "api.xlsx").write_bytes(xlsx.data)
    assert openpyxl.load_workbook(tmp_path / "api.xlsx").sheetnames[0] == "汇总"
    graphml = client.get(f"/api/datasets/{ds}/graph?format=graphml")
    assert graphml.status_code == 200
    ET.fromstring(graphml.data)


def test_control_characters_are_removed_at_load_with_a_warning_naming_the_row(tmp_path):
    import csv

    from helpers import HEADER, row

    from quanze.loaders import load_files

    path = tmp_path / "明川县应急管理局.csv"  # a workbook writer refuses these characters; a CSV export carries them
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, row(1, "对甲\x07行为的\x1b处罚"), row(2, "对乙行为的处罚")])
    res = load_files([path])
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对乙行为的处罚"]
    assert "第2行含有不可见的控制字符，已删除" in res.files[0].sheets[0].warnings
