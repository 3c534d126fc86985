"""Department lineage (2018 reform built in, local events as YAML) and the rules R18–R20."""

import pytest

from rulekit import findings, item, subjects

from quanze.pipeline import EXAMPLES, analyze
from quanze.loaders.lineage import builtin_lineage, lineage_with, read_lineage
from quanze.loaders.yamlfile import InputFileError

LIANGSHAN = EXAMPLES / "lineage" / "liangshan.yaml"


def test_builtin_2018_lineage_follows_merges():
    lin = builtin_lineage()
    assert lin.successors("工商行政管理局") == ["市场监督管理局"]
    assert lin.successors("安全生产监督管理局") == ["应急管理局"]
    assert lin.ended_body_in("明川县食品药品监督管理局") == "食品药品监督管理局"
    assert lin.ended_body_in("明川县市场监督管理局") is None
    # the successor's name contains the ended body's: 文化和旅游局 ⊃ 旅游局
    assert lin.ended_body_in("华寨县文化和旅游局") is None
    assert lin.ended_body_in("华寨县旅游局") == "旅游局"
    assert lin.holds("工业和信息化局", "经济和信息化委员会")  # 经信委 became 工信局 in the department table


def test_local_events_chain_onto_the_builtin_ones():
    lin = lineage_with(LIANGSHAN)
    coal = next(e for e in lin.events if e.id == "凉山-煤矿安全监管")
    assert [h for t in coal.targets for h in lin.successors(t)] == ["应急管理局"]


def test_R18_items_of_a_body_that_no_longer_exists():
    found = findings([item("食品安全信用档案管理", "其他行政权力", dept="明川县食品药品监督管理局"),
                      item("食品经营许可", "行政许可", dept="明川县市场监督管理局")], "R18")
    assert subjects(found) == [{"食品安全信用档案管理"}] and found[0].evidence["successors"] == ["市场监督管理局"]


def test_R19_function_moved_but_item_stayed():
    found = findings([item("对煤矿安全生产的监督检查", "行政检查", dept="明川县经济和信息化委员会"),
                      item("对企业技术改造投资项目的备案", "其他行政权力", dept="明川县经济和信息化委员会"),
                      item("对煤矿安全生产的监督检查", "行政检查", dept="明川县应急管理局")],
                     "R19", lineage=lineage_with(LIANGSHAN))
    assert [f.departments for f in found] == [["明川县工业和信息化局"]]  # 经信委 is 工信局 in the department table
    assert found[0].evidence["successors"] == ["应急管理局"]


def test_R20_basis_naming_a_pre_reform_body():
    found = findings([item("对无照经营行为的处罚", dept="明川县市场监督管理局",
                           basis="【法规】《无证无照经营查处办法》\n第十三条：从事无照经营的，由工商行政管理部门依照相关法律、行政法规的规定予以处罚。"),
                      item("对非法占用土地的处罚", dept="明川县自然资源局",
                           basis="【法律】《中华人民共和国土地管理法》\n第七十七条：由县级以上人民政府自然资源主管部门责令退还。")],
                     "R20")
    assert subjects(found) == [{"对无照经营行为的处罚"}] and found[0].evidence["phrase"] == "工商行政管理部门"


def test_liangshan_cases_on_the_example():
    done = analyze([EXAMPLES / "mingchuan"], lineage=[LIANGSHAN], selection="R18,R19")
    by_rule = {}
    for f in done.result.findings:
        by_rule.setdefault(f.rule, set()).add((f.subjects[0]["name"], f.departments[0], tuple(f.evidence["successors"])))
    assert by_rule["R19"] == {
        ("对煤矿安全生产的监督检查", "明川县工业和信息化局", ("应急管理局",)),
        ("对民用爆炸物品安全管理工作成绩显著的单位和个人的奖励", "明川县商务和投资促进局", ("经济和信息化委员会",)),
    }
    assert by_rule["R18"] == {("对食品生产经营者的食品安全信用档案管理", "明川县食品药品监督管理局", ("市场监督管理局",))}


def test_a_cycle_of_merges_is_refused_with_its_lines(tmp_path):
    path = tmp_path / "cycle.yaml"
    path.write_text("events:\n  - {type: merge, from: 甲局, to: 乙局}\n  - {type: merge, from: 乙局, to: 甲局}\n",
                    encoding="utf-8")
    with pytest.raises(InputFileError, match="机构沿革成环") as e:
        lineage_with(path)
    assert "第2行" in str(e.value) and "第3行" in str(e.value)


def test_mistakes_in_a_lineage_file_name_their_lines(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("events:\n  - {type: merge, from: 甲局}\n  - {type: absorb, from: 乙局, to: 丙局}\n"
                    "  - {type: move_function, from: 丁局, to: 戊局}\n", encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        read_lineage(path)
    text = str(e.value)
    assert "第2行：事件须有 from 和 to" in text and "第3行：type 应为" in text and "第4行：move_function 须用 scope" in text
