"""Defect 13: an analyst had no way to say which column is which when a list cannot be read on its own (--columns)."""

import openpyxl
import pytest

from quanze.api.cli import main
from quanze.loaders import load_files
from quanze.loaders.header import load_overrides


def _list(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["栏目一", "栏目二", "栏目三", "栏目四"])
    ws.append(["甲", "乙", "行政处罚", "明川县应急管理局"])
    ws.append(["丙", "丁", "行政处罚", "明川县应急管理局"])
    wb.save(path)
    return path


def test_mapping_file_names_columns_by_letter_or_header(tmp_path):
    path = _list(tmp_path / "明川县应急管理局.xlsx")
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("'明川县*':\n  A: 事项名称\n  栏目二: 子项名称\n  D: ignore\n", encoding="utf-8")
    res = load_files([path], columns=mapping)
    assert [(it.name, it.sub_name, it.category) for it in res.items] == [("甲", "乙", "行政处罚"), ("丙", "丁", "行政处罚")]
    mapping_report = {m["column"]: (m["field"], m["evidence"]) for m in res.files[0].sheets[0].mapping}
    assert mapping_report["A"] == ("name", "override") and mapping_report["B"] == ("sub_name", "override")
    assert "D" not in mapping_report and res.files[0].sheets[0].ignored[0]["column"] == "D"


def test_a_wrong_field_in_the_mapping_file_is_refused_in_chinese(tmp_path, capsys):
    bad = tmp_path / "columns.yaml"
    bad.write_text("'*':\n  A: 名字\n", encoding="utf-8")
    with pytest.raises(ValueError, match="未知字段「名字」"):
        load_overrides(bad)
    with pytest.raises(SystemExit, match="无法使用列映射文件"):
        main(["load", str(_list(tmp_path / "x.xlsx")), "--columns", str(bad)])


def test_explain_prints_the_mapping(tmp_path, capsys):
    from conftest import EXAMPLE

    assert main(["load", str(EXAMPLE), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "「法律法规依据」→ 实施依据（依据：表头（关键词），内容相符" in out
    assert "权力类别来源：权力类型列" in out
