"""Defect 13: an import template with a row of field keys (libNum, title …) above its Chinese labels read the labels
as an item; the two rows together are the header."""

import openpyxl
import pytest
from conftest import SHARED
from helpers import BASIS

from quanze.loaders import load_files

TEMPLATE = SHARED / "data" / "other-layouts" / "广东政务服务网权责清单导入模板（仅表头）.xlsx"


def test_key_row_and_label_row_are_one_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["libNum", "title", "itemType", "basis", "orgName"])
    ws.append(["资源库编号", "事项名称", "事项类别", "设定依据", "行使主体"])
    ws.append(["44000001", "对甲行为的处罚", "行政处罚", BASIS, "明川县应急管理局"])
    path = tmp_path / "明川县应急管理局.xlsx"
    wb.save(path)
    res = load_files([path])
    assert [(it.name, it.category, it.department) for it in res.items] == [("对甲行为的处罚", "行政处罚", "明川县应急管理局")]
    sheet = res.files[0].sheets[0]
    assert sheet.header_row == 2
    assert {m["header"]: m["field"] for m in sheet.mapping}["title/事项名称"] == "name"


def test_the_guangdong_template_header_is_found_and_yields_no_item():
    if not TEMPLATE.exists():
        pytest.skip(f"{TEMPLATE} is not available (../shared is absent)")
    res = load_files([TEMPLATE])
    assert res.items == []
    sheet = res.files[0].sheets[0]
    assert sheet.header_row == 2
    mapping = {m["field"]: m["header"] for m in sheet.mapping}
    assert mapping["name"] == "title/标题" and mapping["basis"].startswith("篇扩设定依据")
