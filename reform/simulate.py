"""Simulate a transfer scenario: (tables, scenario) → the lists after the move, and what it changes.

A pure function: the base tables are never modified; moved items are records made
again from their rows, with a new 实施主体, and the "after" tables are the rows that
stay plus the tables of the moved records.  The same rule catalogue runs before and
after (a "before" result already computed is reused), and the difference is part of
the result.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quanze.loaders.departments import display_name
from quanze.loaders.model import PowerItem, Responsibility
from quanze.loaders.sheet import stable_id
from quanze.reform.scenario import TOWNSHIPS, Package, TransferScenario, check_against, department_key
from quanze.rules.catalogue import load_catalogue, select
from quanze.rules.context import RunContext
from quanze.rules.engine import RunResult, run
from quanze.rules.model import Finding
from quanze.rules.primitives import REGISTRY
from quanze.rules.primitives.coverage import Coverage, counterparts
from quanze.tables import Tables, as_tables, build_tables, department_table, in_source_order

OUTPUTS = ("moved", "split", "left_behind", "must_rehome", "basis_conflicts", "retained_supervision", "gaps",
           "new_overlaps", "reserved")
OVERLAP_RULES = {"R01a", "R01b", "R02", "R03", "R10"}
SUPERVISION = ("行政检查", "行政处罚")
# penalties a township should not hold (桐庐's rule)
MAJOR_PENALTY = ("吊销", "责令停产停业", "责令关闭", "限制从业", "降低资质", "较大数额")


@dataclass
class SimulationResult:
    scenario: TransferScenario
    before: Tables
    after: Tables
    outputs: dict[str, list[dict]]
    counts: dict
    findings_change: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"scenario": self.scenario.name, **self.outputs, "counts": self.counts,
                "findings_change": self.findings_change}

    def summary(self) -> str:
        once = {m["id"]: m for m in self.outputs["moved"]}  # an item given to every township counts once
        moved = Counter(m["from"] for m in once.values())
        lines = [f"方案“{self.scenario.name}”：划转 {len(once)} 项，涉及 {len(moved)} 个部门。"]
        lines += [f"  {dept}：{n} 项" for dept, n in moved.most_common()]
        names = {"split": "拆分（监管留在原部门）", "left_behind": "关联事项未随转", "must_rehome": "须另行安置",
                 "basis_conflicts": "依据写明原部门", "gaps": "监管空白或缺口", "new_overlaps": "新增交叉",
                 "reserved": "保留在原部门"}
        n = {key: len({e["id"] for e in self.outputs[key]}) if key == "split" else len(self.outputs[key]) for key in names}
        lines.append("；".join(f"{label} {n[key]} 项" for key, label in names.items()))
        change = self.findings_change
        if change:
            lines.append(f"规则检查：新增问题 {sum(map(len, change['added'].values()))} 个，"
                         f"消除 {sum(map(len, change['removed'].values()))} 个。")
        return "\n".join(lines)


def simulate(tables, scenario: TransferScenario, inputs: dict | None = None, selection=None,
             catalogue: bool = True, before: RunResult | None = None) -> SimulationResult:
    """The scenario applied to ``tables`` (Tables, or a graph view of them).

    ``before`` is the rule run over the same tables, inputs and selection when the caller has
    one already (an analysis of the dataset): the catalogue then runs only over the "after" tables.
    """
    base = as_tables(tables)
    ctx = RunContext(base)
    T = ctx.items
    check_against(scenario, set(T["short_name"]), lambda pkg: bool(_selected(ctx, pkg).any()))
    by_id = _Records(base)
    out: dict[str, list[dict]] = {k: [] for k in OUTPUTS}
    targets: dict[str, list[tuple[str, str, Package]]] = {}
    for pkg in scenario.packages:
        chosen = _selected(ctx, pkg)
        reserved = chosen & T["title"].str.contains(_any_of(pkg.reserve)).to_numpy() if pkg.reserve else chosen & False
        moving = set(T["id"][chosen & ~reserved]) | _followers(ctx, set(T["id"][chosen & ~reserved]), pkg)
        for item_id in sorted(moving - set(targets)):
            targets[item_id] = [(dept_id, shown, pkg) for dept_id, shown in _targets(ctx, by_id[item_id], pkg)]
        out["reserved"] += [_entry(by_id[i], why="保留在原部门：" + "、".join(k for k in pkg.reserve if k in by_id[i].title))
                            for i in T["id"][reserved]]
    after: list[PowerItem] = []  # the records that change: moved copies and what their origins keep
    for item_id, dests in targets.items():
        it = by_id[item_id]
        pkg = dests[0][2]
        kept = [r for r in it.responsibilities if r.stage in pkg.keep_at_origin]
        for dept_id, shown, _ in dests:
            moved = dataclasses.replace(
                it, id=it.id if len(dests) == 1 else stable_id(it.id, dept_id), department=shown, department_id=dept_id,
                responsibilities=[r for r in it.responsibilities if r.stage not in pkg.keep_at_origin]
                + [_handover(it, stage) for stage in pkg.keep_at_origin if it.responsibilities])
            after.append(moved)
            out["moved"].append(_entry(it, to=shown, mode=pkg.mode, package=pkg.name))
            if not moved.responsibilities:
                out["gaps"].append(_entry(it, to=shown, kind="无责任事项", why="划转后承接机构没有责任事项"))
        if pkg.keep_at_origin:
            after.append(_supervision_item(it, kept, pkg))
            out["split"].append(_entry(it, to=dests[0][1], kept=[r.stage for r in kept] or list(pkg.keep_at_origin)))
    _left_behind(ctx, by_id, targets, out)
    _must_rehome(ctx, scenario, targets, out)
    _basis_conflicts(by_id, targets, out)
    _supervision(ctx, by_id, targets, out)
    _township_gaps(ctx, by_id, targets, out)
    after_tables = _after(base, set(targets), after)
    result = SimulationResult(scenario, base, after_tables, out,
                              {"before": _counts(base), "after": _counts(after_tables)})
    if catalogue:
        changed = set(targets) | {it.id for it in after}
        result.findings_change = _findings_change(base, after_tables, inputs, selection, set(targets), out, before,
                                                  changed)
    return result


class _Records(dict):
    """Item id → its record, made from its row when first asked for (a simulation reads a few)."""

    def __init__(self, tables: Tables) -> None:
        super().__init__()
        self.tables = tables

    def __missing__(self, item_id: str) -> PowerItem:
        self[item_id] = record = self.tables.item(item_id)
        return record


def _after(base: Tables, moved: set[str], changed: list[PowerItem]) -> Tables:
    """The tables after the move: the rows that stay, and the rows of the changed records, in source order."""
    new = build_tables(changed)

    def merged(part: str, key: str) -> pd.DataFrame:
        old = getattr(base, part)
        return pd.concat([old[~old[key].isin(moved)], getattr(new, part)], ignore_index=True)

    items, citations, clauses = in_source_order(merged("items", "id"), merged("citations", "item_id"),
                                                merged("clauses", "item_id"))
    return Tables(items, citations, clauses, department_table(items))


def _selected(ctx: RunContext, pkg: Package):
    """Items a package's selector picks: every given key must match, any value of a key will do."""
    T, sel = ctx.items, pkg.select
    picked = np.ones(len(T), dtype=bool)
    if sel.get("departments"):
        picked &= T["short_name"].isin({department_key(d) for d in sel["departments"]}).to_numpy()
    if sel.get("categories"):
        picked &= T["category"].isin(sel["categories"]).to_numpy()
    if sel.get("keywords"):
        picked &= T["title"].str.contains(_any_of(sel["keywords"])).to_numpy()
    if sel.get("provisions"):
        cited = ctx.provisions_of()
        picked &= np.array([bool(cited.get(i, set()) & pkg.provisions) for i in T["id"]])
    if sel.get("items"):
        picked &= T["id"].isin(sel["items"]).to_numpy()
    return picked & ~T["department_id"].str.endswith(f"|{pkg.to}").to_numpy()


def _any_of(words: list[str]) -> str:
    """A pattern matching any of the words literally (names hold parentheses and dots)."""
    return "|".join(re.escape(str(w)) for w in words)


def _followers(ctx: RunContext, moving: set[str], pkg: Package) -> set[str]:
    """Related items that go with the moved ones: same department, listed category, same article."""
    if not pkg.follow or not moving:
        return set()
    T, cited = ctx.items.set_index("id"), ctx.provisions_of()
    out = set()
    for rule in pkg.follow:
        cats = set(rule.get("categories") or [])
        for item_id, row in T[T["category"].isin(cats)].iterrows():
            if item_id in moving or any(k in row["title"] for k in pkg.reserve):
                continue
            arts = cited.get(item_id, set())
            if any(T.at[m, "department_id"] == row["department_id"] and arts & cited.get(m, set()) for m in moving):
                out.add(item_id)
    return out


def _targets(ctx: RunContext, it: PowerItem, pkg: Package) -> list[tuple[str, str]]:
    region, level, _ = it.department_id.split("|", 2)
    if pkg.to == TOWNSHIPS:
        T = ctx.items
        row = T[T["id"] == it.id].iloc[0]
        towns = T[(T["admin_level"] == "乡") & (T["territory"] == row["territory"])]
        return sorted(set(zip(towns["department_id"], towns["department"])))
    short = department_key(pkg.to)
    return [(f"{region}|{level}|{short}", display_name(short, region, level))]


def _supervision_item(it: PowerItem, kept: list[Responsibility], pkg: Package) -> PowerItem:
    """What the origin department keeps of a moved item: its 事中事后监管, as an inspection item."""
    resp = kept or [Responsibility("事后监管", f"对{pkg.to}办理的“{it.title}”开展事中事后监管。")]
    return dataclasses.replace(it, id=stable_id("留存监管", it.id), main_id=stable_id("留存监管", it.main_id),
                               name=f"对{it.name}事项的事中事后监管检查", category="行政检查", category_raw="行政检查",
                               responsibilities=resp, responsibilities_text="\n".join(r.text for r in resp))


def _handover(it: PowerItem, stage: str) -> Responsibility:
    """The moved item's side of a stage kept at the origin (审管衔接: push the result, the origin acts)."""
    return Responsibility(stage, f"办理结果推送{it.department}，由其负责{stage}（审管衔接）。", "审管衔接")


def _entry(it: PowerItem, to: str = "", **extra) -> dict:
    entry = {"id": it.id, "name": it.title, "category": it.category, "from": it.department}
    if to:
        entry["to"] = to
    return {**entry, **extra, "source": it.source.to_dict()}


def _left_behind(ctx, by_id, targets, out) -> None:
    """Items that stay although tied to a moved one: a sub-item of the same 主项, or the same article."""
    cited = ctx.provisions_of()
    moved_by_dept: dict[str, list[str]] = defaultdict(list)
    for i in targets:
        moved_by_dept[by_id[i].department_id].append(i)
    moved_mains = {by_id[i].main_id for i in targets if by_id[i].main_id != i}
    reserved = {e["id"] for e in out["reserved"]}
    T = ctx.items
    for item_id, main_id, department_id in zip(T["id"], T["main_id"], T["department_id"]):
        if item_id in targets or item_id in reserved:
            continue
        if main_id in moved_mains:
            out["left_behind"].append(_entry(by_id[item_id], why="同一主项的其他子项已划转"))
            continue
        arts = cited.get(item_id, set())
        tied = [m for m in moved_by_dept.get(department_id, []) if arts & cited.get(m, set())] if arts else []
        if tied:
            shared = sorted(arts & cited.get(tied[0], set()))
            out["left_behind"].append(_entry(by_id[item_id], to=targets[tied[0]][0][1],
                                             why=f"与已划转的“{by_id[tied[0]].title}”依据同一条文（{'、'.join(shared)}）"))


def _must_rehome(ctx, scenario, targets, out) -> None:
    gone = {department_key(d) for d in scenario.dissolve}
    T = ctx.items
    for item_id in T["id"][T["short_name"].isin(gone) & ~T["id"].isin(targets)]:
        out["must_rehome"].append(_entry(ctx.tables.item(item_id), why="实施主体撤销，事项未被任何划转包覆盖"))


def _basis_conflicts(by_id, targets, out) -> None:
    """Moved items whose legal basis names the origin department as the competent authority."""
    for i in targets:
        it = by_id[i]
        stem = it.department_id.split("|")[2].removesuffix("委员会").rstrip("局委厅")
        for phrase in (f"{stem}主管部门", f"{stem}行政主管部门", f"{stem}部门", f"{stem}行政部门"):
            if stem and phrase in it.basis_text:
                out["basis_conflicts"].append(_entry(it, to=targets[i][0][1], phrase=phrase,
                                                     why="依据写明由原部门实施，划转须有法定授权（行政许可法第二十五条、"
                                                         "行政处罚法第十八条或第二十四条）"))
                break


def _supervision(ctx, by_id, targets, out) -> None:
    """For each moved licence: does its origin department keep supervision of the same object?
    "Same object" is rule R06's test (``coverage``), inside the origin department."""
    T = ctx.items
    licences = T[T["id"].isin([i for i in targets if by_id[i].category == "行政许可"])]
    if licences.empty:
        return
    sup = T[T["category"].isin(SUPERVISION) & ~T["id"].isin(targets)]
    covered, _, _ = counterparts(ctx, licences, sup, "department_id", Coverage.defaults["threshold"])
    for n, i in enumerate(licences["id"]):
        it = by_id[i]
        by = ["原部门对同一对象的检查、处罚事项"] if covered[n] else []
        if any(r.stage == "事后监管" for r in it.responsibilities):
            by.append("原部门保留的事后监管责任")
        if by:
            out["retained_supervision"].append(_entry(it, to=targets[i][0][1], supervisor=it.department, by=by))
        else:
            out["gaps"].append(_entry(it, to=targets[i][0][1], kind="监管空白",
                                      why="原部门既无对同一对象的检查、处罚事项，也无事后监管责任"))


def _township_gaps(ctx, by_id, targets, out) -> None:
    """A penalty delegated to townships without the inspection or coercion on the same article."""
    cited = ctx.provisions_of()
    for i, dests in targets.items():
        it = by_id[i]
        if it.category != "行政处罚" or dests[0][2].to != TOWNSHIPS:
            continue
        major = [k for k in MAJOR_PENALTY if k in it.title]
        if major:
            out["gaps"].append(_entry(it, to="、".join(d[1] for d in dests), kind="重大处罚下放",
                                      why=f"{'、'.join(major)}属重大处罚，宜保留在县级（reserve）"))
        related = [m for m in targets if by_id[m].category in ("行政检查", "行政强制")
                   and by_id[m].department_id == it.department_id and cited.get(m, set()) & cited.get(i, set())]
        if not related:
            out["gaps"].append(_entry(it, to="、".join(d[1] for d in dests), kind="缺相关检查强制",
                                      why="赋权的处罚事项没有同时下放相关的检查、强制事项"))


def _after_run(after: Tables, inputs, selection, changed: set[str], before: RunResult) -> list[Finding]:
    """The catalogue over the "after" tables.  A local rule (one item's rows make its hit) runs only on the
    changed items; its findings on the items that did not change are the "before" run's."""
    rules = select(load_catalogue(), selection)
    local = {r.id for r in rules if r.check in REGISTRY and REGISTRY[r.check].local}
    kept = [f for f in before.findings if f.rule in local and not any(s["id"] in changed for s in f.subjects)]
    return kept + run(after, rules=rules, inputs=inputs, only=changed).findings


def _counts(tables: Tables) -> dict:
    by_dept: dict[str, Counter] = defaultdict(Counter)
    by_level: Counter = Counter()
    T = tables.items
    for department, category, levels in zip(T["department"], T["category"], T["levels"]):
        by_dept[department][category or "未分类"] += 1
        for lv in levels.split("、") if levels else ():
            by_level[lv] += 1
    return {"departments": {d: dict(c) for d, c in sorted(by_dept.items())},
            "totals": {d: sum(c.values()) for d, c in sorted(by_dept.items())}, "levels": dict(by_level)}


def _findings_change(before: Tables, after: Tables, inputs, selection, moved: set[str], out,
                     result: RunResult | None, changed: set[str]) -> dict:
    result = result if result is not None else run(before, selection=selection, inputs=inputs)
    old = {f.fingerprint: f for f in result.findings}
    new = {f.fingerprint: f for f in _after_run(after, inputs, selection, changed, result)}
    added: dict[str, list] = defaultdict(list)
    removed: dict[str, list] = defaultdict(list)
    for fp in sorted(new.keys() - old.keys()):
        added[new[fp].rule].append({"fingerprint": fp, "message": new[fp].message})
        f = new[fp]
        if f.rule in OVERLAP_RULES and any(s["id"] in moved or s["category"] == "行政检查" and "事中事后监管" in s["name"]
                                           for s in f.subjects):
            out["new_overlaps"].append({"rule": f.rule, "message": f.message, "items": [
                {"id": s["id"], "name": s["name"], "department": s["department"]} for s in f.subjects]})
    for fp in sorted(old.keys() - new.keys()):
        removed[old[fp].rule].append({"fingerprint": fp, "message": old[fp].message})
    return {"added": dict(sorted(added.items())), "removed": dict(sorted(removed.items()))}


def preview(tables, scenario: TransferScenario) -> list[dict]:
    """What each package's selectors pick, without moving anything or running a rule: per package the
    items chosen (with the followers), the ones a reserve keyword keeps at the origin, and the stages that stay."""
    base = as_tables(tables)
    ctx = RunContext(base)
    T = ctx.items
    out = []
    for pkg in scenario.packages:
        chosen = _selected(ctx, pkg)
        reserved = chosen & T["title"].str.contains(_any_of(pkg.reserve)).to_numpy() if pkg.reserve else chosen & False
        moving = set(T["id"][chosen & ~reserved])
        followers = _followers(ctx, moving, pkg)
        rows = T[T["id"].isin(moving | followers)]
        out.append({"package": pkg.name, "to": pkg.to, "mode": pkg.mode, "count": len(rows),
                    "followers": len(followers), "keep_at_origin": list(pkg.keep_at_origin),
                    "by_department": dict(Counter(rows["department"]).most_common()),
                    "by_category": dict(Counter(rows["category"]).most_common()),
                    "sample": [{"name": t, "department": d, "category": c}
                               for t, d, c in zip(rows["title"][:20], rows["department"][:20], rows["category"][:20])],
                    "reserved": [{"name": t, "department": d} for t, d in zip(T["title"][reserved], T["department"][reserved])]})
    return out
