"""The pages' charts (issue 16): the numbers each chart carries equal counts made independently from the run's
findings (as the findings API lists them), the bars are proportional, every link of a bar, cell, edge or node
leads to a findings list of the same size, and a simulation's Sankey carries its moves.  On the bundled example
through Flask's test client; the 16 real lists too (slow) when ../shared is there."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from html import unescape
from itertools import combinations
from urllib.parse import unquote

import pytest

from conftest import EXAMPLE, KLMY
from helpers import TOKEN, analysed_example

OVERLAP_RULES = ("R01a", "R01b", "R02", "R03")


def page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def block(text: str, name: str):
    """The JSON a page carries for a chart."""
    m = re.search(rf'<script type="application/json" id="{name}-data">(.*?)</script>', text, re.S)
    assert m, f"no {name} chart data"
    return json.loads(m.group(1))


def total_at(client, href: str) -> int:
    text = page(client, unescape(href))
    return int(re.search(r'<span id="total">共 (\d+) 条</span>', text).group(1))


def expected(found: list[dict]) -> dict:
    """The counts every chart should show, from the findings themselves."""
    cells, pairs, per_dept = Counter(), Counter(), Counter()
    for f in found:
        depts = sorted(set(f["departments"]))
        per_dept.update(depts)
        cells.update((d, f["rule"]) for d in depts)
        pairs.update(combinations(depts, 2))
    return {"severity": Counter(f["severity"] for f in found), "rule": Counter(f["rule"] for f in found),
            "cells": cells, "pairs": pairs, "per_dept": per_dept}


def check_run_page(client, run: str, found: list[dict], follow_links: int | None = None) -> dict:
    """The results page's charts against ``found``; follows every link (or the first ``follow_links`` of each)."""
    from quanze.api.web import rule_titles

    text = page(client, f"/analyses/{run}")
    want = expected(found)
    severity, rules, heat, graph = (block(text, n) for n in ("severity", "rule", "heatmap", "overlap"))
    assert [s["name"] for s in severity] == [s for s in "红黄蓝" if want["severity"][s]]
    assert {s["name"]: s["value"] for s in severity} == dict(want["severity"])
    assert {r["name"]: r["value"] for r in rules} == dict(want["rule"])
    titles = rule_titles()
    assert all(r["title"] == titles[r["name"]] and re.search(r"[\u4e00-\u9fff]", r["title"]) for r in rules)
    cells = {(heat["departments"][c["value"][1]], heat["rules"][c["value"][0]]): c["value"][2] for c in heat["cells"]}
    assert cells == dict(want["cells"])
    assert heat["max"] == max(want["cells"].values())
    assert {(e["source"], e["target"]): e["value"] for e in graph["edges"]} == dict(want["pairs"])
    linked = {d for pair in want["pairs"] for d in pair}
    assert {n["name"]: n["value"] for n in graph["nodes"]} == {d: want["per_dept"][d] for d in linked}
    for n in graph["nodes"][:follow_links]:  # a node opens its department's page, and its findings list
        assert f"<h1>{n['name']}</h1>" in page(client, n["page"])
        assert total_at(client, n["href"]) == n["value"]
    # the plain tables carry the same numbers without scripts
    assert len(re.findall(r'<table id="heatmap-table">.*?</table>', text, re.S)) == 1
    edge_rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td><a href=\"[^\"]+\">(\d+)</a></td></tr>",
                           re.search(r'<table id="overlap-edges">.*?</table>', text, re.S).group(0))
    assert {(a, b): int(n) for a, b, n in edge_rows} == dict(want["pairs"])
    # every bar, cell and edge leads to a findings list of its size
    for rows, value in ((severity, lambda x: x["value"]), (rules, lambda x: x["value"]),
                        (heat["cells"], lambda x: x["value"][2]), (graph["edges"], lambda x: x["value"])):
        for x in rows[:follow_links]:
            assert total_at(client, x["href"]) == value(x), x["href"]
    return {"heat": heat, "graph": graph, "text": text}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    client, ds, run, everything = analysed_example(tmp_path_factory.mktemp("svc"), sorted(EXAMPLE.glob("*.xlsx")))
    assert everything["total"] == len(everything["findings"]) > 20
    return client, ds, run, everything["findings"]


def test_the_example_results_charts_count_what_the_findings_list_holds(checked):
    client, _, run, found = checked
    shown = check_run_page(client, run, found)
    assert len(shown["graph"]["edges"]) >= 3 and len(shown["heat"]["departments"]) >= 5


def test_the_bars_of_the_overview_are_proportional_to_the_counts(checked):
    client, _, run, _ = checked
    text = page(client, f"/analyses/{run}")
    for table in ("by-severity", "by-rule", "by-department"):
        rows = re.findall(r'<a href="[^"]+">(\d+)</a> <span class="bar" style="width: (\d+)px">',
                          re.search(rf'<table id="{table}">.*?</table>', text, re.S).group(0))
        counts = [int(n) for n, _ in rows]
        assert len(set(counts)) > 1, table  # else nothing to compare
        top = max(counts)
        for n, width in rows:
            assert abs(int(width) - int(n) / top * 240) <= 0.5, (table, n, width)


def test_the_pages_load_the_vendored_library_from_the_service(checked):
    client, _, run, _ = checked
    text = page(client, f"/analyses/{run}")
    scripts = re.findall(r'<script src="([^"]+)"', text)
    assert "/static/echarts/echarts.min.js" in scripts and all(s.startswith("/static/") for s in scripts)
    lib = client.get("/static/echarts/echarts.min.js")
    assert lib.status_code == 200 and len(lib.data) > 500_000
    lib.close()
    readme = (EXAMPLE.parents[1] / "api" / "static" / "echarts" / "README.md").read_text(encoding="utf-8")
    import hashlib
    digest = hashlib.sha256((EXAMPLE.parents[1] / "api" / "static" / "echarts" / "echarts.min.js").read_bytes())
    assert digest.hexdigest() in readme and "Apache License" in (EXAMPLE.parents[1] / "api" / "static" / "echarts"
                                                                   / "LICENSE").read_text(encoding="utf-8")


def test_the_department_graph_leads_to_the_findings_of_two_departments_and_to_their_pages(checked):
    client, ds, run, found = checked
    overlaps = [f for f in found if f["rule"] in OVERLAP_RULES]
    want = expected(overlaps)
    center = want["per_dept"].most_common(1)[0][0]
    listing = page(client, f"/datasets/{ds}")
    href = next(unquote(h) for h in re.findall(r'href="(/datasets/[^"]+/departments/[^"]+)"', listing)
                if unquote(h).endswith(center.removeprefix("明川县")))
    text = page(client, href)
    assert "<svg" not in text.split("<h2>与其他部门的交叉</h2>")[1]  # the static star graph is gone
    graph = block(text, "overlap")
    assert graph["center"] == center and graph["edges"]
    neighbours = {b if a == center else a for a, b in want["pairs"] if center in (a, b)}
    assert {n["name"] for n in graph["nodes"]} == {center} | neighbours
    keep = {center} | neighbours
    assert {(e["source"], e["target"]): e["value"] for e in graph["edges"]} == {
        p: n for p, n in want["pairs"].items() if set(p) <= keep}
    for e in graph["edges"]:
        assert total_at(client, e["href"]) == e["value"]
        assert all(d in unquote(e["href"]) for d in (e["source"], e["target"])) and "rule=R01a" in unquote(e["href"])
    for n in graph["nodes"]:
        if n["name"] != center:  # a node opens its department's page
            assert f"<h1>{n['name']}</h1>" in page(client, n["page"])
    # the table beside it: the edges from this department, each a link to its findings
    rows = re.findall(r"<tr><td>([^<]+)</td><td><a href=\"([^\"]+)\">(\d+)</a></td></tr>",
                      re.search(r'<table id="overlaps">.*?</table>', text, re.S).group(0))
    assert {d: int(n) for d, _, n in rows} == {(b if a == center else a): n for (a, b), n in want["pairs"].items()
                                                if center in (a, b)}
    assert all(total_at(client, h) == int(n) for _, h, n in rows)


def test_the_findings_list_filters_findings_concerning_both_departments(checked):
    """The list's department filter, given two, keeps the findings that concern both (in SQL)."""
    client, _, run, found = checked
    (a, b), n = expected(found)["pairs"].most_common(1)[0]
    listed = client.get(f"/api/analyses/{run}/findings", query_string={"department": [a, b], "per_page": 500}).json
    assert listed["total"] == n == sum(1 for f in found if {a, b} <= set(f["departments"]))
    alone = client.get(f"/api/analyses/{run}/findings", query_string={"department": a, "per_page": 1}).json
    assert alone["total"] > n or alone["total"] == n == sum(a in f["departments"] for f in found)


def test_the_simulation_sankey_carries_its_moves_and_what_stays(checked):
    client, ds, _, _ = checked
    body = (EXAMPLE.parent / "scenarios" / "approval-bureau.yaml").read_text(encoding="utf-8")
    sid = client.post("/api/scenarios", data=body, content_type="application/yaml", headers=TOKEN).json["id"]
    sim = client.post(f"/api/scenarios/{sid}/simulations", json={"dataset_id": ds}, headers=TOKEN).json["id"]
    for _ in range(600):
        state = client.get(f"/api/simulations/{sim}").json
        if state["status"] in ("完成", "失败", "中断"):
            break
        time.sleep(0.1)
    assert state["status"] == "完成"
    result = state["result"]
    text = page(client, f"/simulations/{sim}")
    sankey = block(text, "sankey")
    names = [n["name"] for n in sankey["nodes"]]
    assert len(names) == len(set(names))
    flows = Counter((m["from"], m["to"]) for m in result["moved"])
    moved_links = {(l["source"], l["target"]): l["value"] for l in sankey["links"] if l["target"] != "留在原部门"}
    assert sum(moved_links.values()) == len(result["moved"]) and len(moved_links) == len(flows)
    assert {(a, b.removesuffix("（承接）")): n for (a, b), n in moved_links.items()} == dict(flows)
    before = result["counts"]["before"]["totals"]
    stays = {l["source"]: l["value"] for l in sankey["links"] if l["target"] == "留在原部门"}
    assert stays and moved_links
    for origin in {m["from"] for m in result["moved"]}:
        left = before[origin] - len({m["id"] for m in result["moved"] if m["from"] == origin})
        assert stays.get(origin, 0) == left
    kept = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>",
                      re.search(r'<table id="sankey-stays">.*?</table>', text, re.S).group(0))
    assert {o: (int(b), int(m), int(k)) for o, b, m, k in kept} == {
        o: (before[o], before[o] - stays.get(o, 0), stays.get(o, 0)) for o in {m["from"] for m in result["moved"]}}
    table = re.search(r'<table id="sankey-table">.*?</table>', text, re.S).group(0)
    assert sum(int(n) for n in re.findall(r"<td>(\d+)</td><td>\d+</td></tr>", table)) == len(result["moved"])


@pytest.mark.slow
def test_the_real_lists_results_charts_count_what_the_findings_list_holds(tmp_path):
    if not KLMY.exists():
        pytest.skip(f"{KLMY} is not available (../shared is absent)")
    client, _, run, everything = analysed_example(tmp_path, sorted(p for p in KLMY.iterdir()
                                                                   if p.suffix in (".xls", ".xlsx", ".csv")))
    found = everything["findings"]
    assert everything["total"] > 500  # the findings API's pages hold them all
    if len(found) < everything["total"]:
        found = [f for n in range(1, -(-everything["total"] // 500) + 1)
                 for f in client.get(f"/api/analyses/{run}/findings?per_page=500&page={n}").json["findings"]]
    assert len(found) == everything["total"]
    check_run_page(client, run, found, follow_links=8)
