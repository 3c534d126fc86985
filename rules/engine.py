"""Run the catalogue over a graph: rules + graph (+ optional inputs) → findings.

The engine is the only place that knows about severity, messages, advice and
provenance; primitives only say which items are involved and why.  A rule that
fails is reported and the others still run; a rule whose input is missing (a
reference catalogue, 三定 duties, the law library) is skipped with the reason.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from quanze.graph.model import PowerGraph, item_key
from quanze.rules import textsim
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.conditions import mask
from quanze.rules.model import Finding, Hit, Rule, fingerprint
from quanze.rules.primitives import REGISTRY, defaults
from quanze.rules.tables import citation_table, item_table, sets_by

INPUT_LABELS = {
    "laws": "法律法规库（--laws）",
    "catalogue": "通用目录（--catalogue，通用目录或指导目录）",
    "cancelled": "已取消事项目录（--cancelled）",
    "duties": "三定职责表（--duties）",
    "township": "乡镇模板清单（--township，法定目录加赋权目录）",
}
MAX_NAMES = 5


@dataclass
class RunContext:
    """What primitives read: the graph, its tables, optional inputs and shared caches."""

    graph: PowerGraph
    inputs: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    @functools.cached_property
    def items(self) -> pd.DataFrame:
        return item_table(self.graph)

    @functools.cached_property
    def citations(self) -> pd.DataFrame:
        return citation_table(self.graph)

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {item_id: pos for pos, item_id in enumerate(self.items["id"])}

    def cached(self, key: tuple, compute: Callable[[], object]):
        """A value shared by the rules of one run (vectors, a trained classifier …)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def texts(self, text: str = "core") -> list[str]:
        """Every item's ``text``: ``core`` (the matter, without the name's frame), ``name`` or ``title``."""
        def compute():
            if text != "core":
                return self.items[text].fillna("").tolist()
            return [textsim.core_text(n) + (f"：{textsim.core_text(s)}" if s else "")
                    for n, s in zip(self.items["name"], self.items["sub_name"])]
        return self.cached(("texts", text), compute)

    def vectors(self, text: str = "core", max_df: float = 1.0):
        """TF-IDF rows of every item's ``text``, fitted once per run."""
        return self.cached(("vectors", text, max_df), lambda: textsim.vectorise(self.texts(text), max_df=max_df))

    def documents_of(self) -> dict[str, set[str]]:
        """Item id → the non-generic documents it cites (行政处罚法 and the like say nothing of the matter)."""
        def compute():
            c = self.citations[~self.citations["document"].isin(textsim.generic_documents())]
            return sets_by(c["item_id"], c["document"])
        return self.cached(("documents",), compute)

    def provisions_of(self) -> dict[str, set[str]]:
        """Item id → the non-generic articles it cites."""
        def compute():
            c = self.citations[~self.citations["document"].isin(textsim.generic_documents())]
            c = c[c["article_key"] != ""]
            return sets_by(c["item_id"], c["article_key"])
        return self.cached(("provisions",), compute)

    def provision_path(self, a: str, b: str, article_key: str) -> list[str]:
        """The graph path item → provision (→ document) ← item behind a shared article, as node keys."""
        def cited(item_id: str) -> str | None:
            provs = self.graph.successors(item_key(item_id), "based_on")
            return next((p for p in provs if p.removeprefix("prov:").split(".")[0] == article_key), None)
        pa, pb = cited(a), cited(b)
        if pa is None or pb is None:
            return []
        if pa == pb:
            return [item_key(a), pa, item_key(b)]
        doc = self.graph.successors(pa, "part_of")
        return [item_key(a), pa, *doc, pb, item_key(b)]

    def has(self, need: str) -> bool:
        if need == "laws":
            return bool(self.inputs.get("laws")) or self.citations["resolved"].notna().any()
        return self.inputs.get(need) is not None


@dataclass
class RuleRun:
    rule: Rule
    status: str = "ok"  # ok / skipped / error
    reason: str = ""
    findings: int = 0
    seconds: float = 0.0

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


def run(graph: PowerGraph, selection: str | list[str] | None = None, settings: list[str] | dict | None = None,
        inputs: dict | None = None, rules: list[Rule] | None = None,
        progress: Callable[[str, int, int], None] | None = None) -> RunResult:
    """Evaluate the selected rules; ``settings`` override parameters (``R03.threshold=0.6``)."""
    rules = select(rules if rules is not None else load_catalogue(), selection)
    override(rules, settings, defaults())
    ctx = RunContext(graph, inputs or {})
    runs, findings = [], []
    for done, rule in enumerate(rules):
        if progress:
            progress("规则检查", done, len(rules))
        rr = RuleRun(rule)
        started = time.perf_counter()
        primitive = REGISTRY.get(rule.check)
        missing = [n for n in dict.fromkeys((*rule.needs, *(primitive.needs if primitive else ()))) if not ctx.has(n)]
        if primitive is None:
            rr.status, rr.reason = "error", f"未知的检查方法 {rule.check!r}；可用：{'、'.join(sorted(REGISTRY))}"
        elif missing:
            rr.status, rr.reason = "skipped", "缺少输入：" + "、".join(INPUT_LABELS.get(n, n) for n in missing)
        else:
            try:
                params = {**primitive.defaults, **rule.params}
                scope = ctx.items[mask(ctx.items, scope_conditions(rule.applies_to))]
                new = [finding(ctx, rule, h) for h in primitive.evaluate(ctx, scope, params)]
                findings.extend(new)
                rr.findings = len(new)
            except Exception as e:  # one broken rule must not stop the others
                rr.status, rr.reason = "error", f"{type(e).__name__}: {e}"
        rr.seconds = time.perf_counter() - started
        runs.append(rr)
    if progress:
        progress("规则检查", len(rules), len(rules))
    return RunResult(runs, _dedupe(findings), ctx.stats)


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
    rows = [ctx.items.iloc[ctx.position[s]] for s in hit.subjects]
    subjects = [{"id": r["id"], "name": r["name"], "sub_name": r["sub_name"], "department": r["department"],
                 "category": r["category"]} for r in rows]
    departments = list(dict.fromkeys([*(r["department"] for r in rows), *hit.departments]))
    sources = list({(s["file"], s["sheet"], tuple(s["rows"])): s for s in
                    [_source(ctx, r["id"]) for r in rows] + hit.evidence.pop("_sources", [])}.values())
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


def _source(ctx: RunContext, item_id: str) -> dict:
    return ctx.graph.item(item_id).source.to_dict()


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
