"""A dataset's department aliases: names an analyst corrects or merges (市级农业农村局 → 克拉玛依市农业农村局).

Kept per dataset in the store and applied to its tables whenever they are read, so every page,
check and simulation sees the corrected names; item ids do not change, so reviews stay with
their findings.  They can be written out in the shape of ``loaders/data/departments.yaml``.
"""

from __future__ import annotations

import dataclasses

import yaml

from quanze.loaders.departments import find_region, resolve_department
from quanze.tables import Tables, build_tables


def department_names(tables: Tables) -> dict[str, str]:
    """Department name → id, as the tables hold them."""
    return dict(zip(tables.departments["name"], tables.departments["id"]))


def check_aliases(aliases: dict[str, str], names: dict[str, str]) -> list[str]:
    """What is wrong with an alias table over departments ``names`` (name → id), in Chinese; empty when nothing."""
    problems = []
    for name, canonical in aliases.items():
        if name not in names:
            problems.append(f"数据集中没有部门“{name}”。")
        elif not canonical.strip():
            problems.append(f"“{name}”没有写明改为哪个部门。")
        elif canonical == name:
            problems.append(f"“{name}”改为的名称与原名相同。")
        elif canonical in aliases:
            problems.append(f"“{name}”改为的“{canonical}”本身也要改为“{aliases[canonical]}”：请直接写最终的部门名称。")
        elif canonical not in names and resolve_department(canonical, _region_of(names, name)) is None:
            problems.append(f"无法识别部门名称“{canonical}”。")
    return problems


def _region_of(names: dict[str, str], name: str) -> str:
    return names.get(name, "||").split("|", 1)[0]


def target(canonical: str, names: dict[str, str], region: str) -> tuple[str, str]:
    """(name, id) a department is renamed to: an existing department's, else the name read as the loader reads one."""
    if canonical in names:
        return canonical, names[canonical]
    found = resolve_department(canonical, find_region(canonical) or region)
    return found.display, found.id


def apply_aliases(tables: Tables, aliases: dict[str, str]) -> Tables:
    """The tables with every item of an aliased department under its new name (ids of items unchanged)."""
    names = department_names(tables)
    chosen = {n: c for n, c in aliases.items() if n in names and c and c != n}
    if not chosen:
        return tables
    renamed = {n: target(c, names, _region_of(names, n)) for n, c in chosen.items()}
    items = tables.records()
    return build_tables(dataclasses.replace(it, department=renamed[it.department][0],
                                            department_id=renamed[it.department][1])
                        if it.department in renamed else it for it in items)


def aliases_yaml(aliases: dict[str, str], names: dict[str, str], title: str) -> str:
    """The alias table in the shape of departments.yaml: canonical short name → the short names that mean it.

    Pairs whose short names are the same differ only in region or level; they are listed as comments
    (a region given at upload corrects them), since departments.yaml names departments without a region.
    """
    table: dict[str, list[str]] = {}
    same: list[str] = []
    for name, canonical in sorted(aliases.items()):
        region = _region_of(names, name)
        old = names.get(name, "").split("|")[-1] or (resolve_department(name, region) or _Unknown(name)).short_name
        new = target(canonical, names, region)[1].split("|")[-1] if canonical else ""
        if not new:
            continue
        if old == new:
            same.append(f"#   {name} → {canonical}（简称相同，只差地区或层级）")
        else:
            table.setdefault(new, [])
            if old not in table[new]:
                table[new].append(old)
    head = [f"# 数据集「{title}」的部门别名，可并入 loaders/data/departments.yaml 的 departments 表：",
            "# 左边是规范简称，右边是清单中出现的其他写法。"]
    body = yaml.safe_dump({"departments": table}, allow_unicode=True, sort_keys=True, default_flow_style=None)
    tail = (["", "# 这些更正只涉及地区或层级，departments.yaml 不需要，上传时填写地区即可："] + same) if same else []
    return "\n".join(head) + "\n" + body + "\n".join(tail) + ("\n" if tail else "")


@dataclasses.dataclass
class _Unknown:
    short_name: str
