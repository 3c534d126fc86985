"""The charts in headless Chromium (issue 16): the results page's severity and rule bars, the department × rule
heatmap and the overlap graph, the department page's graph and a simulation's Sankey render (an SVG in each
chart, no script error), the bars are proportional, and clicking a bar, a heatmap cell or an edge lands on the
findings list with as many findings (共 N 条) as the chart showed.  Screenshots go to build/screenshots/ (or
$QUANZE_SCREENSHOTS); every request must go to the service itself.

Skipped when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import EXAMPLE
from helpers import CHROMIUM, CHROMIUM_FLAGS as FLAGS, served, screenshot, listed_total, foreign_requests

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
CHARTS = ("#severity-chart", "#rule-chart", "#heatmap-chart", "#overlap-chart")


@pytest.fixture()
def server(tmp_path):
    with served(tmp_path / "data") as srv:
        yield srv


def shot(page, name: str) -> None:
    screenshot(page, f"charts-{name}")


def data(page, name: str):
    return json.loads(page.eval_on_selector(f"script#{name}-data", "e => e.textContent"))


def pixel(page, chart: str, point: list) -> tuple[float, float]:
    """A data point of a chart's first series in page coordinates."""
    box = page.locator(chart).bounding_box()
    x, y = page.eval_on_selector(chart, "(el, p) => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, p)",
                                 point)
    return box["x"] + x, box["y"] + y


def test_charts_render_and_lead_to_their_findings(server):
    lists = [str(f) for f in sorted(EXAMPLE.glob("*.xlsx"))]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requested: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error"
                else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)

        page.goto(server.url + "/")
        page.set_input_files("input[name=files]", lists)
        page.click("text=上传并导入")
        page.wait_for_selector("text=导入报告")
        dataset = page.url
        page.click("text=开始检查")
        page.wait_for_url(re.compile(r".*/analyses/[0-9a-f]+$"))
        results = page.url
        page.wait_for_selector("#severity-chart svg", timeout=120_000)  # the page reloads itself when done

        # every chart is drawn, from the JSON the page carries
        for chart in CHARTS:
            assert page.locator(f"{chart} svg").count() == 1, chart
        assert page.eval_on_selector("#rule-chart", "el => el.querySelectorAll('path').length") > 3
        shot(page, "1-results")

        # proportional bars: the axis starts at 0 and every bar's length over its count is the same
        rules = data(page, "rule")
        assert len({r["value"] for r in rules}) > 1
        zero = pixel(page, "#rule-chart", [0, 0])[0]
        scales = [(pixel(page, "#rule-chart", [r["value"], i])[0] - zero) / r["value"] for i, r in enumerate(rules)]
        assert max(scales) - min(scales) < 1e-6 and min(scales) > 0
        assert page.eval_on_selector("#rule-chart", "el => echarts.getInstanceByDom(el).getModel()"
                                                    ".getComponent('xAxis').axis.scale.getExtent()[0]") == 0

        # a bar of the rule chart → its findings
        biggest = max(range(len(rules)), key=lambda i: rules[i]["value"])
        page.mouse.click(*pixel(page, "#rule-chart", [rules[biggest]["value"] / 2, biggest]))
        page.wait_for_url(lambda url: "rule=" in url)  # the results page has a #total too: wait for the list
        page.wait_for_selector("#total")
        assert parse_qs(urlparse(page.url).query)["rule"] == [rules[biggest]["name"]]
        assert listed_total(page) == rules[biggest]["value"]
        shot(page, "2-rule-bar-clicked")

        # a heatmap cell → the findings of that department and rule
        page.goto(results)
        page.wait_for_selector("#heatmap-chart svg")
        heat = data(page, "heatmap")
        cell = max(heat["cells"], key=lambda c: c["value"][2])
        page.locator("#heatmap-chart").scroll_into_view_if_needed()
        page.mouse.click(*pixel(page, "#heatmap-chart", cell["value"][:2]))
        page.wait_for_url(lambda url: "department=" in url)
        page.wait_for_selector("#total")
        query = parse_qs(urlparse(page.url).query)
        assert query["rule"] == [heat["rules"][cell["value"][0]]]
        assert query["department"] == [heat["departments"][cell["value"][1]]]
        assert listed_total(page) == cell["value"][2]
        shot(page, "3-heatmap-cell-clicked")

        # an edge of the overlap graph → the findings that concern both departments
        page.goto(results)
        page.wait_for_selector("#overlap-chart svg")
        graph = data(page, "overlap")
        page.locator("#overlap-chart").scroll_into_view_if_needed()
        points = page.eval_on_selector("#overlap-chart", """el => {
            const data = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData();
            const out = {};
            for (let i = 0; i < data.count(); i++) { out[data.getName(i)] = data.getItemLayout(i); }
            return out; }""")
        box = page.locator("#overlap-chart").bounding_box()

        def clearance(e):
            mx, my = [(a + b) / 2 for a, b in zip(points[e["source"]], points[e["target"]])]
            return min(((mx - x) ** 2 + (my - y) ** 2) ** .5 for x, y in points.values()), (mx, my)

        edge = max(graph["edges"], key=lambda e: clearance(e)[0])
        mx, my = clearance(edge)[1]
        page.mouse.click(box["x"] + mx, box["y"] + my)
        page.wait_for_url(lambda url: "department=" in url)
        page.wait_for_selector("#total")
        assert sorted(parse_qs(urlparse(page.url).query)["department"]) == sorted([edge["source"], edge["target"]])
        assert listed_total(page) == edge["value"]
        shot(page, "4-edge-clicked")

        # the department page's graph, in place of the static star
        page.goto(dataset)
        name = edge["source"]
        page.locator("a[href*='/departments/']", has_text=name.removeprefix("明川县")).first.click()
        page.wait_for_selector("#overlap-chart svg")
        ego = data(page, "overlap")
        assert ego["center"] == page.inner_text("h1") == name and ego["edges"]
        shot(page, "5-department")

        # a simulation's Sankey
        body = (EXAMPLE.parent / "scenarios" / "approval-bureau.yaml").read_text(encoding="utf-8")
        page.goto(server.url + "/scenarios")
        page.fill("textarea[name=body]", body)
        page.click("form[action='/scenarios'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/scenarios/[0-9a-f]+$"))
        page.click("form[action$='/simulations'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/simulations/[0-9a-f]+$"))
        page.wait_for_selector("#sankey-chart svg", timeout=120_000)
        sankey = data(page, "sankey")
        assert sankey["links"] and page.locator("#sankey-chart svg path").count() >= len(sankey["links"])
        shot(page, "6-sankey")
        browser.close()
    # no script error; the browser's own request for /favicon.ico aside, nothing a page names is missing
    assert [e for e in errors if not e.endswith("/favicon.ico")] == [] and missing == []
    assert not foreign_requests(requested, server), foreign_requests(requested, server)
