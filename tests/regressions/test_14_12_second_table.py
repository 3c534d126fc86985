"""Defect 14.12: a second table in one sheet with another column order was mapped with the first table's columns (basis text landed in 子项名称)."""

import openpyxl
from helpers import BASIS

from quanze.loaders import load_files
from quanze.loaders.text import normalise


def test_second_table_is_mapped_by_its_own_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(["一、明川县应急管理局行政处罚事项"])
    ws.append(["序号", "事项名称", "子项名称", "权力类型", "实施依据", "实施主体"])
    ws.append([1, "对甲行为的处罚", None, "行政处罚", BASIS, "明川县应急管理局"])
    ws.append([2, "对乙行为的处罚", None, "行政处罚", BASIS, "明川县应急管理局"])
    ws.append([])
    ws.append(["二、明川县应急管理局行政检查事项"])
    ws.append(["实施依据", "序号", "实施主体", "权力类型", "事项名称"])
    other = "【法律】《中华人民共和国安全生产法》第六十五条：依法开展安全生产行政执法工作。"
    ws.append([other, 1, "明川县应急管理局", "行政检查", "对生产经营单位的监督检查"])
    path = tmp_path / "明川县应急管理局.xlsx"
    wb.save(path)
    res = load_files([path])
    got = [(it.name, it.sub_name, it.category, it.basis_text) for it in res.items]
    basis = normalise(BASIS)
    assert got == [("对甲行为的处罚", "", "行政处罚", basis), ("对乙行为的处罚", "", "行政处罚", basis),
                   ("对生产经营单位的监督检查", "", "行政检查", normalise(other))]
    sheet = res.files[0].sheets[0]
    assert [t["header_row"] for t in sheet.tables] == [2, 7]
    assert {m["header"]: m["column"] for m in sheet.tables[1]["mapping"]}["实施依据"] == "A"
    assert any("2个表格" in w for w in sheet.warnings)
    assert not res.rejected
