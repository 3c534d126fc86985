"""The rules only a run over several provinces can answer (R21–R23), the province each list belongs to,
and the planted cross-province problems of a synthetic nation found."""

import json
from pathlib import Path

import pytest

from rulekit import findings, item, subjects

from quanze.loaders.departments import province_of
from quanze.pipeline import analyze, prepare
from quanze.synth import generate, plant, score, write

FOOD = "【法律】《中华人民共和国食品安全法》第一百二十二条"
QUALITY = "【法律】《中华人民共和国产品质量法》第四十九条"
PROVINCES = ("甲省", "乙省", "丙省")


def _held(name, basis=FOOD, province="甲省", county="东县", category="行政处罚", remarks=""):
    """An item of a county's 市场监督管理局 (the county named after its province: 甲东县) in ``province``."""
    return item(name, category, dept=f"{province[:1] or '丁'}{county}市场监督管理局", basis=basis, province=province,
                remarks=remarks)


def test_province_of_a_list_from_its_region_or_its_folder():
    assert province_of(Path("lists/浙江省/杭州市/桐庐县市场监督管理局.xlsx"), "桐庐县") == "浙江省"
    assert province_of(Path("lists/甲乙省公安厅.xlsx"), "甲乙省") == "甲乙省"
    assert province_of(Path("全省/清单.xlsx"), "明川县") == ""  # a province word, no province
    assert province_of(Path("新疆维吾尔自治区/克拉玛依市/清单.xlsx"), "克拉玛依市") == "新疆维吾尔自治区"
    assert province_of(Path("lists/上海市/浦东新区清单.csv"), "浦东新区") == "上海市"
    assert province_of(Path("lists/2024/清单.xlsx"), "明川县") == ""  # nothing names a province


def test_province_column_from_the_folder_through_the_pipeline(tmp_path):
    from conftest import EXAMPLE

    for f in EXAMPLE.glob("*.xlsx"):
        (tmp_path / "甲乙省").mkdir(exist_ok=True)
        (tmp_path / "甲乙省" / f.name).write_bytes(f.read_bytes())
    ready = prepare([tmp_path])
    assert set(ready.tables.items["province"]) == {"甲乙省"}
    assert {f["province"] for f in ready.load.report()["files"]} == {"甲乙省"}
    assert set(prepare([EXAMPLE]).tables.items["province"]) == {""}


def test_R21_a_province_whose_practice_differs_from_the_others():
    items = [_held("对生产经营超范围食品的处罚", province=p, county=c) for p in PROVINCES for c in ("东县", "西县")]
    # every holder in 丙省 cites another law: that province's practice differs
    items += [_held("对生产不合格产品的处罚", basis=FOOD if p != "丙省" else QUALITY, province=p, county=c)
              for p in PROVINCES for c in ("东县", "西县", "南县")]
    found = findings(items, "R21")
    assert len(found) == 1 and subjects(found) == [{"对生产不合格产品的处罚"}]
    assert {s["department"] for s in found[0].subjects} == {"丙东县市场监督管理局", "丙西县市场监督管理局", "丙南县市场监督管理局"}
    assert len(found[0].subjects) == 3  # 丙省's three, not the six that agree
    assert found[0].evidence["practice"]["依据文件"] == {"甲省": "食品安全法", "乙省": "食品安全法", "丙省": "产品质量法"}
    assert "3个省" in found[0].message and "丙省为“产品质量法”" in found[0].message


def test_R21_one_county_slipping_inside_a_province_is_not_a_difference_between_provinces():
    items = [_held("对生产不合格产品的处罚", province=p, county=c) for p in PROVINCES for c in ("东县", "西县", "南县")]
    items[0] = _held("对生产不合格产品的处罚", basis=QUALITY, province="甲省", county="东县")  # R15's concern
    assert findings(items, "R21") == []
    # without a basis an item takes no part (R08 reports it)
    items[0] = _held("对生产不合格产品的处罚", basis="", province="甲省", county="东县")
    assert findings(items, "R21") == []


def test_R21_needs_two_provinces_and_a_known_province():
    one = [_held("对生产不合格产品的处罚", basis=b, province="甲省", county=c)
           for b, c in ((FOOD, "东县"), (QUALITY, "西县"))]
    assert findings(one, "R21") == []
    unknown = [_held("对生产不合格产品的处罚", basis=b, province="", county=c) for b, c in ((FOOD, "东县"), (QUALITY, "西县"))]
    assert findings(unknown, "R21") == []


def test_R21_an_even_split_is_no_practice_and_its_odd_items_are_named():
    items = [_held("对生产不合格产品的处罚", province=p, county="东县") for p in PROVINCES]
    items.append(_held("对生产不合格产品的处罚", basis=QUALITY, province="乙省", county="西县"))  # 乙省 splits 1:1
    found = findings(items, "R21")
    assert len(found) == 1 and [s["department"] for s in found[0].subjects] == ["乙西县市场监督管理局"]
    assert found[0].evidence["practice"]["依据文件"]["乙省"] == "（各半）"


def _catalogue():
    return [item(n, c, dept="县市场监督管理局", basis=FOOD, file="基本目录.xlsx", remarks=r)
            for n, c, r in (("对生产经营超范围食品的处罚", "行政处罚", ""), ("对生产不合格产品的处罚", "行政处罚", ""),
                            ("食品经营许可", "行政许可", ""), ("对网络食品交易第三方平台的检查", "行政检查", "根据实际认领"))]


def test_R22_a_province_lacking_or_renaming_a_catalogue_item():
    lists = [_held(n, province=p, county=c, category=k)
             for p in PROVINCES for c in ("东县", "西县")
             for n, k in (("对生产经营超范围食品的处罚", "行政处罚"), ("对生产不合格产品的处罚", "行政处罚"), ("食品经营许可", "行政许可"))
             if not (p == "乙省" and n == "食品经营许可")]  # 乙省's counties all lack it
    lists = [it if not (it.province == "丙省" and it.name == "对生产经营超范围食品的处罚") else
             _held("对生产经营超范围的食品的处罚", province="丙省", county=it.department[1:3]) for it in lists]
    found = findings(lists, "R22", national=_catalogue())
    kinds = sorted((f.evidence["kind"], f.evidence["reference_item"], f.fingerprint) for f in found)
    assert [(k, r) for k, r, _ in kinds] == [("更名", "对生产经营超范围食品的处罚"), ("缺位", "食品经营许可")]
    missing = next(f for f in found if f.evidence["kind"] == "缺位")
    assert missing.subjects == [] and missing.sources[0]["file"] == "基本目录.xlsx"
    renamed = next(f for f in found if f.evidence["kind"] == "更名")
    assert len(renamed.subjects) == 2 and {s["name"] for s in renamed.subjects} == {"对生产经营超范围的食品的处罚"}
    # no province holds the item marked 根据实际认领, and it is no gap anywhere
    assert all(f.evidence["reference_item"] != "对网络食品交易第三方平台的检查" for f in found)


def test_R22_key_names_the_province_and_level():
    from quanze.rules.model import fingerprint

    lists = [_held("对生产经营超范围食品的处罚", province="乙省")]
    found = [f for f in findings(lists, "R22", national=_catalogue()) if f.evidence["reference_item"] == "食品经营许可"]
    assert found[0].fingerprint == fingerprint("R22", [], "缺位|市场监督管理局|行政许可|食品经营许可|乙省|县")


def test_R22_needs_the_national_catalogue():
    from quanze.graph import build_graph
    from quanze.rules.engine import run

    result = run(build_graph([_held("食品经营许可", category="行政许可")]), selection=["R22"])
    assert result.runs[0].status == "skipped" and "全国权责清单基本目录" in result.runs[0].reason


def test_R23_a_province_whose_departments_list_half_of_the_others():
    counts = {"甲省": 12, "乙省": 12, "丙省": 5}
    items = [_held(f"对违法行为{n}的处罚", province=p, county=c) for p, k in counts.items() for c in ("东县", "西县")
             for n in range(k)]
    found = findings(items, "R23")
    assert len(found) == 1 and found[0].subjects == []
    f = found[0]
    assert f.evidence["count"] == 5 and f.evidence["peer_median"] == 12 and f.evidence["province_means"]["丙省"] == 5
    assert "丙省县级市场监督管理局（2个部门）平均每个部门5.0项" in f.message and "偏少" in f.message
    assert {s["file"] for s in f.sources} == {"测试清单.xlsx"}
    assert findings([it for it in items if it.province != "丙省"], "R23") == []  # the rest agree


@pytest.mark.slow  # a synthetic nation of three small provinces, loaded and checked
def test_R21_R22_R23_find_the_planted_problems_of_a_synthetic_nation(tmp_path):
    summary = write(plant(generate("nation-small", 3)), tmp_path)
    assert len(summary["provinces"]) == 3 and all((tmp_path / "lists" / p).is_dir() for p in summary["provinces"])
    done = analyze([tmp_path / "lists"], selection=["R21", "R22", "R23"],
                   **{k: [tmp_path / v] for k, v in summary["inputs"].items()})
    assert set(done.tables.items["province"]) == set(summary["provinces"])
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    scores = score(truth, done.result.findings, ["R21", "R22", "R23"])
    for rule in ("R21", "R22", "R23"):
        assert scores[rule]["planted"] >= 4, scores[rule]
        assert scores[rule]["recall"] >= 0.95 and scores[rule]["precision"] >= 0.9, (rule, scores[rule])


@pytest.mark.slow  # a synthetic nation of one small province, loaded and checked
def test_a_nation_of_one_province_plants_R22_problems_and_no_R21(tmp_path):
    """A one-province nation planted nothing for R22 (its planter shared R21's need of two provinces),
    although one province against the national catalogue is what R22 checks."""
    summary = write(plant(generate("nation-small", 1, provinces=1)), tmp_path)
    done = analyze([tmp_path / "lists"], selection=["R21", "R22"],
                   **{k: [tmp_path / v] for k, v in summary["inputs"].items()})
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    scores = score(truth, done.result.findings, ["R21", "R22"])
    assert scores["R22"]["planted"] >= 4 and scores["R22"]["recall"] >= 0.95 and scores["R22"]["precision"] >= 0.9, \
        scores["R22"]
    assert scores["R21"]["planted"] == 0 and not [f for f in done.result.findings if f.rule == "R21"]


def test_a_province_count_outside_the_country_is_refused():
    with pytest.raises(ValueError, match="省份数应在 1 到 34 之间"):
        generate("nation-small", 1, provinces=40)
    with pytest.raises(ValueError, match="省份数只用于全国规模"):
        generate("county", 1, provinces=2)


def test_items_of_an_unknown_province_left_out_of_the_province_rules_are_said(tmp_path):
    """R21–R23 compare provinces and leave out the items whose province is unknown; the summary says how many,
    rather than letting a list placed outside its province's folder pass unseen."""
    from conftest import EXAMPLE

    from quanze.api.summary import findings_summary

    files = sorted(EXAMPLE.glob("*.xlsx"))
    (tmp_path / "甲乙省").mkdir()
    for f in files[1:]:
        (tmp_path / "甲乙省" / f.name).write_bytes(f.read_bytes())
    (tmp_path / files[0].name).write_bytes(files[0].read_bytes())
    done = analyze([tmp_path], selection=["R21", "R23", "R08"])
    alone = done.tables.items[done.tables.items["file"] == files[0].name]
    assert len(alone) and set(alone["province"]) == {""}
    text = findings_summary(done.result, done.tables)
    assert f"有 {len(alone)} 个事项（1 个清单）未能确定所属省份" in text and "R21、R23" in text
    # every list in its province's folder, or none in any: nothing to say
    assert "未能确定所属省份" not in findings_summary(analyze([EXAMPLE], selection=["R21"]).result,
                                                  prepare([EXAMPLE]).tables)
