"""The catalogue on the bundled example: each planted problem (examples/mingchuan.yaml,
examples/mingchuan-inputs.yaml) is found by its rule, and nothing is found twice."""

import pytest

from quanze.pipeline import EXAMPLES, analyze, example_inputs


@pytest.fixture(scope="module")
def found():
    done = analyze([EXAMPLES / "mingchuan"], **example_inputs())
    # R12 needs the law corpus and R22 the national catalogue; the example brings neither
    assert all(r.status == "ok" for r in done.result.runs if r.rule.id not in {"R12", "R22"}), \
        [(r.rule.id, r.reason) for r in done.result.runs if r.status != "ok"]
    by_rule = {}
    for f in done.result.findings:
        by_rule.setdefault(f.rule, []).append(f)
    return by_rule


def names(fs):
    return [sorted(s["name"] for s in f.subjects) for f in fs]


def test_R01a_example_shared_articles(found):
    assert {f.evidence["key"] for f in found["R01a"]} == {"《安全生产法》第97条", "《土地管理法》第78条"}


def test_R01b_example_pairs(found):
    assert sorted(tuple(sorted(f.departments)) for f in found["R01b"]) == [
        ("明川县交通运输局", "明川县应急管理局"), ("明川县农业农村局", "明川县自然资源局")]


def test_R01b_example_farm_produce_needs_a_lower_threshold():
    done = analyze([EXAMPLES / "mingchuan"], selection="R01b", settings=["R01b.threshold=0.55"])
    pairs = [set(f.departments) for f in done.result.findings]
    assert {"明川县市场监督管理局", "明川县农业农村局"} in pairs


def test_R02_example(found):
    assert names(found["R02"]) == [["对未取得施工许可证擅自施工的处罚"] * 2]


def test_R03_example(found):
    (f,) = found["R03"]
    assert names([f]) == [["乡村建设规划许可证核发"] * 2] and "职责边界" in f.message


def test_R04_example(found):
    assert names(found["R04a"]) == [["公路超限运输许可"]]
    assert names(found["R04b"]) == [["对建设单位将建设工程发包给不具有相应资质等级的勘察、设计、施工单位的处罚"]]
    assert sorted(names(found["R04c"])) == [["医疗机构执业登记"], ["建筑工程施工许可证核发"]]


def test_R05_example(found):
    (gap,) = found["R05a"]
    assert "计量" in gap.evidence["duty"] and gap.departments == ["明川县市场监督管理局"]
    assert gap.sources[0]["file"].startswith("duties-")
    assert names(found["R05b"]) == [["对无偿献血者的表彰奖励"]]


def test_R06_example(found):
    assert ["医疗机构执业登记"] in names(found["R06"])


def test_R07_example(found):
    kinds = {f.evidence["kind"]: f for f in found["R07"]}
    assert set(kinds) == {"缺位", "越位", "错位"}
    assert kinds["缺位"].evidence["reference_item"] == "母婴保健技术服务机构执业许可"
    assert names([kinds["错位"]]) == [["执业医师申请个体行医审批"]]


def test_R08_example(found):
    assert {n for f in found["R08"] for n in names([f])[0]} == {"耕地地力保护补贴发放", "生态环境损害赔偿磋商"}


def test_R09_example(found):
    assert names(found["R09"]) == [["道路货物运输站(场)经营备案审批"]]


def test_R10_example(found):
    assert names(found["R10"]) == [["对发布虚假广告的处罚", "对广告主发布虚假广告行为的处罚"]]


def test_R11_example(found):
    assert names(found["R11"]) == [["道路货物运输站(场)经营备案审批"]]


def test_R12_example(laws_dir):
    done = analyze([EXAMPLES / "mingchuan"], laws=laws_dir, selection="R12")
    assert {n for f in done.result.findings for n in names([f])[0]} == {
        "对生产经营单位拒不执行停产停业整顿决定的处罚", "对建筑施工噪声超标排放的处罚"}


def test_R13_example(found):
    by_name = {f.subjects[0]["name"]: f.evidence["suggested"] for f in found["R13"]}
    assert by_name["执业医师申请个体行医审批"] == "行政许可"


def test_R14_example(found):
    got = sorted((f.evidence["kind"], f.departments[0]) for f in found["R14"])
    assert ("缺位", "明川县白沙乡人民政府") in got and ("越位", "明川县青石镇人民政府") in got


def test_R15_example(found):
    assert ["耕地地力保护补贴发放"] * 2 in names(found["R15"])


def test_R16_example(found):
    (f,) = found["R16"]
    assert f.departments == ["明川县青石镇人民政府"] and f.evidence["count"] == 8


def test_R17_example(found):
    assert names(found["R17"]) == [["对露天焚烧秸秆的处罚"]]


def test_every_finding_names_its_rows(found):
    for fs in found.values():
        for f in fs:
            assert f.sources and all(s["file"] and s["sheet"] and s["rows"][0] >= 1 for s in f.sources)
