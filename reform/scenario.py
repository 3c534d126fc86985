"""A transfer scenario as planners write it (YAML), checked against the loaded lists.

    name: 设立行政审批局
    create: [{name: 行政审批局}]
    dissolve: []
    packages:
      - name: 行政许可划转
        select: {categories: [行政许可]}      # departments, categories, keywords, provisions, items
        to: 行政审批局                          # a created body, an existing department, or 乡镇
        mode: 划转                              # 划转 / 委托 / 交由 / 派驻
        follow: [{categories: [行政检查, 行政强制], via: provision}]
        reserve: [吊销, 责令停产停业]           # name keywords that stay at the origin
        keep_at_origin: [事后监管]              # responsibility stages that stay at the origin

Every problem in the file is reported with its line before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quanze.loaders.citations import parse_basis
from quanze.loaders.departments import resolve_department
from quanze.loaders.yamlfile import InputFileError, key_line, line, read_yaml

MODES = ("划转", "委托", "交由", "派驻")
SELECT_KEYS = ("departments", "categories", "keywords", "provisions", "items")
TOWNSHIPS = "乡镇"


@dataclass
class Package:
    name: str
    select: dict
    to: str
    mode: str = "划转"
    follow: list[dict] = field(default_factory=list)
    reserve: list[str] = field(default_factory=list)
    keep_at_origin: list[str] = field(default_factory=list)
    line: str = ""

    @property
    def provisions(self) -> set[str]:
        return {c.provision_key.split(".")[0] for p in self.select.get("provisions", []) for c in parse_basis(p)}


@dataclass
class TransferScenario:
    name: str
    packages: list[Package]
    create: list[str] = field(default_factory=list)
    dissolve: list[str] = field(default_factory=list)
    description: str = ""
    path: str = ""


def read_scenario(path: str | Path) -> TransferScenario:
    """Parse a scenario file; raises InputFileError listing every problem with its line."""
    doc = read_yaml(path)
    problems: list[str] = []
    create = [_name(b) for b in doc.get("create") or []]
    dissolve = [_name(b) for b in doc.get("dissolve") or []]
    for body in sorted(set(create) & set(dissolve)):
        problems.append(f"{key_line(path, 'dissolve')}：机构“{body}”既在 create（{key_line(path, 'create')}）中新设，"
                        f"又在 dissolve 中撤销")
    packages = []
    for n, spec in enumerate(doc.get("packages") or [], 1):
        if not isinstance(spec, dict):
            problems.append(f"第{n}个划转包应为映射（name、select、to……）")
            continue
        where = f"{line(spec)}（{spec.get('name') or f'第{n}个划转包'}）"
        select = {k: _list(v) for k, v in (spec.get("select") or {}).items() if k != "__line__"}
        if not select:
            problems.append(f"{where}：缺少 select（departments、categories、keywords、provisions、items）")
        if set(select) - set(SELECT_KEYS):
            problems.append(f"{where}：select 只能含 {'、'.join(SELECT_KEYS)}，而不是 "
                            f"{'、'.join(sorted(set(select) - set(SELECT_KEYS)))}")
        if not spec.get("to"):
            problems.append(f"{where}：缺少 to（承接机构）")
        mode = spec.get("mode", "划转")
        if mode not in MODES:
            problems.append(f"{where}：mode 应为 {'、'.join(MODES)} 之一，而不是 {mode!r}")
        if spec.get("to") in dissolve:
            problems.append(f"{where}：承接机构“{spec.get('to')}”在 dissolve 中被撤销")
        follow = [{k: v for k, v in f.items() if k != "__line__"} for f in spec.get("follow") or []]
        packages.append(Package(str(spec.get("name") or f"划转包{n}"), select, str(spec.get("to") or ""), mode,
                                follow, _list(spec.get("reserve")), _list(spec.get("keep_at_origin")), where))
    if not packages:
        problems.append("没有任何划转包（packages）")
    if problems:
        raise InputFileError(path, problems)
    return TransferScenario(str(doc.get("name") or Path(path).stem), packages, create, dissolve,
                            str(doc.get("description") or ""), str(path))


def check_against(scenario: TransferScenario, short_names: set[str], matches) -> None:
    """Problems only the loaded lists can reveal: unknown departments, selectors matching nothing."""
    problems = []
    known = short_names | set(scenario.create) | {TOWNSHIPS}
    for pkg in scenario.packages:
        for dept in pkg.select.get("departments", []):
            if department_key(dept) not in short_names:
                problems.append(f"{pkg.line}：select 中的部门“{dept}”不在载入的清单中")
        if not matches(pkg):
            problems.append(f"{pkg.line}：select 没有选中任何事项")
        if department_key(pkg.to) not in known and pkg.to not in known:
            problems.append(f"{pkg.line}：承接机构“{pkg.to}”既不是新设机构，也不在载入的清单中")
    for body in scenario.dissolve:
        if department_key(body) not in short_names:
            problems.append(f"{key_line(scenario.path, 'dissolve')}：dissolve 中的部门“{body}”不在载入的清单中")
    if problems:
        raise InputFileError(scenario.path, problems)


def department_key(name: str) -> str:
    """A department as the scenario names it (住建局, 明川县住房和城乡建设局) → canonical short name."""
    resolved = resolve_department(name)
    return resolved.short_name if resolved else name


def _name(body) -> str:
    return str(body.get("name") if isinstance(body, dict) else body)


def _list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
