"""Defect (issue 16): the results page showed the first 500 of the 975 findings of the real lists, sorted
by rule code, with no pagination and no notice, so R08–R20 (38 red findings among them) never appeared
unless filtered, and the rule filter needed an exact code ("R01" found nothing).  Now the page says
共 N 条 and its 下一页 links reach every finding, red ones first."""

from __future__ import annotations

import re
from html import unescape

import pytest

from helpers import TOKEN, upload, wait

from quanze.api.http import create_app

pytestmark = pytest.mark.slow


def test_every_finding_of_the_real_lists_is_reached_page_by_page_and_red_come_first(klmy_dir, tmp_path):
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    r = upload(client, sorted(p for p in klmy_dir.iterdir() if p.suffix in (".xls", ".xlsx")))
    assert r.status_code == 201
    run = client.post(f"/api/datasets/{r.json['id']}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run, seconds=600)["status"] == "完成"
    every = client.get(f"/api/analyses/{run}/findings?per_page=500&page=1").json
    total = every["total"]
    assert total > 500
    found = [f for n in range(1, -(-total // 500) + 1)
             for f in client.get(f"/api/analyses/{run}/findings?per_page=500&page={n}").json["findings"]]
    assert len(found) == total

    seen, url, pages = [], f"/analyses/{run}", 0
    while url:
        text = client.get(url).get_data(as_text=True)
        assert f"共 {total} 条" in text
        seen += re.findall(r'href="/findings/([0-9a-f]{16})(?:\?[^"]*)?"', text)
        nxt = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', text)
        url, pages = (unescape(nxt.group(1)) if nxt else None), pages + 1
    assert pages == -(-total // 50) and seen == [f["fingerprint"] for f in found]
    red = [f for f in found if f["severity"] == "红"]
    assert found[:len(red)] == red and {f["rule"] for f in red} & {"R08", "R09", "R12", "R18"}
    assert client.get(f"/api/analyses/{run}/findings?rule=R01").json["total"] == len(
        [f for f in found if f["rule"] in ("R01a", "R01b")]) > 0
