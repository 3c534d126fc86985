"""Defect 13: the header was looked for in the first 20 rows only, over one row; footnote rows must not become items."""

import openpyxl
from helpers import HEADER, row

from quanze.loaders import load_files


def test_header_after_thirty_rows_of_notes_and_over_two_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(["明川县应急管理局2024年权责清单"])
    for n in range(34):
        ws.append([f"填报说明第{n + 1}条：请按要求如实填写。"])
    top = ["序号", "事项名称", "权力类型", "实施依据", "行使主体", "实施层级及权限", None, "责任事项"]
    sub = [None, None, None, None, None, "层级", "权限", None]
    ws.append(top)
    ws.append(sub)
    r = ws.max_row
    ws.merge_cells(start_row=r - 1, start_column=6, end_row=r - 1, end_column=7)
    for c in (1, 2, 3, 4, 5, 8):
        ws.merge_cells(start_row=r - 1, start_column=c, end_row=r, end_column=c)
    full = row(1, "对甲行为的处罚")
    ws.append([full[0], full[1], full[3], full[4], full[5], "县级", "负责本县", full[8]])
    ws.append(["注：本清单所列事项以法律法规为准。", None, None, "本条为说明"])
    ws.append(["备注：县级权限包括乡镇。"])
    path = tmp_path / "明川县应急管理局.xlsx"
    wb.save(path)
    res = load_files([path])
    sheet = res.files[0].sheets[0]
    assert sheet.header_row == 37
    assert [it.name for it in res.items] == ["对甲行为的处罚"]
    it = res.items[0]
    assert it.levels == ["县"] and it.scope == "负责本县" and it.category == "行政处罚"
    assert not res.rejected
    assert sum("说明文字" in w for w in sheet.warnings) == 2


def test_header_repeated_on_each_printed_page_is_not_a_table(tmp_path):
    from helpers import workbook

    path = workbook(tmp_path / "x.xlsx", {"清单": [HEADER, row(1, "对甲行为的处罚"), HEADER, row(2, "对乙行为的处罚")]})
    res = load_files([path])
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对乙行为的处罚"]
    assert not res.files[0].sheets[0].tables
