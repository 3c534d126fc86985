"""The load report and a finding's page in headless Chromium (issue 16): the report's row reconciliation and
law check; a finding opened from a filtered list, its items compared with the differences marked, the shared
article's text, 下一条/上一条 in the list's order and back to the list; an item's page.  Screenshots go to
build/screenshots/ (or $QUANZE_SCREENSHOTS), which the run leaves behind; every request must go to the service.

Skipped when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import pytest

from conftest import EXAMPLE
from helpers import CHROMIUM, CHROMIUM_FLAGS as FLAGS, served, screenshot, foreign_requests

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


@pytest.fixture()
def server(tmp_path, mini_laws):
    with served(tmp_path / "data", "--token", "s3cret", "--laws", str(mini_laws)) as srv:
        yield srv


def shot(page, name: str) -> None:
    screenshot(page, f"finding-{name}")


def test_an_analyst_reads_the_load_report_and_walks_the_findings(server, mini_laws):
    lists = [str(f) for f in sorted(EXAMPLE.glob("*.xlsx"))]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))

        page.goto(server.url + "/")
        page.set_input_files("input[name=files]", lists)
        page.fill("#upload-form input[name=token]", "s3cret")
        page.click("text=上传并导入")
        page.wait_for_selector("#load-report")

        # the load report: rows read = items + each reason; the law check with its items
        page.click("#load-report")
        page.wait_for_selector("#reconciliation")
        read, items = int(page.inner_text("#rows-read")), int(page.inner_text("#rows-items"))
        reasons = [int(t) for t in page.locator("[data-reason]").all_inner_texts()]
        assert read == items + sum(reasons) and items == 106
        assert "环境噪声污染防治法" in page.inner_text("#expired + details")
        shot(page, "1-load-report")
        page.click("text=所引条文在文件中不存在 >> xpath=following::a[1]")
        page.wait_for_selector("#item-fields")
        assert "第" in page.inner_text("#item-source") and "实施依据" in page.inner_text("#item-fields")
        shot(page, "2-item")

        # run the catalogue, then open the overlap findings (R01)
        page.go_back()
        page.click("text=← ")
        page.click("text=开始检查")
        page.wait_for_selector("text=概况", timeout=90_000)
        results = page.url.split("#")[0].split("?")[0]
        page.goto(results + "?rule=R01")
        page.wait_for_selector("#finding-list")
        listed = [a.get_attribute("href") for a in page.locator("#finding-list a[href^='/findings/']").all()]
        assert len(listed) >= 2
        page.click("#finding-list a[href^='/findings/']")
        page.wait_for_selector("#compare")
        assert "当前筛选下第 1 条" in page.inner_text("#position")
        # differences marked: a visible marker on the differing fields, highlighted words in long texts
        assert page.locator("#compare tr.differs .marker").count() >= 1
        assert page.locator("#compare ins.only").count() >= 1
        assert page.locator("#compare tr.same").count() >= 1
        # the shared article's text from the law library
        law = (mini_laws / "社会法" / "安全生产法(2021-06-10).md").read_text(encoding="utf-8")
        article = next(line for line in law.splitlines() if line.startswith("第九十七条"))
        assert article in page.inner_text(".article")
        assert "#" not in page.inner_text("#evidence")
        shot(page, "3-finding")

        # 下一条 leads to the list's second finding, 上一条 back; 返回问题列表 keeps the filter
        page.click("a#next")
        page.wait_for_selector("text=当前筛选下第 2 条")
        assert page.url.split(server.url)[1].split("?")[0] == listed[1].split("?")[0]
        shot(page, "4-next")
        page.click("a#prev")
        page.wait_for_selector("text=当前筛选下第 1 条")
        page.click("a#back")
        page.wait_for_selector("#finding-list")
        assert "rule=R01" in page.url and page.input_value("#filters input[name=rule]") == "R01"

        # an item of a finding: its page, its department
        page.click("#finding-list a[href^='/findings/']")
        page.click("#compare a.item-link")
        page.wait_for_selector("#item-fields")
        assert page.locator("#item-findings a").count() >= 1
        page.click("#item-department")
        page.wait_for_selector("h1")
        shot(page, "5-department")
        browser.close()
    assert not foreign_requests(requested, server), foreign_requests(requested, server)
