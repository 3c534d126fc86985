"""Defect 14.13: formula cells without cached values — a name formula was reported as 事项名称为空, a category formula
loaded with no category and no warning, and two rows with the same name and different basis were merged with no report."""

import openpyxl
from helpers import BASIS

from quanze.loaders import load_files

HEADER = ["序号", "事项名称", "权力类型", "实施依据", "实施主体"]
OTHER = "【法律】《中华人民共和国消防法》第六十条：单位违反本法规定的处罚。"


def _sheet(path, rows):
    wb = openpyxl.Workbook()  # openpyxl saves formulas without a computed value, as a script or some tools do
    ws = wb.active
    ws.title = "清单"
    ws.append(["明川县应急管理局2024年权责清单"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_formulas_without_saved_values_are_reported_by_row(tmp_path):
    path = _sheet(tmp_path / "明川县应急管理局.xlsx", [
        [1, "对甲行为的处罚", "行政处罚", BASIS, "明川县应急管理局"],
        [2, '=B3&"（续）"', "行政处罚", BASIS, "明川县应急管理局"],
        [3, "对乙行为的处罚", "=C3", BASIS, "明川县应急管理局"],
    ])
    res = load_files([path])
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对乙行为的处罚"]
    [rejected] = res.rejected
    assert rejected.row == 4 and "公式" in rejected.reason and "没有保存计算结果" in rejected.reason
    warnings = res.files[0].sheets[0].warnings
    assert any(w.startswith("第5行「权力类型」是公式") for w in warnings)
    assert res.items[1].category is None or res.items[1].category_source != "column"


def test_same_name_written_again_with_another_basis_is_reported(tmp_path):
    path = _sheet(tmp_path / "明川县应急管理局.xlsx", [
        [1, "对甲行为的处罚", "行政处罚", BASIS, "明川县应急管理局"],
        [1, "对甲行为的处罚", "行政处罚", OTHER, "明川县应急管理局"],
    ])
    res = load_files([path])
    [item] = res.items
    assert "消防法" in item.basis_text and "安全生产法" in item.basis_text
    assert any("第4行与第3行事项名称、序号相同而实施依据不同" in w for w in res.files[0].sheets[0].warnings)
