"""Defect 13: generic bodies such as 县级以上工商、市场监管部门 resolved to "县级级以上工商", 市、县食品药品监管部门 to "市"."""

import pytest

from quanze.loaders.departments import resolve_department

CITY = "克拉玛依市"

# raw as written, region of the list → (short_name, level, region, display, levels)
CASES = [
    ("县级以上工商、市场监管部门", CITY, ("市场监督管理局", "市", CITY, "克拉玛依市市场监督管理局", ("市", "县"))),
    ("县级以上市场监管部门", CITY, ("市场监督管理局", "市", CITY, "克拉玛依市市场监督管理局", ("市", "县"))),
    ("县级以上市场监管部门", "明川县", ("市场监督管理局", "县", "明川县", "明川县市场监督管理局", ("县",))),
    ("县级以上市场监管部门", "", ("市场监督管理局", "县", "", "县级市场监督管理局", ("省", "市", "县"))),
    ("市、县食品药品监管部门", CITY, ("市场监督管理局", "市", CITY, "克拉玛依市市场监督管理局", ("市", "县"))),
    ("省级工商、市场监管部门", CITY, ("市场监督管理局", "省", "", "省级市场监督管理局", ("省",))),
    ("所属县级文体广电旅游局", CITY, ("文化和旅游局", "县", CITY, "克拉玛依市所属县级文化和旅游局", ("县",))),
    ("县级文体广电旅游局", CITY, ("文化和旅游局", "县", CITY, "克拉玛依市所属县级文化和旅游局", ("县",))),
    ("县级以上地方各级人民政府卫生健康主管部门", CITY, ("卫生健康委员会", "市", CITY, "克拉玛依市卫生健康委员会", ("市", "县"))),
    ("市县两级市场监管部门", CITY, ("市场监督管理局", "市", CITY, "克拉玛依市市场监督管理局", ("市", "县"))),
    ("县(市、区)市场监督管理局", CITY, ("市场监督管理局", "县", CITY, "克拉玛依市所属县级市场监督管理局", ("县",))),
    ("县级以上安全生产监督管理部门", CITY, ("应急管理局", "市", CITY, "克拉玛依市应急管理局", ("市", "县"))),
    ("自治区、地州市、县市区农业农村部门", CITY, ("农业农村局", "省", "自治区", "自治区农业农村局", ("省", "市", "县"))),
    # unknown to the table: the short name starts after the level phrase
    ("县级乡村振兴局", CITY, ("乡村振兴局", "县", CITY, "克拉玛依市所属县级乡村振兴局", ("县",))),
    ("克拉玛依市所属县级乡村振兴局", "", ("乡村振兴局", "县", CITY, "克拉玛依市所属县级乡村振兴局", ("县",))),
    ("县级及以上乡村振兴部门", CITY, ("乡村振兴部门", "市", CITY, "克拉玛依市乡村振兴部门", ("市", "县"))),
    # 市 in 市场 and 市政 is no level
    ("市场发展中心", CITY, ("市场发展中心", "市", CITY, "克拉玛依市市场发展中心", ())),
    ("市政工程管理处", CITY, ("市政工程管理处", "市", CITY, "克拉玛依市市政工程管理处", ())),
]


@pytest.mark.parametrize("raw, region, expected", CASES)
def test_generic_body_resolves_by_level(raw, region, expected):
    d = resolve_department(raw, region)
    assert (d.short_name, d.level, d.region, d.display, d.levels) == expected
    assert "级级" not in d.display and d.short_name not in ("市", "县", "省", "乡")
    assert d.raw == raw  # the words as written stay available


def test_level_column_picks_one_level_of_a_range():
    d = resolve_department("县级以上市场监管部门", CITY, "县")
    assert (d.id, d.display) == ("克拉玛依市|县|市场监督管理局", "克拉玛依市所属县级市场监督管理局")
    # an explicit enumeration: the first level written wins
    assert resolve_department("市、县食品药品监管部门", CITY, "县").level == "市"


def test_bodies_sharing_an_ending_are_each_resolved():
    d = resolve_department("县级以上公安、交通运输部门", CITY)
    assert (d.short_name, d.co_bodies) == ("公安局", ("交通运输局",))
    # 工商、市场监管 are one department today: no co-body repeating the body
    assert resolve_department("县级以上工商、质监、食药监部门", CITY).co_bodies == ()


def test_a_cell_naming_only_levels_names_no_body():
    assert resolve_department("市级", CITY) is None
    assert resolve_department("县级以上", CITY) is None


def test_a_former_bureau_named_as_a_body_stays_that_bureau():
    """R18 reports items a list still gives to an ended bureau; the generic 部门 is today's body."""
    d = resolve_department("明川县食品药品监督管理局")
    assert (d.id, d.known) == ("明川县|县|食品药品监督管理局", True)
    assert resolve_department("食药监局", "明川县").id == d.id
    assert resolve_department("县食品药品监管部门", "明川县").id == "明川县|县|市场监督管理局"


def test_names_of_the_real_lists_still_resolve_as_before():
    assert resolve_department("县市区农业农村局", CITY).id == "克拉玛依市|县|农业农村局"
    assert resolve_department("自治区农业农村厅", CITY).id == "自治区|省|农业农村局"
    assert resolve_department("各区绿化委员会", CITY).id == "克拉玛依市|县|绿化委员会"
    assert resolve_department("市委宣传部(新闻出版局、版权局)", CITY).id == "克拉玛依市|市|委宣传部"
    assert resolve_department("市人民政府(克拉玛依市自然资源局承办)", CITY).id == "克拉玛依市|市|自然资源局"
    assert resolve_department("明川县青石镇人民政府").id == "明川县青石镇|乡|人民政府"


def test_a_long_cell_resolves_in_one_pass():
    # a pasted column of 8,000 bodies and levels: each piece is read once
    d = resolve_department("市、" * 4000 + "县交通运输局、" + "市场监管部门、" * 4000, CITY)
    assert (d.id, d.co_bodies, d.levels) == ("克拉玛依市|市|交通运输局", ("市场监督管理局",), ("市", "县"))
