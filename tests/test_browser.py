"""The pages in headless Chromium (Debian's chromium driven by Playwright): upload a list, run a
check, open a finding, review it, restart the service, and find the review still there.

Skipped when Chromium or Playwright is missing; `.ci/run` installs both.
"""

import pytest

from conftest import EXAMPLE
from helpers import CHROMIUM, CHROMIUM_FLAGS as FLAGS, served

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


@pytest.fixture()
def server(tmp_path):
    with served(tmp_path / "data") as srv:
        yield srv


def test_analyst_reviews_a_finding_and_it_survives_a_restart(server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(server.url + "/")
        page.set_input_files("input[name=files]", [str(f) for f in sorted(EXAMPLE.glob("*.xlsx"))])
        page.click("text=上传并导入")
        page.wait_for_selector("text=导入报告")
        assert "导入 106 个事项" in page.inner_text("main")
        page.fill("input[name=rules]", "R01,R06")
        page.click("text=开始检查")
        page.wait_for_selector("text=概况", timeout=60_000)
        page.click("a[href^='/findings/']")
        page.wait_for_selector("text=涉及事项")
        finding_url = page.url
        assert "来源：" in page.inner_text("main")
        page.select_option("select[name=status]", "已确认")
        page.fill("input[name=reviewer]", "张三")
        page.fill("input[name=comment]", "两部门职责确有交叉")
        page.click("text=保存")
        page.wait_for_selector("text=两部门职责确有交叉")
        assert page.inner_text("#review-status") == "已确认"

        server.stop()
        server.start()
        page.goto(finding_url)
        assert page.inner_text("#review-status") == "已确认"
        assert "两部门职责确有交叉" in page.inner_text("main")
        browser.close()
