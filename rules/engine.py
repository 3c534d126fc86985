"""Run the catalogue over the tables: rules + tables (+ optional inputs) → findings.

The engine is the only place that knows about severity, messages, advice and
provenance; primitives only say which items are involved and why.  A rule that
fails is reported and the others still run; a rule whose input is missing (a
reference catalogue, 三定 duties, the law library) is skipped with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from quanze.rules import parallel
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.conditions import mask
from quanze.rules.context import FailedShare, RunContext
from quanze.rules.model import Finding, Hit, Rule, fingerprint
from quanze.rules.primitives import REGISTRY, defaults
from quanze.tables import as_tables, row_source

INPUT_LABELS = {
    "laws": "法律法规库（--laws）",
    "catalogue": "通用目录（--catalogue，通用目录或指导目录）",
    "cancelled": "已取消事项目录（--cancelled）",
    "duties": "三定职责表（--duties）",
    "township": "乡镇模板清单（--township，法定目录加赋权目录）",
    "national": "全国权责清单基本目录（--national，各层级的国家目录）",
}
MAX_NAMES = 5
# what a finding reads of each subject's row: what it shows of the item, and where the row came from
SUBJECT_FIELDS = ("id", "name", "sub_name", "department", "category", "title", "file", "sheet", "row", "row_last")


@dataclass
class RuleRun:
    rule: Rule
    status: str = "ok"  # ok / skipped / error
    reason: str = ""
    findings: int = 0
    seconds: float = 0.0
    # a part's hits of a rule whose hits may span parts (``Primitive.joins``), before they are joined
    hits: list = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {**self.rule.summary(), "status": self.status, "reason": self.reason, "findings": self.findings,
                "seconds": round(self.seconds, 3), "params": self.rule.params}


@dataclass
class RunResult:
    runs: list[RuleRun]
    findings: list[Finding]
    stats: dict

    @property
    def rules(self) -> list[Rule]:
        return [r.rule for r in self.runs]

    @classmethod
    def from_dict(cls, data: dict) -> RunResult:
        """A result read back from its JSON form (a stored run, a findings.json file)."""
        runs = [RuleRun(Rule(r["id"], r["title"], r["severity"], "", r.get("params") or {}, "", []),
                        r["status"], r.get("reason", ""), r.get("findings", 0), r.get("seconds", 0.0))
                for r in data.get("runs", [])]
        names = Finding.__dataclass_fields__
        findings = [Finding(**{k: f[k] for k in names}) for f in data.get("findings", [])]
        return cls(runs, findings, data.get("stats") or {})

    def to_dict(self) -> dict:
        return {
            "rules": [r.rule.summary() for r in self.runs],
            "findings": [f.to_dict() for f in self.findings],
            "runs": [r.to_dict() for r in self.runs],
            "stats": self.stats,
        }


def run(tables, selection: str | list[str] | None = None, settings: list[str] | dict | None = None,
        inputs: dict | None = None, rules: list[Rule] | None = None,
        progress: Callable[[str, int, int], None] | None = None, only: set[str] | None = None,
        cache: dict | None = None, workers: int | None = None) -> RunResult:
    """Evaluate the selected rules over ``tables`` (Tables, or a graph view or items they are made from);
    ``settings`` override parameters (``R03.threshold=0.6``).

    ``only`` limits the rules whose primitive is local (one item's rows make its hit) to those items;
    the other rules run over every item.  ``cache`` starts the run's shared caches (``RunContext.cached``):
    the Dask engine gives a partition the rows of the TF-IDF vectors fitted over the whole run.
    ``workers`` processes (default: one per core) share the rules of a large run (``parallel``).
    """
    rules = select(rules if rules is not None else load_catalogue(), selection)
    override(rules, settings, defaults())
    ctx = RunContext(as_tables(tables), inputs or {}, cache=dict(cache or {}))
    count = parallel.worker_count(workers, len(ctx.items))
    shares = parallel.plan(rules, REGISTRY, count) if count > 1 else []
    if len(shares) > 1:
        done, stats = parallel.run_units(shares, lambda unit: _run_unit(ctx, rules, unit, only), progress, len(rules))
        for part in stats:
            ctx.stats.update(part)
    else:
        done = {}
        for n, rule in enumerate(rules):
            if progress:
                progress("规则检查", n, len(rules))
            done[n] = _run_rule(ctx, rule, only)
    if progress:
        progress("规则检查", len(rules), len(rules))
    runs, findings = [], []
    for n, rule in enumerate(rules):  # catalogue order, whichever process ran the rule
        rr, new = done[n]
        rr.rule = rule
        runs.append(rr)
        findings.extend(new)
    return RunResult(runs, _dedupe(findings), ctx.stats)


def _run_unit(ctx: RunContext, rules: list[Rule], unit: list[int], only: set[str] | None) -> tuple[dict, dict]:
    """The rules of one unit (positions in ``rules``), and the statistics they wrote."""
    return {n: _run_rule(ctx, rules[n], only) for n in unit}, ctx.stats


def _run_rule(ctx: RunContext, rule: Rule, only: set[str] | None) -> tuple[RuleRun, list[Finding]]:
    """One rule's run and findings; a rule that fails or lacks an input is reported, never raised."""
    rr, new = RuleRun(rule), []
    started = time.perf_counter()
    primitive = REGISTRY.get(rule.check)
    missing = [n for n in dict.fromkeys((*rule.needs, *(primitive.needs if primitive else ()))) if not ctx.has(n)]
    if primitive is None:
        rr.status, rr.reason = "error", f"未知的检查方法 {rule.check!r}；可用：{'、'.join(sorted(REGISTRY))}"
    elif missing:
        rr.status, rr.reason = "skipped", "缺少输入：" + "、".join(INPUT_LABELS.get(n, n) for n in missing)
    else:
        try:
            params = params_of(rule)
            scope = rule_scope(ctx, rule)
            if only is not None and primitive.local:
                scope = scope[scope["id"].isin(only)]
            given = ctx.cache.get(share_key(rule)) if primitive.sharing(params) else None
            if isinstance(given, FailedShare):  # a part of the run could not count its share
                raise given.error
            if given is None:
                new = [finding(ctx, rule, h) for h in primitive.evaluate(ctx, scope, params)]
            elif primitive.joins:  # the hits of a part, joined with the other parts' by key (cluster.engine)
                rr.hits = list(primitive.evaluate_given(ctx, scope, params, given))
            else:
                new = [finding(ctx, rule, h) for h in primitive.evaluate_given(ctx, scope, params, given)]
            rr.findings = len(new)
        except Exception as e:  # one broken rule must not stop the others
            rr.status, rr.reason, new = "error", f"{type(e).__name__}: {e}", []
    rr.seconds = time.perf_counter() - started
    return rr, new


def params_of(rule: Rule) -> dict:
    """A rule's parameters: its primitive's defaults, overridden by the rule's own."""
    return {**REGISTRY[rule.check].defaults, **rule.params}


def rule_scope(ctx: RunContext, rule: Rule) -> pd.DataFrame:
    """The items a rule applies to (its ``applies_to``)."""
    return ctx.items[mask(ctx.items, scope_conditions(rule.applies_to))]


def share_key(rule: Rule) -> tuple:
    """Where a part of a run is given the whole run's completed shares of a rule (``Primitive.shares``)."""
    return ("share", rule.id)


def scope_conditions(applies_to: dict) -> list[dict]:
    """``applies_to`` (categories, levels, admin_levels, where) as conditions on the item table."""
    conds = []
    if applies_to.get("categories"):
        conds.append({"field": "category", "in": applies_to["categories"]})
    if applies_to.get("levels"):
        conds.append({"field": "levels", "matches": "|".join(applies_to["levels"])})
    if applies_to.get("admin_levels"):
        conds.append({"field": "admin_level", "in": applies_to["admin_levels"]})
    conds.extend(applies_to.get("where") or [])
    return conds


def finding(ctx: RunContext, rule: Rule, hit: Hit) -> Finding:
    columns, position = ctx.subject_columns(SUBJECT_FIELDS), ctx.position
    rows = [{c: columns[c][position[s]] for c in SUBJECT_FIELDS} for s in hit.subjects]
    subjects = [{"id": r["id"], "name": r["name"], "sub_name": r["sub_name"], "department": r["department"],
                 "category": r["category"]} for r in rows]
    departments = list(dict.fromkeys([*(r["department"] for r in rows), *hit.departments]))
    sources = list({(s["file"], s["sheet"], tuple(s["rows"])): s for s in
                    [row_source(r) for r in rows] + hit.evidence.pop("_sources", [])}.values())
    names = [r["title"] for r in rows] or list(hit.fields.get("names", []))
    fields = {
        "names": "、".join(f"「{n}」" for n in names[:MAX_NAMES]) + (f"等{len(names)}项" if len(names) > MAX_NAMES else ""),
        "departments": "、".join(departments),
        "count": len(names),
        "category": "、".join(dict.fromkeys(r["category"] for r in rows)),
        **{k: v for k, v in hit.evidence.items() if isinstance(v, (str, int, float))},
        **{k: v for k, v in hit.fields.items() if k != "names"},
    }
    message = rule.message.format_map(_Blank(fields))
    return Finding(rule=rule.id, title=rule.title, severity=rule.severity, message=message, advice=rule.advice,
                   subjects=subjects, departments=departments, evidence=hit.evidence, sources=sources,
                   fingerprint=fingerprint(rule.id, hit.subjects, hit.key))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f.fingerprint not in seen:
            seen.add(f.fingerprint)
            out.append(f)
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""
