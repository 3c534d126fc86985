"""Each rule on small hand-made lists: one case it must find, one it must leave alone.

A test named ``test_<rule id>_…`` is what tests/test_catalogue.py looks for:
every rule in rules/catalog must have at least one.
"""

import pandas as pd
import pytest

from rulekit import findings, item, subjects

SAFETY_97 = "【法律】《中华人民共和国安全生产法》\n第九十七条第一项：未按照规定设置安全生产管理机构或者配备安全生产管理人员的。"
SAFETY_97_2 = "【法律】《中华人民共和国安全生产法》\n第九十七条第二项：危险物品的生产单位主要负责人未按照规定经考核合格的。"
LAND_78 = "【法律】《中华人民共和国土地管理法》\n第七十八条：农村村民未经批准非法占用土地建住宅的。"


def test_R01a_departments_sharing_a_provision():
    found = findings([
        item("对生产经营单位未按照规定设置安全生产管理机构的处罚", basis=SAFETY_97),
        item("对道路运输企业未配备安全生产管理人员的处罚", dept="明川县交通运输局", basis=SAFETY_97),
        item("对未按规定设置安全生产管理机构的处罚", dept="明川县住房和城乡建设局", basis=SAFETY_97,
             category="行政许可"),  # not enforcement: outside the rule
    ], "R01a")
    assert len(found) == 1
    f = found[0]
    assert set(f.departments) == {"明川县应急管理局", "明川县交通运输局"}
    assert f.evidence["key"] == "《安全生产法》第97条"
    assert len(f.sources) == 2 and all(s["file"] == "测试清单.xlsx" for s in f.sources)


def test_R01a_different_items_of_one_article_or_one_department_are_no_overlap():
    assert findings([
        item("对未设置安全生产管理机构的处罚", basis=SAFETY_97),
        item("对主要负责人未经考核合格的处罚", dept="明川县交通运输局", basis=SAFETY_97_2),
    ], "R01a") == []
    assert findings([
        item("对未设置安全生产管理机构的处罚", basis=SAFETY_97),
        item("对未配备安全生产管理人员的处罚", basis=SAFETY_97),
    ], "R01a") == []


def test_R01a_documented_boundary_and_other_governments_are_left_alone():
    assert findings([
        item("对未设置安全生产管理机构的处罚", basis=SAFETY_97, remarks="按职责边界清单分工"),
        item("对未配备安全生产管理人员的处罚", dept="明川县交通运输局", basis=SAFETY_97),
    ], "R01a") == []
    assert findings([
        item("对未设置安全生产管理机构的处罚", basis=SAFETY_97),
        item("对未配备安全生产管理人员的处罚", dept="清河县交通运输局", basis=SAFETY_97),
    ], "R01a") == []


def test_R01b_same_article_closest_pair_across_departments():
    found = findings([
        item("对生产经营单位未按照规定设置安全生产管理机构或者配备安全生产管理人员的处罚", basis=SAFETY_97),
        item("对主要负责人未按规定经考核合格的处罚", basis=SAFETY_97),
        item("对道路运输企业未按规定设置安全生产管理机构或者配备安全生产管理人员等行为的行政处罚",
             dept="明川县交通运输局", basis=SAFETY_97),
    ], "R01b")
    assert subjects(found) == [{"对生产经营单位未按照规定设置安全生产管理机构或者配备安全生产管理人员的处罚",
                                "对道路运输企业未按规定设置安全生产管理机构或者配备安全生产管理人员等行为的行政处罚"}]
    assert found[0].evidence["shared_provisions"] == ["《安全生产法》第97条"]


def test_R01b_very_similar_violations_under_different_articles():
    found = findings([
        item("对监理单位与建设单位串通弄虚作假降低工程质量的处罚", dept="明川县住房和城乡建设局",
             basis="【法规】《建设工程质量管理条例》第六十七条"),
        item("对工程监理单位与建设单位串通，弄虚作假、降低工程质量的行政处罚", dept="明川县交通运输局",
             basis="【规章】《公路水运工程质量监督管理规定》第四十二条"),
        item("对超限运输车辆擅自行驶公路的处罚", dept="明川县交通运输局"),
    ], "R01b")
    assert len(found) == 1 and "shared_provisions" not in found[0].evidence


def test_R01b_sector_split_own_procedure_and_one_department_are_no_overlap():
    assert findings([
        item("对煤矿建设工程肢解发包的处罚", basis="【法规】《建设工程质量管理条例》第五十五条"),
        item("对交通运输领域建设工程肢解发包的处罚", dept="明川县交通运输局", basis="【法规】《建设工程质量管理条例》第五十五条"),
    ], "R01b") == []
    assert findings([
        item("对拒绝、阻挠依法实施监督检查的处罚", basis=SAFETY_97),
        item("对拒绝、阻挠依法实施监督检查的处罚", dept="明川县交通运输局", basis=SAFETY_97),
    ], "R01b") == []
    assert findings([
        item("对未按照规定设置安全生产管理机构的处罚"),
        item("对未按规定设置安全生产管理机构等行为的行政处罚"),
    ], "R01b") == []


def test_R02_one_penalty_at_two_levels_without_a_split():
    county = item("对未取得施工许可证擅自施工的处罚", dept="明川县住房和城乡建设局")
    town = item("对未取得施工许可证擅自施工的处罚", dept="明川县青石镇人民政府", level="乡")
    found = findings([county, town], "R02")
    assert len(found) == 1 and set(found[0].departments) == {"明川县住房和城乡建设局", "明川县青石镇人民政府"}
    delegated = item("对未取得施工许可证擅自施工的处罚", dept="明川县青石镇人民政府", level="乡",
                     scope="依据县人民政府赋权决定行使")
    assert findings([county, delegated], "R02") == []


def test_R03_one_licence_in_two_departments_suggests_a_boundary():
    plan = "【法律】《中华人民共和国城乡规划法》第四十一条"
    found = findings([
        item("乡村建设规划许可证核发", "行政许可", dept="明川县自然资源局", basis=plan),
        item("乡村建设规划许可证核发", "行政许可", dept="明川县农业农村局", basis=plan),
        item("农作物种子生产经营许可证核发", "行政许可", dept="明川县农业农村局"),
    ], "R03")
    assert len(found) == 1 and "职责边界" in found[0].message and found[0].evidence["score"] == 1.0


def test_R03_leaves_enforcement_to_R01():
    assert findings([
        item("对农村村民非法占用土地建住宅的处罚", dept="明川县自然资源局", basis=LAND_78),
        item("对农村村民未经批准非法占用土地建住宅的处罚", dept="明川县农业农村局", basis=LAND_78),
    ], "R03") == []


def test_R04a_item_without_responsibilities():
    found = findings([item("对某行为的处罚", resp=""), item("对另一行为的处罚")], "R04a")
    assert subjects(found) == [{"对某行为的处罚"}]


def test_R04b_item_without_accountability():
    found = findings([item("对某行为的处罚", acc=""), item("对另一行为的处罚")], "R04b")
    assert subjects(found) == [{"对某行为的处罚"}]


def test_R04c_licence_without_after_supervision():
    no_supervision = "1.受理责任：受理。2.审查责任：审查。3.决定责任：作出决定。4.送达责任：送达。"
    found = findings([item("建筑工程施工许可证核发", "行政许可", resp=no_supervision),
                      item("商品房预售许可", "行政许可")], "R04c")
    assert subjects(found) == [{"建筑工程施工许可证核发"}] and found[0].evidence["missing_stages"] == ["事后监管"]
    # the whole template is checked when asked
    full = findings([item("对某行为的处罚", resp="1.立案责任：立案。2.决定责任：作出决定。")], "R04c",
                    settings=["R04c.only=[]"])
    assert full[0].evidence["missing_stages"] == ["调查取证", "审理", "告知", "送达", "执行"]


def _duties(rows):
    return pd.DataFrame([{"department_raw": d, "department": d, "short_name": s, "region": "明川县", "duty": t,
                          "file": "三定.xlsx", "sheet": "职责", "row": n} for n, (d, s, t) in enumerate(rows, 2)])


MARKET_DUTIES = _duties([
    ("明川县市场监督管理局", "市场监督管理局", "负责广告监督管理工作，查处虚假广告等违法行为。"),
    ("明川县市场监督管理局", "市场监督管理局", "负责计量工作，推行法定计量单位和国家计量制度。"),
])
MARKET = [item("对发布虚假广告的处罚", dept="明川县市场监督管理局"),
          item("对举办展销会的备案", "其他行政权力", dept="明川县市场监督管理局")]


def test_R05a_duty_with_no_item():
    found = findings(MARKET, "R05a", duties=MARKET_DUTIES)
    assert len(found) == 1 and "计量" in found[0].message and found[0].subjects == []
    assert found[0].sources == [{"file": "三定.xlsx", "sheet": "职责", "rows": [3, 3]}]


def test_R05b_item_serving_no_duty():
    found = findings(MARKET, "R05b", duties=MARKET_DUTIES)
    assert subjects(found) == [{"对举办展销会的备案"}]
    # an item whose 部门职责 cell restates a duty serves it
    linked = [MARKET[0], item("对举办展销会的备案", "其他行政权力", dept="明川县市场监督管理局",
                              duties="负责计量工作，推行法定计量单位和国家计量制度。")]
    assert findings(linked, "R05b", duties=MARKET_DUTIES) == []


def test_R05_duties_are_one_governments():
    """A 三定 table of 明川县 says nothing of the 市场监督管理局 of another county."""
    other = [item("对发布虚假广告的处罚", dept="青石县市场监督管理局"),
             item("对举办展销会的备案", "其他行政权力", dept="青石县市场监督管理局")]
    assert len(findings(MARKET + other, "R05a", duties=MARKET_DUTIES)) == 1
    found = findings(MARKET + other, "R05b", duties=MARKET_DUTIES)
    assert [f.departments for f in found] == [["明川县市场监督管理局"]]


def test_R05_a_word_counts_wherever_the_duty_has_it():
    """jieba cuts 依法对托育机构 as 对托育|机构: 托育 is in the duty all the same."""
    from quanze.rules.textsim import containment, weigh

    X, terms = weigh(["托育机构", "依法对托育机构实施检查"])
    assert containment(X[:1], terms, ["依法对托育机构实施检查"])[0, 0] == pytest.approx(1.0)


def test_R05_the_wording_of_every_duty_serves_nothing():
    """负责……工作 is in every duty: 摄影工作室 is not served by it."""
    duties = _duties([(HEALTH, "卫生健康委员会", f"负责{matter}监督管理工作，查处违法行为。")
                      for matter in ("医疗机构", "托育机构", "职业卫生")])
    lists = [item("对医疗机构的监督检查", "行政检查", dept=HEALTH), item("托育机构备案", "其他行政权力", dept=HEALTH),
             item("用人单位职业卫生档案备案", "其他行政权力", dept=HEALTH),
             item("对摄影工作室的监督检查", "行政检查", dept=HEALTH)]
    assert subjects(findings(lists, "R05b", duties=duties)) == [{"对摄影工作室的监督检查"}]


def test_R05_a_departments_own_matter_outweighs_wording_all_departments_share():
    """食品生产企业 is the 市场监督管理局's matter; 法定代表人变更信息公示 is every department's wording."""
    depts = {"市场监督管理局": "食品生产企业", "生态环境局": "排污单位", "水利局": "取水单位", "交通运输局": "道路客运经营者"}
    lists = [item(f"{obj}法定代表人变更信息公示", "其他行政权力", dept=f"明川县{d}") for d, obj in depts.items()]
    # each department's matter is in many of its items: over the whole run no rarer than the shared wording
    acts = ["未建立进货查验台账", "伪造许可证件", "超范围经营", "未公开收费标准", "未组织隐患自查", "篡改监测数据"]
    lists += [item(f"对{obj}{act}的处罚", dept=f"明川县{d}") for d, obj in depts.items() for act in acts]
    duties = _duties([(f"明川县{d}", d, f"负责{obj}监督管理工作。") for d, obj in depts.items()])
    assert findings(lists, "R05b", duties=duties) == []


def test_R05_a_shared_phrase_serves_though_the_violation_is_long():
    """The duty names 殡仪服务机构 (a matter no sector of rules/data/duties.yaml names): an item about
    them serves it, however long the violation after the name; a phrase made of the wording every
    duty uses (监督管理) would not."""
    civil = "明川县民政局"
    duties = _duties([(civil, "民政局", "负责殡葬管理工作，依法对殡仪服务机构实施监督检查。")])
    lists = [item("对殡仪服务机构未按照规定将服务项目和收费标准在经营场所醒目位置公示且拒不改正的处罚", dept=civil),
             item("对殡仪服务机构的监督检查", "行政检查", dept=civil)]
    assert findings(lists, "R05b", duties=duties) == []
    assert subjects(findings(lists, "R05b", ["R05b.phrase=0"], duties=duties)) == [
        {"对殡仪服务机构未按照规定将服务项目和收费标准在经营场所醒目位置公示且拒不改正的处罚"}]


def test_R05_a_sector_serves_without_shared_words():
    """导游人员 is in the sector 文化旅游 that the duty governs: the item serves it without a shared phrase."""
    tourism = "明川县文化和旅游局"
    duties = _duties([(tourism, "文化和旅游局", "负责旅游市场监督管理工作，依法对旅行社、导游人员实施监督检查。")])
    lists = [item("对导游人员未按照规定佩戴电子导游证且拒不接受旅游主管部门询问的处罚", dept=tourism),
             item("对旅行社的监督检查", "行政检查", dept=tourism)]
    assert findings(lists, "R05b", ["R05b.phrase=0"], duties=duties) == []


def test_R06_licence_nobody_supervises():
    found = findings([
        item("医疗机构执业登记", "行政许可", dept="明川县卫生健康委员会", basis="【法规】《医疗机构管理条例》第十五条"),
        item("公共场所卫生许可", "行政许可", dept="明川县卫生健康委员会", basis="【法规】《公共场所卫生管理条例》第八条"),
        item("对公共场所卫生的监督检查", "行政检查", dept="明川县卫生健康委员会",
             basis="【法规】《公共场所卫生管理条例》第十条"),
    ], "R06")
    assert subjects(found) == [{"医疗机构执业登记"}]


def test_R06_supervision_by_another_department_counts():
    assert findings([
        item("食品经营许可", "行政许可", dept="明川县市场监督管理局"),
        item("对食品经营者的监督检查", "行政检查", dept="明川县农业农村局"),
    ], "R06") == []


HEALTH = "明川县卫生健康委员会"


def test_R07_missing_extra_and_misplaced_against_a_catalogue():
    lists = [item("医疗机构执业登记", "行政许可", dept=HEALTH), item("执业医师申请个体行医审批", "其他行政权力", dept=HEALTH),
             item("出生医学证明签发", "公共服务", dept=HEALTH), item("对发布虚假广告的处罚", dept="明川县市场监督管理局")]
    catalogue = [item("医疗机构执业登记", "行政许可", dept=HEALTH, file="目录.xlsx"),
                 item("执业医师申请个体行医审批", "行政许可", dept=HEALTH, file="目录.xlsx"),
                 item("母婴保健技术服务机构执业许可", "行政许可", dept=HEALTH, file="目录.xlsx")]
    found = findings(lists, "R07", catalogue=catalogue)
    kinds = {(f.evidence["kind"], (f.subjects[0]["name"] if f.subjects else f.evidence["reference_item"])) for f in found}
    # 市场监管 is not in the catalogue: its items are neither extra nor missing
    assert kinds == {("缺位", "母婴保健技术服务机构执业许可"), ("越位", "出生医学证明签发"),
                     ("错位", "执业医师申请个体行医审批")}
    missing = next(f for f in found if f.evidence["kind"] == "缺位")
    assert missing.sources[0]["file"] == "目录.xlsx" and missing.departments == [HEALTH]


def test_R07_needs_a_catalogue():
    from quanze.graph import build_graph
    from quanze.rules.engine import run

    result = run(build_graph([item("医疗机构执业登记", "行政许可", dept=HEALTH)]), selection=["R07"])
    assert result.runs[0].status == "skipped" and "通用目录（--catalogue" in result.runs[0].reason


def test_R08_no_legal_basis():
    found = findings([
        item("生态环境损害赔偿磋商", "其他行政权力", basis=""),
        item("耕地地力保护补贴发放", "行政给付", basis="【规范性文件】《财政部关于印发〈农业相关转移支付资金管理办法〉的通知》（财农〔2023〕11号）"),
        item("根据工作需要开展的检查", "行政检查", basis="根据上级工作要求"),
        item("对非法占用土地的处罚", basis=LAND_78),
    ], "R08")
    assert {n for s in subjects(found) for n in s} == {"生态环境损害赔偿磋商", "耕地地力保护补贴发放", "根据工作需要开展的检查"}


def test_R09_licence_on_a_departmental_rule_and_reserved_measures():
    found = findings([
        item("道路货物运输站经营审批", "行政许可", basis="【规章】《道路货物运输及站场管理规定》第二十五条"),
        item("道路旅客运输经营许可", "行政许可", basis="【法规】《中华人民共和国道路运输条例》第十条"),
        item("对无照经营吊销营业执照的处罚", basis="【地方性法规】《某省市场主体登记条例》第二十条"),
        item("冻结存款", "行政强制", basis="【法规】《某某条例》第五条"),
    ], "R09")
    by_name = {f.subjects[0]["name"]: f for f in found}
    assert set(by_name) == {"道路货物运输站经营审批", "对无照经营吊销营业执照的处罚", "冻结存款"}
    assert by_name["道路货物运输站经营审批"].evidence["highest"] == "部门规章"


def test_R10_near_duplicates_inside_one_department():
    ad = "【法律】《中华人民共和国广告法》第五十五条"
    found = findings([
        item("对发布虚假广告的处罚", dept="明川县市场监督管理局", basis=ad),
        item("对广告主发布虚假广告行为的处罚", dept="明川县市场监督管理局", basis=ad),
        item("对无照经营行为的处罚", dept="明川县市场监督管理局"),
    ], "R10")
    assert subjects(found) == [{"对发布虚假广告的处罚", "对广告主发布虚假广告行为的处罚"}]


def test_R10_sub_items_of_one_main_item_are_not_duplicates():
    assert findings([item("建筑业企业资质核准", "行政许可", sub="施工劳务企业资质备案"),
                     item("建筑业企业资质核准", "行政许可", sub="建筑业企业三级资质核准")], "R10") == []


def test_R11_cancelled_item_still_listed():
    cancelled = [item("道路货物运输站（场）经营许可", "行政许可", dept="国务院", file="取消目录.xlsx")]
    found = findings([item("道路货物运输站(场)经营许可", "行政许可", dept="明川县交通运输局"),
                      item("道路旅客运输经营许可", "行政许可", dept="明川县交通运输局")], "R11", cancelled=cancelled)
    assert subjects(found) == [{"道路货物运输站(场)经营许可"}]
    assert {s["file"] for s in found[0].sources} == {"测试清单.xlsx", "取消目录.xlsx"}


def test_R12_repealed_law_and_missing_article(mini_laws):
    from quanze.loaders import LawLibrary

    laws = LawLibrary(mini_laws)
    items = [item("对噪声超标的处罚", basis="【法律】《中华人民共和国环境噪声污染防治法》第五十六条"),
             item("对拒不执行停产停业整顿决定的处罚", basis="【法律】《中华人民共和国安全生产法》第一百二十二条"),
             item("对未设置安全生产管理机构的处罚", basis=SAFETY_97)]
    for it in items:
        for c in it.citations:
            laws.resolve(c)
    found = findings(items, "R12", laws=laws)
    assert {n for s in subjects(found) for n in s} == {"对噪声超标的处罚", "对拒不执行停产停业整顿决定的处罚"}


def test_R13_keyword_and_model_disagree_with_the_category():
    items = [item(f"对违反规定行为{n}的处罚") for n in range(10)] + \
            [item(f"第{n}类经营许可", "行政许可") for n in range(10)] + \
            [item("执业医师申请个体行医审批", "其他行政权力"), item("房屋建筑工程竣工验收备案", "其他行政权力")]
    found = findings(items, "R13")
    assert subjects(found) == [{"执业医师申请个体行医审批"}]
    assert found[0].evidence["suggested"] == "行政许可"


def test_R14_township_against_its_template():
    town = "明川县白沙乡人民政府"
    lists = [item("乡村建设规划许可证核发", "行政许可", dept=town, level="乡"),
             item("耕地地力保护补贴发放", "行政给付", dept=town, level="乡")]
    template = [item("乡村建设规划许可证核发", "行政许可", dept="明川县乡镇人民政府", level="乡", file="模板.xlsx"),
                item("对辖区内生产经营单位安全生产的监督检查", "行政检查", dept="明川县乡镇人民政府", level="乡", file="模板.xlsx"),
                item("对露天焚烧秸秆的处罚", dept="明川县乡镇人民政府", level="乡", remarks="赋权事项", file="模板.xlsx")]
    found = findings(lists, "R14", township=template)
    kinds = sorted((f.evidence["kind"], f.message) for f in found)
    assert [k for k, _ in kinds] == ["缺位", "越位"]
    assert "安全生产的监督检查" in kinds[0][1] and "耕地地力保护补贴发放" in kinds[1][1]


def test_R15_same_item_across_levels_with_another_category():
    found = findings([item("耕地地力保护补贴发放", "行政给付", dept="明川县农业农村局"),
                      item("耕地地力保护补贴发放", "其他行政权力", dept="明川县青石镇人民政府", level="乡")], "R15")
    assert len(found) == 1 and found[0].evidence["values"]["权力类别"] == ["其他行政权力", "行政给付"]
    assert findings([item("耕地地力保护补贴发放", "行政给付", dept="明川县农业农村局"),
                     item("耕地地力保护补贴发放", "行政给付", dept="明川县青石镇人民政府", level="乡")], "R15") == []


def test_R16_department_with_an_outlying_item_count():
    towns = {"青石镇": 9, "白沙乡": 3, "红岩镇": 3, "石门镇": 4, "柳河镇": 3}
    items = [item(f"事项{n}", dept=f"明川县{t}人民政府", level="乡") for t, k in towns.items() for n in range(k)]
    found = findings(items, "R16")
    assert [f.departments for f in found] == [["明川县青石镇人民政府"]]
    assert found[0].evidence["count"] == 9 and found[0].evidence["peer_median"] == 3
    assert findings(items[:9 + 3 + 3], "R16") == []  # fewer than four peers: no comparison


def test_R17_entrusted_without_naming_the_entrusting_body():
    found = findings([
        item("对露天焚烧秸秆的处罚", dept="明川县青石镇人民政府", level="乡", scope="受委托实施"),
        item("林草植物检疫证书核发", "行政许可", scope="受自治区林业和草原局委托实施"),
        item("对船舶管理业务经营者名义上接受委托的处罚", scope="负责本县"),
    ], "R17")
    assert subjects(found) == [{"对露天焚烧秸秆的处罚"}]


def test_R05_a_matter_another_departments_三定_holds_is_not_served_by_a_sector_duty():
    """民用爆炸物品 is 工业和信息化局's by its 三定: 商务局's reward for it is not served by 商务局's duty
    of 商贸流通行业安全生产, though 民爆 safety is 安全生产; and a 规定's own 有关职责分工 that gives 煤矿 to
    应急管理局 leaves 工信局's coal-mine inspection unserved by its 行业安全生产 duty."""
    commerce, industry = "明川县商务和投资促进局", "明川县工业和信息化局"
    duties = _duties([
        (commerce, "商务和投资促进局", "负责商贸流通行业安全生产管理工作，指导商贸企业落实安全生产主体责任。"),
        (commerce, "商务和投资促进局", "负责对外贸易管理工作，负责对外贸易经营者备案登记的有关工作。"),
        (industry, "工业和信息化局", "负责民用爆炸物品生产、销售的安全监督管理。"),
        (industry, "工业和信息化局", "负责工业和信息化领域行业安全生产管理工作。"),
        (industry, "工业和信息化局", "有关职责分工。县应急管理局负责煤矿和工矿商贸行业安全生产综合监督管理。"),
    ])
    duties["kind"] = ["duty"] * 4 + ["closing"]
    reward = item("对民用爆炸物品安全管理工作成绩显著的单位和个人的奖励", "行政奖励", dept=commerce,
                  basis="【法规】《民用爆炸物品安全管理条例》\n第八条")
    coal = item("对煤矿安全生产的监督检查", "行政检查", dept=industry, basis="【法律】《中华人民共和国煤炭法》\n第五十九条")
    lists = [reward, coal, item("对外贸易经营者备案登记", "其他行政权力", dept=commerce,
                                basis="【法律】《中华人民共和国对外贸易法》\n第九条"),
             item("对民用爆炸物品销售企业的监督检查", "行政检查", dept=industry,
                  basis="【法规】《民用爆炸物品安全管理条例》\n第四十四条")]
    found = findings(lists, "R05b", duties=duties)
    assert sorted(n for s in subjects(found) for n in s) == sorted([reward.name, coal.name])
    assert all("其他部门" in f.evidence["reason"] for f in found)
    # without 工信局's 三定 and its 分工, both are 安全生产 items their department's sector duty serves
    alone = duties[~duties["short_name"].eq("工业和信息化局")]
    assert subjects(findings(lists[:1] + lists[2:3], "R05b", duties=alone)) == []
