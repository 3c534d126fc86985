"""Defect 13: a body name the department table does not know was not reported in the load report, so no analyst could add an alias."""

import json

from helpers import row, workbook

from quanze.loaders import load_files
from quanze.loaders.departments import resolve_department, unknown_bodies


def test_unknown_bodies_are_reported_with_their_count_and_files(tmp_path):
    workbook(tmp_path / "明川县应急管理局2024年权责清单.xlsx", {"行政处罚": [
        ["序号", "事项\n名称", "子项名称", "权力\n类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"],
        row(1, "对未设置安全生产管理机构的处罚", dept="明川县应急管理局"),
        row(2, "对乡村振兴项目的检查", dept="县级乡村振兴局"),
        row(3, "对乡村振兴资金的检查", dept="县级乡村振兴局"),
        row(4, "对防汛物资的检查", dept="明川县应急管理局、县防汛抗旱指挥部办公室"),
    ]})
    workbook(tmp_path / "明川县水利局2024年权责清单.xlsx", {"行政检查": [
        ["序号", "事项\n名称", "子项名称", "权力\n类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"],
        row(1, "对乡村供水工程的检查", "行政检查", dept="县级乡村振兴局"),
        row(2, "对河道采砂的检查", "行政检查", dept="明川县水利局"),
    ]}, title="明川县水利局2024年权责清单")
    res = load_files([tmp_path])
    assert len(res.items) == 6
    report = res.report()
    assert report["unknown_bodies"] == [
        {"name": "县级乡村振兴局", "short_name": "乡村振兴局", "items": 3,
         "files": ["明川县应急管理局2024年权责清单.xlsx", "明川县水利局2024年权责清单.xlsx"]},
        {"name": "县防汛抗旱指挥部办公室", "short_name": "防汛抗旱指挥部办公室", "items": 1,
         "files": ["明川县应急管理局2024年权责清单.xlsx"]},
    ]
    json.dumps(report, ensure_ascii=False)


def test_ties_are_sorted_by_name_and_known_bodies_are_not_listed(tmp_path):
    items = load_files([workbook(tmp_path / "明川县应急管理局2024年权责清单.xlsx", {"行政处罚": [
        ["序号", "事项\n名称", "子项名称", "权力\n类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"],
        row(1, "事项甲", dept="县二中心"),
        row(2, "事项乙", dept="县一中心"),
        row(3, "事项丙", dept="县级以上工商、市场监管部门"),  # known: 工商部门 is today's 市场监督管理局
    ]})]).items
    assert [(b["name"], b["items"]) for b in unknown_bodies(items)] == [("县一中心", 1), ("县二中心", 1)]
    assert resolve_department("县一中心", "明川县").unknown == (("县一中心", "一中心"),)


def test_every_body_of_the_real_lists_is_known(klmy):
    assert klmy.report()["unknown_bodies"] == []
