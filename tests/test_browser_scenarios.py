"""Scenarios in headless Chromium (issue 16): fill the form, preview, save, run the simulation, compare two.
Screenshots go to build/screenshots/ (or $QUANZE_SCREENSHOTS); every request must go to the service itself.

Skipped when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import openpyxl
import pytest

from conftest import EXAMPLE
from helpers import CHROMIUM, CHROMIUM_FLAGS as FLAGS, served, screenshot, foreign_requests

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


@pytest.fixture()
def server(tmp_path):
    with served(tmp_path / "data", "--token", "s3cret") as srv:
        yield srv


def shot(page, name: str) -> None:
    screenshot(page, f"scenarios-{name}")


def run(page) -> dict[str, int]:
    """Start the simulation on the scenario page and wait for its counts."""
    page.click("#run")
    page.wait_for_selector("#counts", timeout=120_000)
    return {r.get_attribute("data-key"): int(r.locator("td").nth(1).inner_text())
            for r in page.locator("#counts tr[data-key]").all()}


def test_an_analyst_builds_previews_saves_runs_and_compares_scenarios(server, tmp_path):
    lists = [str(f) for f in sorted(EXAMPLE.glob("*.xlsx"))]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(server.url + "/")
        page.set_input_files("input[name=files]", lists)
        page.fill("#upload-form input[name=token]", "s3cret")
        page.click("text=上传并导入")
        page.wait_for_selector("text=导入报告")

        # the form: a wrong target is refused, what was typed stays
        page.goto(server.url + "/scenarios")
        page.click("#new-scenario")
        page.wait_for_selector("#scenario-form")
        page.fill("#name", "住建、自然资源许可划入审批局")
        page.fill("#dept-filter", "住房")
        assert page.locator("#departments option:not([hidden])").count() == 1
        page.select_option("#departments", ["明川县住房和城乡建设局", "明川县自然资源局"])
        page.fill("#to", "审批大局")
        page.uncheck("#create")
        page.click("#save")
        page.wait_for_selector("#problems")
        assert "承接机构：“审批大局”" in page.inner_text("#problems")
        assert page.input_value("#name") == "住建、自然资源许可划入审批局"
        shot(page, "1-refused")

        # preview, then save
        page.fill("#to", "行政审批局")
        page.check("#create")
        page.click("#preview")
        page.wait_for_selector("#preview-result")
        previewed = int(page.inner_text("#preview-count"))
        assert previewed > 0 and "明川县自然资源局" in page.inner_text("#preview-result")
        shot(page, "2-preview")
        page.click("#save")
        page.wait_for_selector("#run")
        assert "方案已保存" in page.inner_text(".notice")
        first = run(page)
        assert first["moved"] == previewed
        shot(page, "3-simulation")
        with page.expect_download() as download:
            page.click("#export")
        saved = tmp_path / "simulation.xlsx"
        download.value.save_as(saved)
        rows = list(openpyxl.load_workbook(saved)["汇总"].iter_rows(values_only=True))
        assert ("划转事项", first["moved"]) in [r[:2] for r in rows]
        assert ("新增交叉", first["new_overlaps"]) in [r[:2] for r in rows]

        # copy, widen the copy to every department, run it, compare the two
        page.goto(server.url + "/scenarios")
        page.click("text=住建、自然资源许可划入审批局")
        page.click("#copy")
        page.wait_for_selector("text=已复制方案")
        page.click("#edit")
        page.wait_for_selector("#scenario-form")
        assert page.input_value("#name").endswith("（副本）")
        page.select_option("#departments", [])
        page.click("#save")
        page.wait_for_selector("#run")
        second = run(page)
        assert second["moved"] > first["moved"]
        page.goto(server.url + "/scenarios")
        page.click("#compare")
        page.wait_for_selector("#compare-totals")
        moved = page.locator("#compare-totals tr", has_text="划转事项").first.locator("td")
        assert {int(moved.nth(1).inner_text()), int(moved.nth(2).inner_text())} == {first["moved"], second["moved"]}
        shot(page, "4-compare")

        # delete, after confirming
        page.goto(server.url + "/scenarios")
        page.click("text=（副本）")
        page.once("dialog", lambda d: d.accept())
        page.click("#delete")
        page.wait_for_selector("text=已删除方案")
        assert "（副本）" not in page.inner_text("#scenario-list")
        browser.close()
    assert not foreign_requests(requested, server), foreign_requests(requested, server)
