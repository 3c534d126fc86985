"""The analyst's workbench in headless Chromium (issue 16): a refused upload keeps the chosen files and the
token is asked once; the check page; the findings list paged, filtered from a count and reviewed in bulk;
the Excel export as the list is filtered; Chinese error pages.  Screenshots go to build/screenshots/
(or $QUANZE_SCREENSHOTS), which the run leaves behind; every request must go to the service itself.

Skipped when Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import openpyxl
import pytest

from conftest import EXAMPLE
from helpers import CHROMIUM, CHROMIUM_FLAGS as FLAGS, served, screenshot, listed_total, foreign_requests

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


@pytest.fixture()
def server(tmp_path):
    with served(tmp_path / "data", "--token", "s3cret") as srv:
        yield srv


def shot(page, name: str) -> None:
    screenshot(page, f"workbench-{name}")


def test_an_analyst_uploads_checks_filters_reviews_and_exports(server, tmp_path):
    lists = [str(f) for f in sorted(EXAMPLE.glob("*.xlsx"))]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))

        # refused without the token: the reason above the form, the chosen files still chosen
        page.goto(server.url + "/")
        page.set_input_files("input[name=files]", lists)
        page.fill("input[name=region]", "明川县")
        page.click("text=上传并导入")
        page.wait_for_selector(".form-message.error")
        assert "令牌" in page.inner_text(".form-message")
        assert page.eval_on_selector("input[name=files]", "e => e.files.length") == len(lists)
        assert page.url.rstrip("/") == server.url
        shot(page, "1-upload-refused")
        page.fill("#upload-form input[name=token]", "s3cret")
        page.click("text=上传并导入")
        page.wait_for_selector("text=导入报告")
        assert "导入 106 个事项" in page.inner_text("main")
        assert not page.is_visible("input[name=token]")  # asked once for the session
        shot(page, "2-dataset")

        # the check page: every rule by theme; what cannot run, before the run
        page.click("#checklist")
        page.wait_for_selector("#blocked")
        assert "R05a" in page.inner_text("#blocked") and page.locator("fieldset.theme").count() >= 5
        shot(page, "3-check")
        page.click("text=开始检查")
        page.wait_for_selector("text=概况", timeout=90_000)
        everything = listed_total(page)
        assert everything > 30
        shot(page, "4-results")

        # a count leads to its list; the export follows the list's filters
        link = page.locator("#by-rule a").first
        n = int(link.inner_text())
        link.click()
        page.wait_for_selector("#total")
        assert listed_total(page) == n
        with page.expect_download() as download:
            page.click("#export")
        saved = tmp_path / "export.xlsx"
        download.value.save_as(saved)
        wb = openpyxl.load_workbook(saved)
        assert wb.sheetnames[:2] == ["汇总", "全部问题"] and wb["全部问题"].max_row == n + 1

        # pages of ten: 下一页
        page.goto(server.url + page.url[len(server.url):].split("?")[0] + "?per_page=10")
        first = page.locator("#finding-list a[href^='/findings/']").first.get_attribute("href")
        page.click("a[rel=next]")
        page.wait_for_selector("text=第 2 /")
        assert page.locator("#finding-list a[href^='/findings/']").first.get_attribute("href") != first

        # bulk review of the ticked rows
        page.check("#select-all")
        page.select_option("#bulk select[name=status]", "核查中")
        page.fill("#bulk input[name=reviewer]", "张三")
        page.click("text=保存勾选的核查")
        page.wait_for_selector(".notice")
        assert "已将 10 个问题的核查状态设为“核查中”" in page.inner_text(".notice")
        assert page.locator("#finding-list td:text-is('核查中')").count() == 10
        shot(page, "5-bulk-review")

        # an unknown address: a Chinese page, not JSON
        page.goto(server.url + "/no/such/page")
        assert "未找到" in page.inner_text("h1") and "数据集列表" in page.inner_text("main")
        shot(page, "6-not-found")
        browser.close()
    assert not foreign_requests(requested, server), foreign_requests(requested, server)
