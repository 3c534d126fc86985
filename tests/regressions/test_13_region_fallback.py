"""Defect 13: a list whose file name and title name no region silently became a department of region ''."""

from helpers import row, workbook

from quanze.loaders import load_files

PLAIN_HEADER = ["序号", "事项\n名称", "子项名称", "权力\n类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"]


def _lists(tmp_path, regions):
    for n, region in enumerate(regions):
        workbook(tmp_path / f"{region}应急管理局权责清单.xlsx",
                 {"清单": [PLAIN_HEADER, row(1, f"对甲{n}行为的处罚", dept=f"{region}应急管理局")]},
                 title=f"{region}应急管理局权责清单")
    return workbook(tmp_path / "农业农村局权责清单.xlsx",
                    {"清单": [PLAIN_HEADER, row(1, "对农药违法行为的处罚", dept="农业农村局")]}, title="农业农村局权责清单")


def test_region_agreed_by_the_other_files_with_a_warning(tmp_path):
    plain = _lists(tmp_path, ["明川县", "明川县"])
    res = load_files([tmp_path])
    [item] = [it for it in res.items if it.source.file == plain.name]
    assert item.department_id == "明川县|县|农业农村局"
    [report] = [f for f in res.files if f.file == plain.name]
    assert report.region == "明川县" and any("没有写明所属地区" in w and "明川县" in w for w in report.warnings)


def test_region_given_for_the_run_wins(tmp_path):
    plain = _lists(tmp_path, [])
    res = load_files([plain], region="青川县")
    assert res.items[0].department_id == "青川县|县|农业农村局"
    assert any("青川县" in w for w in res.files[0].warnings)


def test_files_of_several_regions_do_not_lend_one_and_say_so(tmp_path):
    plain = _lists(tmp_path, ["明川县", "青川县"])
    res = load_files([tmp_path])
    [report] = [f for f in res.files if f.file == plain.name]
    assert report.region == "" and any("--region" in w for w in report.warnings)
