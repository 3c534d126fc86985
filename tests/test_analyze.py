"""quanze analyze: the three report files an analyst opens, and bad arguments."""

import json
import re

import openpyxl
import pytest

from conftest import EXAMPLE

from quanze.api.cli import main
from quanze.pipeline import example_inputs
from quanze.rules.catalogue import load_catalogue


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    inputs = example_inputs()
    args = ["analyze", str(EXAMPLE), "--out", str(out / "findings.json"), "--out", str(out / "findings.xlsx"),
            "--out", str(out / "report.html")]
    for name in ("catalogue", "township", "cancelled", "duties", "lineage"):
        args += [f"--{name}", *map(str, inputs[name])]
    assert main(args) == 0
    return out


def test_json_has_the_documented_shape(reports):
    data = json.loads((reports / "findings.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in data["rules"]} >= {"R01a", "R01b", "R03", "R13", "R17"}
    assert set(data["rules"][0]) == {"id", "title", "severity"}
    f = data["findings"][0]
    assert {"rule", "severity", "message", "advice", "subjects", "evidence", "sources", "fingerprint"} <= set(f)
    assert set(f["subjects"][0]) == {"id", "name", "sub_name", "department", "category"}
    assert set(f["sources"][0]) == {"file", "sheet", "rows"}
    assert len({x["fingerprint"] for x in data["findings"]}) == len(data["findings"])


def test_excel_report_has_a_summary_and_a_sheet_per_rule(reports):
    wb = openpyxl.load_workbook(reports / "findings.xlsx")
    assert wb.sheetnames[0] == "汇总"
    summary = [row for row in wb["汇总"].iter_rows(min_row=3, values_only=True)]
    assert len(summary) == len(load_catalogue()) and all(row[3] == "已运行" for row in summary if row[0] not in {"R12", "R22"})
    sheet = next(wb[n] for n in wb.sheetnames if n.startswith("R01b"))
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["序号", "严重程度", "问题描述"] and {"来源文件", "工作表", "行号"} <= set(header)
    first = dict(zip(header, [c.value for c in sheet[2]]))
    assert first["来源文件"].endswith(".xlsx") and re.fullmatch(r"\d+(-\d+)?", first["行号"])


def test_html_report_is_one_self_contained_page(reports):
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html and "http" not in html
    assert "按严重程度" in html and "按部门" in html and "明川县应急管理局" in html
    assert html.count('class="finding ') == len(json.loads((reports / "findings.json").read_text("utf-8"))["findings"])


def test_unknown_output_format_and_rule_are_refused(tmp_path):
    with pytest.raises(SystemExit, match="不支持的输出格式"):
        main(["analyze", str(EXAMPLE), "--out", str(tmp_path / "findings.docx")])
    with pytest.raises(SystemExit, match="没有这些规则"):
        main(["analyze", str(EXAMPLE), "--rules", "R99", "--out", str(tmp_path / "f.json")])


def test_a_bad_duty_row_is_reported_and_the_rest_loads(tmp_path, capsys):
    duties = tmp_path / "三定.csv"
    duties.write_text("部门,职责\n明川县市场监督管理局,负责计量工作。\n明川县市场监督管理局,\n明川县民政局,负责社会救助。\n",
                      encoding="utf-8")
    assert main(["analyze", str(EXAMPLE), "--rules", "R05a", "--duties", str(duties),
                 "--out", str(tmp_path / "f.json")]) == 0
    out = capsys.readouterr().out
    assert "三定.csv「三定」第3行：缺少职责内容" in out
    assert "这些部门没有对应的清单，其职责未比对：明川县民政局" in out
    data = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert [f["evidence"]["duty"] for f in data["findings"]] == ["负责计量工作。"]
