"""Transfer scenarios: exact results on the bundled example, the approval bureau on the real
lists, purity, and refused scenario files."""

import json

import pytest

from conftest import EXAMPLE

from quanze.pipeline import EXAMPLES
from quanze.api.cli import main
from quanze.graph import build_graph
from quanze.loaders import load_files
from quanze.loaders.yamlfile import InputFileError
from quanze.reform import read_scenario, simulate

SCENARIOS = EXAMPLES / "scenarios"


@pytest.fixture(scope="module")
def graph():
    return build_graph(load_files([EXAMPLE]).items)


@pytest.fixture(scope="module")
def bureau(graph):
    return simulate(graph, read_scenario(SCENARIOS / "approval-bureau.yaml"))


def names(entries):
    return sorted(e["name"] for e in entries)


def test_approval_bureau_moves_every_licence_and_splits_supervision(bureau, graph):
    licences = sorted(it.title for it in graph.items() if it.category == "行政许可")
    assert names(bureau.outputs["moved"]) == licences and len(licences) == 26
    assert {e["to"] for e in bureau.outputs["moved"] if e["from"].startswith("明川县") and "镇" not in e["from"]
            and "乡" not in e["from"]} == {"明川县行政审批局"}
    assert names(bureau.outputs["split"]) == licences
    assert all(e["kept"] == ["事后监管"] for e in bureau.outputs["split"])
    kept = [it for it in bureau.after.records() if it.name.endswith("事项的事中事后监管检查")]
    assert len(kept) == 26 and {it.department for it in kept} == {e["from"] for e in bureau.outputs["moved"]}


def test_approval_bureau_left_behind_and_gaps(bureau):
    assert [(e["name"], e["why"][:9]) for e in bureau.outputs["left_behind"]] == [("仅销售预包装食品备案", "与已划转的“食品经")]
    assert sorted((e["kind"], e["name"]) for e in bureau.outputs["gaps"]) == [
        ("无责任事项", "公路超限运输许可"), ("监管空白", "医疗机构执业登记")]
    assert names(bureau.outputs["basis_conflicts"]) == [
        "建设项目环境影响报告书(表)审批", "道路旅客运输经营许可", "道路货物运输站(场)经营备案审批"]
    assert bureau.counts["after"]["totals"]["明川县行政审批局"] == 22


def test_approval_bureau_new_overlaps_and_findings_change(bureau):
    rules = {o["rule"] for o in bureau.outputs["new_overlaps"]}
    assert "R10" in rules  # the two 乡村建设规划许可证核发 now sit in one bureau
    assert "R03" in bureau.findings_change["removed"] and "R06" in bureau.findings_change["removed"]


def test_township_delegation_keeps_major_penalties_at_county(graph):
    result = simulate(graph, read_scenario(SCENARIOS / "township-delegation.yaml"))
    towns = {"明川县青石镇人民政府", "明川县白沙乡人民政府", "明川县红岩镇人民政府", "明川县石门镇人民政府"}
    moved = {(e["name"], e["to"]) for e in result.outputs["moved"]}
    penalties = {"对非法占用土地的处罚", "对农村村民非法占用土地建住宅的处罚", "对未取得建设工程规划许可证进行建设的处罚",
                 "对未取得施工许可证擅自施工的处罚", "对建设单位将建设工程发包给不具有相应资质等级的勘察、设计、施工单位的处罚"}
    assert moved == {(p, t) for p in penalties for t in towns}
    assert names(result.outputs["reserved"]) == ["吊销建筑施工企业安全生产许可证"]
    assert {(e["kind"], e["name"]) for e in result.outputs["gaps"]} == {("缺相关检查强制", p) for p in penalties}
    assert names(result.outputs["split"]) == [] and names(result.outputs["left_behind"]) == []


def test_simulation_leaves_the_base_graph_alone(graph):
    before = [(it.id, it.department, len(it.responsibilities)) for it in graph.items()]
    nodes = len(graph)
    simulate(graph, read_scenario(SCENARIOS / "approval-bureau.yaml"), catalogue=False)
    assert [(it.id, it.department, len(it.responsibilities)) for it in graph.items()] == before and len(graph) == nodes


def _scenario(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scenario_mistakes_name_their_lines_and_nothing_runs(tmp_path, graph):
    path = _scenario(tmp_path, "name: 错\ncreate: [甲局]\ndissolve: [甲局]\npackages:\n"
                               "  - name: 包一\n    select: {kinds: [x]}\n    to: 甲局\n    mode: 接管\n")
    with pytest.raises(InputFileError) as e:
        read_scenario(path)
    text = str(e.value)
    assert "第3行：机构“甲局”既在 create（第2行）中新设，又在 dissolve 中撤销" in text
    assert "第5行（包一）：select 只能含" in text
    assert "第5行（包一）：mode 应为" in text


def test_selectors_are_checked_against_the_lists(tmp_path, graph):
    path = _scenario(tmp_path, "name: 空\ncreate: [行政审批局]\npackages:\n"
                               "  - name: 包一\n    select: {departments: [民政局], categories: [行政许可]}\n"
                               "    to: 行政审批局\n  - name: 包二\n    select: {keywords: [不存在的事项]}\n    to: 行政审批局\n")
    with pytest.raises(InputFileError) as e:
        simulate(graph, read_scenario(path))
    text = str(e.value)
    assert "第4行（包一）：select 中的部门“民政局”不在载入的清单中" in text
    assert "第7行（包二）：select 没有选中任何事项" in text


def test_simulate_command_writes_json_and_excel(tmp_path):
    out_json, out_xlsx = tmp_path / "result.json", tmp_path / "result.xlsx"
    assert main(["simulate", "--scenario", str(SCENARIOS / "approval-bureau.yaml"), str(EXAMPLE),
                 "--out", str(out_json), "--out", str(out_xlsx)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    for key in ("moved", "split", "left_behind", "must_rehome", "basis_conflicts", "retained_supervision", "gaps",
                "new_overlaps", "counts", "findings_change"):
        assert key in data
    assert {"id", "name", "from", "to"} <= set(data["moved"][0])
    assert set(data["counts"]) == {"before", "after"} and set(data["findings_change"]) == {"added", "removed"}
    import openpyxl
    wb = openpyxl.load_workbook(out_xlsx)
    assert wb.sheetnames[:2] == ["汇总", "划转事项"] and "清单 明川县行政审批局" in wb.sheetnames
    assert wb["清单 明川县行政审批局"]["A2"].value == "序号"


def test_a_bad_scenario_stops_the_command_before_any_output(tmp_path):
    path = _scenario(tmp_path, "packages:\n  - name: 包\n    select: {categories: [行政许可]}\n")
    with pytest.raises(SystemExit, match="缺少 to"):
        main(["simulate", "--scenario", str(path), str(EXAMPLE), "--out", str(tmp_path / "r.json")])
    assert not (tmp_path / "r.json").exists()


def test_approval_bureau_on_the_real_lists(klmy):
    from collections import Counter

    graph = build_graph(klmy.items)
    result = simulate(graph, read_scenario(SCENARIOS / "approval-bureau.yaml"), catalogue=False)
    loaded = Counter(it.department for it in klmy.items if it.category == "行政许可")
    assert Counter(e["from"] for e in result.outputs["moved"]) == loaded
    kept = Counter(it.department for it in result.after.records() if it.name.endswith("事项的事中事后监管检查"))
    assert kept == loaded  # one supervision responsibility kept per moved licence, at its origin
    # gaps: licences whose origin has no inspection/penalty on the same object and no 事后监管 responsibility
    covered = {e["id"] for e in result.outputs["retained_supervision"]}
    gaps = {e["id"] for e in result.outputs["gaps"] if e["kind"] == "监管空白"}
    moved_licences = {e["id"] for e in result.outputs["moved"]}
    assert gaps | covered == moved_licences and not gaps & covered
    by_id = {it.id: it for it in klmy.items}
    assert all(not any(r.stage == "事后监管" for r in by_id[i].responsibilities) for i in gaps)


def test_a_given_before_run_gives_the_same_change_as_running_it_again(graph, bureau):
    from quanze.rules.engine import run

    again = simulate(graph.tables, read_scenario(SCENARIOS / "approval-bureau.yaml"), before=run(graph.tables))
    assert again.findings_change == bureau.findings_change and again.outputs == bureau.outputs


def test_local_rules_run_again_only_on_the_changed_items(bureau):
    from quanze.reform.simulate import _after_run
    from quanze.rules.engine import run

    before = run(bureau.before)
    changed = set(bureau.after.items["id"]) - set(bureau.before.items["id"]) | {e["id"] for e in bureau.outputs["moved"]}
    partial = {f.fingerprint: f.to_dict() for f in _after_run(bureau.after, None, None, changed, before)}
    full = {f.fingerprint: f.to_dict() for f in run(bureau.after).findings}
    assert partial == full and len(full) > 20
