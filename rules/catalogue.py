"""Read the rule catalogue (one YAML file per rule) and the reference tables.

A run may select rules (``R01,R03`` or a prefix such as ``R04``) and override a
rule's parameters (``R03.threshold=0.6``); everything else comes from the files,
so an analyst can read and tune a rule without touching Python.
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


class CatalogueError(ValueError):
    """A rule file, a selection or an override that cannot be used."""


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
    if doc["severity"] not in SEVERITIES:
        raise CatalogueError(f"规则 {doc['id']} 的 severity 应为 红/黄/蓝 之一，而不是 {doc['severity']!r}")
    check = dict(doc["check"])
    primitive = check.pop("primitive", None)
    if not primitive:
        raise CatalogueError(f"规则 {doc['id']} 的 check 未指明 primitive")
    advice = doc["advice"]
    return Rule(
        id=str(doc["id"]), title=doc["title"], severity=doc["severity"], check=primitive, params=check,
        message=doc["message"], advice=[advice] if isinstance(advice, str) else list(advice),
        description=doc.get("description", "").strip(), applies_to=doc.get("applies_to") or {},
        needs=list(doc.get("needs") or []), answers=list(doc.get("answers") or []), path=str(path))


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


def override(rules: list[Rule], settings: list[str] | dict | None, defaults: dict[str, dict]) -> None:
    """Apply ``rule.param=value`` settings in place; a prefix (``R01``) sets every matching rule.

    ``defaults`` maps a primitive name to its parameters, so only known
    parameters can be set.
    """
    if not settings:
        return
    pairs = settings.items() if isinstance(settings, dict) else (_split(s) for s in settings)
    for target, value in pairs:
        rule_id, _, param = target.rpartition(".")
        matched = [r for r in rules if r.id == rule_id or r.id.startswith(rule_id)] if rule_id else []
        if not matched:
            raise CatalogueError(f"参数设置 {target} 未对应任何已选规则")
        for r in matched:
            known = set(defaults.get(r.check, {})) | set(r.params)
            if param not in known:
                raise CatalogueError(f"规则 {r.id} 没有参数 {param}；可设参数：{'、'.join(sorted(known))}")
            r.params[param] = value


def _split(setting: str) -> tuple[str, object]:
    target, sep, raw = setting.partition("=")
    if not sep:
        raise CatalogueError(f"参数设置应写作 规则.参数=值，例如 R03.threshold=0.6，而不是 {setting!r}")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return target.strip(), value
