"""Defect 13: a list with only item names and departments loaded 0 items ("找不到可识别的表头"); where no column names the
category it must come from the sheet, the title or the file name, else from the names, and be marked, never silent."""

import openpyxl

from quanze.loaders import load_files


def _directory(path, rows, title=None, sheet="Sheet1", header=("序号", "部门", "事项名称")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


PENALTIES = [(1, "明川县应急管理局", "对未设置安全生产管理机构的处罚"), (2, "明川县应急管理局", "对未按规定配备安全生产管理人员的处罚"),
             (3, "明川县市场监督管理局", "对销售过期食品的处罚")]


def test_directory_of_departments_and_names_loads_with_inferred_categories(tmp_path):
    rows = PENALTIES + [(4, "明川县市场监督管理局", "食品经营许可"), (5, "明川县应急管理局", "对危险化学品企业的监督检查")]
    res = load_files([_directory(tmp_path / "明川县政务服务事项目录.xlsx", rows, title="明川县政务服务事项目录")])
    assert [(it.name, it.department) for it in res.items] == [(r[2], r[1]) for r in rows]
    assert [it.category for it in res.items] == ["行政处罚"] * 3 + ["行政许可", "行政检查"]
    assert {it.category_source for it in res.items} == {"model"}
    report = res.report()
    assert report["category_sources"] == {"model": 5}
    assert any("按事项名称推断" in w for w in report["files"][0]["warnings"])


def test_category_from_the_title_and_from_the_file_name(tmp_path):
    titled = _directory(tmp_path / "a.xlsx", PENALTIES[:2], title="明川县应急管理局行政处罚事项清单")
    named = _directory(tmp_path / "明川县应急管理局随机抽查事项清单.xlsx", [(1, "明川县应急管理局", "安全生产执法")])
    res = load_files([titled, named])
    got = {it.name: (it.category, it.category_source) for it in res.items}
    assert got["对未设置安全生产管理机构的处罚"] == ("行政处罚", "title")
    assert got["安全生产执法"] == ("行政检查", "file")


def test_name_column_alone_is_not_a_table(tmp_path):
    path = _directory(tmp_path / "说明.xlsx", [("本清单由县编办汇总",), ("联系人：张三",)], header=("说明",))
    res = load_files([path])
    assert res.items == [] and "找不到可识别的表头" in res.rejected[0].reason
