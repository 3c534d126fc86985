"""Read the rule catalogue (one YAML file per rule) and the reference tables.

A run may select rules (``R01,R03`` or a prefix such as ``R04``) and override a
rule's parameters (``R03.threshold=0.6``); everything else comes from the files,
so an analyst can read and tune a rule without touching Python.  Rule files and
settings are checked when they are read, against the primitives' parameter
schemas: a misspelt key or a threshold of ``abc`` is refused with the file, the
key and the expected type, never left to fail (or be ignored) while rules run.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import yaml

from quanze.rules.model import SEVERITIES, Rule

CATALOG_DIR = Path(__file__).with_name("catalog")
DATA_DIR = Path(__file__).with_name("data")
REQUIRED = ("id", "title", "severity", "check", "message", "advice")
KEYS = (*REQUIRED, "description", "answers", "needs", "applies_to", "partition")
# the unit a rule runs inside: a government's own rows, a territory (a county or city with its townships), a
# province, or every list loaded; the Dask engine runs a rule inside partitions of that key (what a rule reads
# beyond its unit, it is given as the whole run's shares: ``Primitive.shares``)
PARTITIONS = ("government", "territory", "province", "national")
APPLIES_TO = ("categories", "levels", "admin_levels", "where")


class CatalogueError(ValueError):
    """A rule file, a selection or an override that cannot be used."""


class SettingError(CatalogueError):
    """A run-time setting (``--set``, the API's ``settings``) that cannot be used: the caller's mistake."""


@functools.cache
def data_table(name: str) -> dict:
    """The parsed ``rules/data/<name>.yaml``."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def read_rule(path: Path) -> Rule:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise CatalogueError(f"规则文件 {path.name} 不是有效的 YAML：{e}") from e
    if not isinstance(doc, dict):
        raise CatalogueError(f"规则文件 {path.name} 应为一个映射（id、title、check……）")
    missing = [k for k in REQUIRED if not doc.get(k)]
    if missing:
        raise CatalogueError(f"规则文件 {path.name} 缺少字段：{'、'.join(missing)}")
    unknown = [k for k in doc if k not in KEYS]
    if unknown:
        raise CatalogueError(f"规则文件 {path.name} 有不认识的字段：{'、'.join(map(str, unknown))}；"
                             f"可用字段：{'、'.join(KEYS)}")
    if doc["severity"] not in SEVERITIES:
        raise CatalogueError(f"规则 {doc['id']} 的 severity 应为 红/黄/蓝 之一，而不是 {doc['severity']!r}")
    if not isinstance(doc["check"], dict):
        raise CatalogueError(f"规则文件 {path.name} 的 check 应为一个映射（primitive 及其参数）")
    check = dict(doc["check"])
    primitive = check.pop("primitive", None)
    if not primitive:
        raise CatalogueError(f"规则 {doc['id']} 的 check 未指明 primitive")
    from quanze.rules.primitives import REGISTRY

    if primitive not in REGISTRY:
        raise CatalogueError(f"规则文件 {path.name} 的 check.primitive {primitive!r} 不是已有的检查方法；"
                             f"可用：{'、'.join(sorted(REGISTRY))}")
    _check_applies_to(doc.get("applies_to") or {}, path.name)
    partition = doc.get("partition", "national")
    if partition not in PARTITIONS:
        raise CatalogueError(f"规则文件 {path.name} 的 partition 应为 {'、'.join(PARTITIONS)} 之一"
                             f"（规则比较的范围：本级政府、地域、省或全国），而不是 {partition!r}")
    _check_needs(doc.get("needs") or [], path.name)
    for name, value in check.items():
        check_param(str(primitive), name, value, f"规则文件 {path.name} 的 check")
    advice = doc["advice"]
    return Rule(
        id=str(doc["id"]), title=doc["title"], severity=doc["severity"], check=primitive, params=check,
        message=doc["message"], advice=[advice] if isinstance(advice, str) else list(advice),
        description=doc.get("description", "").strip(), applies_to=doc.get("applies_to") or {},
        needs=list(doc.get("needs") or []), answers=list(doc.get("answers") or []), path=str(path),
        partition=str(partition), declared_partition="partition" in doc)


@functools.cache
def _catalogue(directory: str) -> tuple[Rule, ...]:
    rules = [read_rule(p) for p in sorted(Path(directory).glob("*.yaml"))]
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise CatalogueError(f"规则编号 {r.id} 重复")
        seen.add(r.id)
    return tuple(rules)


def load_catalogue(directory: Path = CATALOG_DIR) -> list[Rule]:
    """All rules, in id order; each call returns fresh copies safe to modify."""
    return [copy.deepcopy(r) for r in _catalogue(str(directory))]


def select(rules: list[Rule], selection: str | list[str] | None) -> list[Rule]:
    """Rules whose id equals or starts with one of the comma-separated ids."""
    if not selection:
        return rules
    wanted = [s.strip() for s in (selection.split(",") if isinstance(selection, str) else selection) if s.strip()]
    chosen = [r for r in rules if any(r.id == w or r.id.startswith(w) for w in wanted)]
    unknown = [w for w in wanted if not any(r.id == w or r.id.startswith(w) for r in rules)]
    if unknown:
        raise CatalogueError(f"没有这些规则：{'、'.join(unknown)}；现有规则：{'、'.join(r.id for r in rules)}")
    return chosen


def check_param(primitive: str, name: str, value, where: str) -> None:
    """Refuse a parameter its primitive does not declare, or a value outside its declared type and range."""
    from quanze.rules.primitives import REGISTRY

    if primitive not in REGISTRY:
        raise CatalogueError(f"{where}：没有检查方法 {primitive!r}；可用：{'、'.join(sorted(REGISTRY))}")
    schema = REGISTRY[primitive].schema
    if name not in schema:
        raise CatalogueError(f"{where}：检查方法 {primitive} 没有参数 {name}；可设参数：{'、'.join(schema)}")
    why = schema[name].problem(value)
    if why:
        raise CatalogueError(f"{where}：参数 {name} 应为{schema[name].expected()}，而不是 {value!r}（{why}）")


def _check_applies_to(applies_to, file: str) -> None:
    from quanze.rules.conditions import problems
    from quanze.tables import ITEM_COLUMNS

    if not isinstance(applies_to, dict):
        raise CatalogueError(f"规则文件 {file} 的 applies_to 应为一个映射（{'、'.join(APPLIES_TO)}）")
    unknown = [k for k in applies_to if k not in APPLIES_TO]
    if unknown:
        raise CatalogueError(f"规则文件 {file} 的 applies_to 有不认识的字段：{'、'.join(map(str, unknown))}；"
                             f"可用字段：{'、'.join(APPLIES_TO)}")
    for key in APPLIES_TO[:3]:
        value = applies_to.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogueError(f"规则文件 {file} 的 applies_to.{key} 应为文字的列表，而不是 {value!r}")
    why = problems(applies_to.get("where") or [], ITEM_COLUMNS)
    if why:
        raise CatalogueError(f"规则文件 {file} 的 applies_to.where 有误：{why}")


def _check_needs(needs, file: str) -> None:
    from quanze.rules.engine import INPUT_LABELS

    bad = [n for n in needs if n not in INPUT_LABELS] if isinstance(needs, list) else [needs]
    if bad:
        raise CatalogueError(f"规则文件 {file} 的 needs 有不认识的输入：{'、'.join(map(str, bad))}；"
                             f"可用：{'、'.join(INPUT_LABELS)}")


def override(rules: list[Rule], settings: list[str] | dict | None, defaults: dict[str, dict] | None = None) -> None:
    """Apply ``rule.param=value`` settings in place; a prefix (``R01``) sets every matching rule.

    Every value is checked against the rule's primitive's schema (``check_param``) before
    any is applied, so a bad setting refuses the whole run.  ``defaults`` is accepted for
    older callers; the schemas decide.
    """
    if not settings:
        return
    pairs = list(settings.items() if isinstance(settings, dict) else (_split(s) for s in settings))
    planned = []
    for target, value in pairs:
        rule_id, _, param = target.rpartition(".")
        matched = [r for r in rules if r.id == rule_id or r.id.startswith(rule_id)] if rule_id else []
        if not matched:
            raise SettingError(f"参数设置 {target} 未对应任何已选规则")
        for r in matched:
            try:
                check_param(r.check, param, value, f"参数设置 {target}（规则 {r.id}）")
            except CatalogueError as e:
                raise SettingError(str(e)) from None
            planned.append((r, param, value))
    for r, param, value in planned:
        r.params[param] = value


def _split(setting: str) -> tuple[str, object]:
    target, sep, raw = setting.partition("=")
    if not sep:
        raise SettingError(f"参数设置应写作 规则.参数=值，例如 R03.threshold=0.6，而不是 {setting!r}")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return target.strip(), value
