"""The catalogue as a whole: every rule file is valid, tested and documented; the engine
selects, overrides, survives a broken rule and gives stable fingerprints."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from rulekit import findings, item

from quanze.graph import build_graph
from quanze.rules.catalogue import PARTITIONS, CatalogueError, load_catalogue, read_rule, select
from quanze.rules.conditions import mask
from quanze.rules.engine import INPUT_LABELS, run, scope_conditions
from quanze.rules.model import SEVERITIES
from quanze.rules.primitives import REGISTRY, TYPES, Param
from quanze.tables import ITEM_COLUMNS

TESTS = Path(__file__).parent
DOCS = TESTS.parent / "docs" / "rules.md"
RULES = load_catalogue()


def _test_names() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py"))


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_file_is_valid(rule):
    assert re.fullmatch(r"R\d{2}[a-z]?", rule.id), "ids start with the catalogue number (docs/rules.md)"
    assert Path(rule.path).stem == rule.id
    assert rule.severity in SEVERITIES and rule.title and rule.description and rule.advice and rule.answers
    primitive = REGISTRY[rule.check]
    unknown = set(rule.params) - set(primitive.schema)
    assert not unknown, f"{rule.id}: parameters the primitive does not declare: {unknown}"
    for name, value in rule.params.items():
        assert primitive.schema[name].problem(value) is None, f"{rule.id}.{name}={value!r} is not of its declared type"
    assert set(rule.needs) <= set(INPUT_LABELS)
    assert set(rule.applies_to) <= {"categories", "levels", "admin_levels", "where"}
    mask(pd.DataFrame(columns=ITEM_COLUMNS), scope_conditions(rule.applies_to))  # fields exist, operators valid


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_a_test(rule):
    assert re.search(rf"def test_{rule.id}_", _test_names()), f"no test named test_{rule.id}_… for rule {rule.id}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_declares_its_partition(rule):
    assert rule.declared_partition, f"{rule.id} declares no partition: (government | territory | province | national)"
    assert rule.partition in PARTITIONS


def test_a_partition_outside_the_keys_is_refused_with_the_file_name(tmp_path):
    path = tmp_path / "R96.yaml"
    path.write_text(yaml.safe_dump({"id": "R96", "title": "范围有误", "severity": "蓝", "message": "x", "advice": "无",
                                    "partition": "city", "check": {"primitive": "predicate", "where": []}},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="R96.yaml 的 partition 应为"):
        read_rule(path)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented_with_an_example(rule):
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"\n## {rule.id}\n", 1)
    assert len(section) == 2, f"docs/rules.md has no section for {rule.id}: run quanze rules --write-docs"
    body = section[1].split("\n## ", 1)[0]
    assert rule.title in body and f"`{rule.check}`" in body
    assert all(f"{k}: {v}" in body for k, v in rule.params.items()), f"docs for {rule.id} are out of date"
    assert "示例（明川县）" in body or "示例（三省示例）" in body, f"{rule.id} has no example finding on a bundled example"
    assert f"比较范围（partition）：{rule.partition}（" in body, f"docs for {rule.id} do not show its partition"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_parameter_has_a_declared_type_range_and_meaning(name):
    primitive = REGISTRY[name]
    assert set(primitive.defaults) == set(primitive.schema), f"{name}: a parameter without a declared type"
    engine_doc = (TESTS.parent / "docs" / "engine.md").read_text(encoding="utf-8")
    for param, spec in primitive.schema.items():
        assert isinstance(spec, Param) and spec.type in TYPES, f"{name}.{param} has no declared type"
        assert re.search(r"[\u4e00-\u9fff]", spec.meaning), f"{name}.{param} has no meaning in Chinese"
        assert spec.problem(spec.default) is None, f"{name}.{param}: the default is not of the declared type"
        assert f"| `{name}` | `{param}` | {spec.expected()} |" in engine_doc, \
            f"docs/engine.md does not document {name}.{param}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_primitive_is_used_by_a_rule_or_tested(name):
    used = {r.check for r in RULES}
    assert name in used or re.search(rf"def test_primitive_{name}_", _test_names())


def test_primitive_sparql_finds_items_by_query():
    from quanze.rules.model import Rule

    query = """SELECT ?item ?name WHERE { ?item a qz:PowerItem ; qz:name ?name . FILTER(CONTAINS(?name, "许可")) }"""
    rule = Rule(id="R90", title="名称含许可", severity="蓝", check="sparql", params={"query": query},
                message="{names}", advice=["核对"])
    items = [item("食品经营许可", "行政许可"), item("对某行为的处罚")]
    result = run(build_graph(items), rules=[rule])
    assert [f.subjects[0]["name"] for f in result.findings] == ["食品经营许可"]
    assert result.findings[0].evidence["name"] == "食品经营许可"


def test_selection_by_prefix_and_unknown_rules():
    assert [r.id for r in select(RULES, "R01,R12")] == ["R01a", "R01b", "R12"]
    with pytest.raises(CatalogueError, match="没有这些规则：R99"):
        select(RULES, "R99")


def test_override_is_typed_and_checked():
    items = [item("对发布虚假广告的处罚", dept="明川县市场监督管理局"),
             item("对广告主发布虚假广告行为的处罚", dept="明川县市场监督管理局")]
    assert findings(items, "R10", settings=["R10.threshold=0.99"]) == []
    assert len(findings(items, "R10", settings=["R10.threshold=0.5"])) == 1
    with pytest.raises(CatalogueError, match="没有参数 treshold"):
        run(build_graph(items), selection="R10", settings=["R10.treshold=0.5"])
    with pytest.raises(CatalogueError, match="规则.参数=值"):
        run(build_graph(items), selection="R10", settings=["R10threshold"])


def test_a_broken_rule_is_reported_and_the_others_run(tmp_path):
    bad = tmp_path / "R98.yaml"
    bad.write_text(yaml.safe_dump({"id": "R98", "title": "坏规则", "severity": "蓝", "message": "x", "advice": "无",
                                   "check": {"primitive": "predicate", "where": [{"field": "name", "matches": "(("}]}},
                                  allow_unicode=True), encoding="utf-8")
    rules = [read_rule(bad), *select(load_catalogue(), "R04b")]
    result = run(build_graph([item("对某行为的处罚", acc="")]), rules=rules)
    status = {r.rule.id: (r.status, r.reason) for r in result.runs}
    assert status["R98"][0] == "error" and "正则表达式有误" in status["R98"][1]
    assert status["R04b"] == ("ok", "") and [f.rule for f in result.findings] == ["R04b"]


def test_invalid_rule_files_are_refused_with_the_file_name(tmp_path):
    path = tmp_path / "R97.yaml"
    path.write_text("id: R97\ntitle: 缺字段\nseverity: 紫\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="R97.yaml 缺少字段"):
        read_rule(path)


def test_fingerprints_survive_reloading_and_ignore_unrelated_edits(example):
    from quanze.loaders import load_files
    from conftest import EXAMPLE

    first = {f.fingerprint for f in run(build_graph(example.items)).findings}
    again = {f.fingerprint for f in run(build_graph(load_files([EXAMPLE]).items)).findings}
    assert first == again and len(first) > 20
    edited = list(example.items)
    edited[0] = item("一个新事项", "行政确认", dept="明川县市场监督管理局")
    changed = {f.fingerprint for f in run(build_graph(edited)).findings}
    assert len(first - changed) <= 3  # only findings about the replaced item can go
