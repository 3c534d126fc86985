"""The data of the pages' charts (Apache ECharts, vendored in api/static/echarts/), counted in SQL.

Each function reads a run's findings through the store's columns (rule, severity, departments), never by
decoding every finding, and returns plain JSON-ready dicts: the numbers a chart draws (and its table
fallback prints), and for each bar, cell, node or edge the findings-list filter it leads to (the query
parameters of ``web.finding_query``: ``severity``, ``rule``, ``department`` — a list, "involves all of them").
The pages turn a filter into a link with ``link``.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from quanze.api.store import SEVERITY_ORDER, Store

STAYS = "留在原部门"  # the Sankey's sink for what the origin departments keep


def _filtered(store: Store, run: str, rule: str | None) -> tuple[str, list]:
    """The run's findings (optionally only some rules, as the findings list reads ``rule``) as a subquery."""
    where, args = store._finding_filter(run, rule, None, None, None, None)  # no review status: not read
    return f"select * from findings f where f.run_id = ? and {' and '.join(where)}", args


def _department_rows(store: Store, run: str, rule: str | None) -> tuple[str, list]:
    """(fingerprint, rule, department) once per department a finding concerns: the '、'-joined column
    split in SQL by a recursive query."""
    base, args = _filtered(store, run, rule)
    sql = (f"with recursive base as ({base}), "
           "split(fp, rule, rest, dept) as (select fingerprint, rule, coalesce(departments, '') || '、', '' "
           "from base union all select fp, rule, substr(rest, instr(rest, '、') + 1), "
           "substr(rest, 1, instr(rest, '、') - 1) from split where rest <> ''), "
           "pairs as (select distinct fp, rule, dept from split where dept <> '') ")
    return sql, args


def severity_counts(store: Store, run: str) -> list[dict]:
    """Findings per severity, 红 → 黄 → 蓝 (only those that occur)."""
    rows = store._read("select severity, count(*) n from findings where run_id = ? group by severity", (run,))
    counts = {r["severity"]: r["n"] for r in rows}
    return [{"name": s, "value": counts[s], "filter": {"severity": s}} for s in SEVERITY_ORDER if counts.get(s)]


def rule_counts(store: Store, run: str, titles: dict[str, str]) -> list[dict]:
    """Findings per rule, by rule id, each with its Chinese title."""
    rows = store._read("select rule, count(*) n from findings where run_id = ? group by rule order by rule", (run,))
    return [{"name": r["rule"], "title": titles.get(r["rule"], ""), "value": r["n"], "filter": {"rule": r["rule"]}}
            for r in rows]


def heatmap(store: Store, run: str, titles: dict[str, str]) -> dict:
    """Findings per department and rule: departments by their number of findings (most first), rules by id,
    the cells that are not empty as [rule index, department index, count, filter]."""
    sql, args = _department_rows(store, run, None)
    rows = store._read(sql + "select dept, rule, count(*) n from pairs group by dept, rule", args)
    per_dept: Counter = Counter()
    for r in rows:
        per_dept[r["dept"]] += r["n"]
    departments = sorted(per_dept, key=lambda d: (-per_dept[d], d))
    rules = sorted({r["rule"] for r in rows})
    di, ri = {d: i for i, d in enumerate(departments)}, {r: i for i, r in enumerate(rules)}
    cells = [{"value": [ri[r["rule"]], di[r["dept"]], r["n"]], "filter": {"rule": r["rule"], "department": [r["dept"]]}}
             for r in sorted(rows, key=lambda r: (di[r["dept"]], ri[r["rule"]]))]
    return {"departments": departments, "rules": rules, "titles": [titles.get(r, "") for r in rules], "cells": cells,
            "max": max((r["n"] for r in rows), default=0)}


def overlap_graph(store: Store, run: str, rule: str | None = None, center: str | None = None) -> dict:
    """Departments as nodes (value: the findings that concern them), an edge between two departments for the
    findings that concern both (value: how many).  ``rule`` keeps only some rules' findings (as the findings
    list reads it); ``center`` keeps the department and those it shares findings with."""
    sql, args = _department_rows(store, run, rule)
    edges = store._read(sql + "select a.dept a, b.dept b, count(*) n from pairs a join pairs b "
                              "on a.fp = b.fp and a.dept < b.dept group by a.dept, b.dept", args)
    nodes = {r["dept"]: r["n"] for r in store._read(sql + "select dept, count(distinct fp) n from pairs group by dept",
                                                       args)}
    if center is not None:
        keep = {center} | {e["b"] for e in edges if e["a"] == center} | {e["a"] for e in edges if e["b"] == center}
        edges = [e for e in edges if e["a"] in keep and e["b"] in keep]
        nodes = {d: n for d, n in nodes.items() if d in keep}
    else:
        linked = {e["a"] for e in edges} | {e["b"] for e in edges}
        nodes = {d: n for d, n in nodes.items() if d in linked}
    extra = {"rule": rule} if rule else {}
    return {
        "nodes": [{"name": d, "value": n, "filter": {**extra, "department": [d]}}
                  for d, n in sorted(nodes.items(), key=lambda kv: (-kv[1], kv[0]))],
        "edges": [{"source": e["a"], "target": e["b"], "value": e["n"],
                   "filter": {**extra, "department": [e["a"], e["b"]]}}
                  for e in sorted(edges, key=lambda e: (-e["n"], e["a"], e["b"]))],
        "center": center,
    }


def sankey(result: dict) -> dict:
    """A simulation's flows: each origin department to each receiving department (items moved, an item sent
    to two receivers counted for each), and to 留在原部门 (its items that do not move).  Node names are
    unique: a receiver that is also an origin is shown as “名称（承接）”."""
    moved = result.get("moved") or []
    origins = list(dict.fromkeys(m["from"] for m in moved))
    flows: Counter = Counter((m["from"], m.get("to") or "") for m in moved)
    split: Counter = Counter((s["from"], s.get("to") or "") for s in result.get("split") or [])
    leaving: dict[str, set] = {}
    for m in moved:
        leaving.setdefault(m["from"], set()).add(m["id"])
    before = ((result.get("counts") or {}).get("before") or {}).get("totals") or {}
    stays = {o: max(before.get(o, 0) - len(leaving[o]), 0) for o in origins}
    receivers = list(dict.fromkeys(to for _, to in flows))
    shown = {to: f"{to}（承接）" if to in origins or to == STAYS else to for to in receivers}
    links = [{"source": o, "target": shown[to], "value": n} for (o, to), n in flows.items()]
    links += [{"source": o, "target": STAYS, "value": n} for o, n in stays.items() if n]
    rows = [{"from": o, "to": to, "moved": n, "split": split.get((o, to), 0)} for (o, to), n in flows.items()]
    nodes = [*origins, *shown.values(), *([STAYS] if any(stays.values()) else [])]
    return {"nodes": [{"name": n} for n in nodes], "links": links, "rows": rows,
            "stays": [{"from": o, "before": before.get(o, 0), "moved": len(leaving[o]), "stays": stays[o]}
                      for o in origins]}


def with_links(data, link: Callable[[dict], str]):
    """``data`` with an ``href`` beside every ``filter`` (``link`` makes the findings list's address)."""
    if isinstance(data, dict):
        out = {k: with_links(v, link) for k, v in data.items()}
        if isinstance(data.get("filter"), dict):
            out["href"] = link(data["filter"])
        return out
    if isinstance(data, list):
        return [with_links(v, link) for v in data]
    return data
