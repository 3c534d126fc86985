"""The findings list of a check (issue 16): paginated in SQL, sorted 红 → 黄 → 蓝 then by rule, filtered by
rule id, prefix or title, severity, department, status and text, every count linking to its list, and
bulk review of the ticked rows.  On the bundled example through Flask's test client."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, analysed_example


FINDING_LINK = re.compile(r'href="/findings/([0-9a-f]{16})[?"]')  # the list's query string follows (issue 16 finding page)
SEVERITY_RANK = {"红": 0, "黄": 1, "蓝": 2}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A service with the example uploaded and the whole catalogue run over it."""
    client, ds, run, everything = analysed_example(tmp_path_factory.mktemp("svc"), sorted(EXAMPLE.glob("*.xlsx")))
    assert everything["total"] == len(everything["findings"]) > 20
    return client, ds, run, everything["findings"]


def api(client, run, **params) -> dict:
    return client.get(f"/api/analyses/{run}/findings", query_string=params).json


def page_text(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def total_on(text: str) -> int:
    return int(re.search(r'<span id="total">共 (\d+) 条</span>', text).group(1))


def test_sorted_red_yellow_blue_then_by_rule_and_pages_cover_every_finding(checked):
    client, _, run, found = checked
    keys = [(SEVERITY_RANK[f["severity"]], f["rule"]) for f in found]
    assert keys == sorted(keys) and {k[0] for k in keys} == {0, 1, 2}
    pages = [api(client, run, page=n, per_page=7)["findings"] for n in range(1, 8)]
    joined = [f["fingerprint"] for p in pages for f in p]
    assert joined == [f["fingerprint"] for f in found]  # the pages, in order, are the whole list once


def test_the_page_shows_50_with_the_total_a_next_link_and_a_page_jump(checked):
    client, _, run, found = checked
    text = page_text(client, f"/analyses/{run}?per_page=10")
    assert total_on(text) == len(found) and f"第 1 / {-(-len(found) // 10)} 页" in text
    assert 'name="page" type="number"' in text  # the page jump
    headers = re.findall(r"<th><a [^>]*>([^<]+)</a></th>", re.search(r'<table id="finding-list">.*?</tr>', text,
                                                                      re.S).group(0))
    assert headers == ["严重程度", "规则", "部门", "事项", "问题", "核查状态"]
    seen, url = [], f"/analyses/{run}?per_page=10"
    while url:  # following 下一页 from the first page reaches every finding, in the list's order
        text = page_text(client, url)
        seen += FINDING_LINK.findall(text)
        nxt = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', text)
        url = unescape(nxt.group(1)) if nxt else None
    assert seen == [f["fingerprint"] for f in found]
    assert len(FINDING_LINK.findall(page_text(client, f"/analyses/{run}"))) == min(50, len(found))
    jumped = page_text(client, f"/analyses/{run}?per_page=10&page=2")
    assert FINDING_LINK.findall(jumped) == [f["fingerprint"] for f in found[10:20]]
    assert "<td>R01a 多头执法候选（共用条款）</td>" in page_text(client, f"/analyses/{run}?rule=R01a")  # titles


def test_the_rule_filter_takes_an_id_a_prefix_or_words_of_the_title(checked):
    client, _, run, found = checked
    r01 = {f["fingerprint"] for f in found if f["rule"].startswith("R01")}
    assert {f["rule"] for f in found if f["fingerprint"] in r01} == {"R01a", "R01b"}
    for given in ("R01", "r1", "R01a,R01b", "R01a，R01b"):
        assert {f["fingerprint"] for f in api(client, run, rule=given, per_page=500)["findings"]} == r01, given
    assert {f["rule"] for f in api(client, run, rule="R01a", per_page=500)["findings"]} == {"R01a"}
    by_title = api(client, run, rule="多头执法", per_page=500)["findings"]
    assert {f["rule"] for f in by_title} == {f["rule"] for f in found if "多头执法" in f["title"]}
    assert api(client, run, rule="R99")["total"] == 0
    text = page_text(client, f"/analyses/{run}?rule=R01")
    assert total_on(text) == len(r01)


def test_severity_department_status_and_text_filters(checked):
    client, _, run, found = checked
    red = [f["fingerprint"] for f in found if f["severity"] == "红"]
    assert [f["fingerprint"] for f in api(client, run, severity="红", per_page=500)["findings"]] == red
    dept = "明川县交通运输局"
    mine = [f["fingerprint"] for f in found if dept in f["departments"]]
    assert [f["fingerprint"] for f in api(client, run, department=dept, per_page=500)["findings"]] == mine
    assert api(client, run, department="交通", per_page=500)["total"] == len(
        [f for f in found if any("交通" in d for d in f["departments"])])  # not a department: words of a name
    pair = ["明川县交通运输局", "明川县应急管理局"]
    both = [f["fingerprint"] for f in found if set(pair) <= set(f["departments"])]
    assert both and [f["fingerprint"] for f in api(client, run, department=pair, per_page=500)["findings"]] == both
    text = [f["fingerprint"] for f in found if "施工许可" in f["message"] or
            any("施工许可" in s["name"] for s in f["subjects"])]
    assert [f["fingerprint"] for f in api(client, run, q="施工许可", per_page=500)["findings"]] == text
    page = page_text(client, f"/analyses/{run}?department={quote(dept)}&severity=红")
    assert total_on(page) == len([f for f in found if dept in f["departments"] and f["severity"] == "红"])
    assert f'<option value="{dept}">' in page  # the searchable list of the run's departments
    r = client.get(f"/api/analyses/{run}/findings?severity=紫")
    assert r.status_code == 422 and r.content_type == "application/problem+json"


def test_sortable_columns(checked):
    client, _, run, found = checked
    by_item = api(client, run, sort="item", per_page=500)["findings"]
    names = ["、".join(s["name"] for s in f["subjects"]) for f in by_item]
    assert names == sorted(names) and len(by_item) == len(found)
    down = api(client, run, sort="rule", order="desc", per_page=500)["findings"]
    assert [f["rule"] for f in down] == sorted((f["rule"] for f in found), reverse=True)
    text = page_text(client, f"/analyses/{run}?sort=department")
    assert "部门 ↑" in text and "sort=department&amp;order=desc" in text


def test_every_count_on_the_overview_links_to_its_list(checked):
    client, _, run, _ = checked
    text = page_text(client, f"/analyses/{run}")
    links = 0
    for table in ("by-severity", "by-rule", "by-department"):
        body = re.search(rf'<table id="{table}">.*?</table>', text, re.S).group(0)
        for href, n in re.findall(r'<a href="([^"]+)">(\d+)</a>', body):
            assert total_on(page_text(client, unescape(href))) == int(n), href
            links += 1
    assert links > 20
    widths = [int(w) for w in re.findall(r'width: (\d+)px', re.search(r'<table id="by-rule">.*?</table>', text,
                                                                      re.S).group(0))]
    counts = [int(n) for n in re.findall(r'>(\d+)</a> <span class="bar"', re.search(
        r'<table id="by-rule">.*?</table>', text, re.S).group(0))]
    assert widths[counts.index(max(counts))] == 240 and len(set(widths)) > 2  # proportional, not capped


def test_the_department_page_counts_link_to_the_findings_between_two_departments(checked):
    client, ds, run, found = checked
    text = page_text(client, f"/datasets/{ds}/departments/{quote('明川县|县|交通运输局')}")
    own = re.search(r'<a id="own-findings" href="([^"]+)">(\d+)</a>', text)
    assert int(own.group(2)) == len([f for f in found if "明川县交通运输局" in f["departments"]]) > 0
    assert total_on(page_text(client, unescape(own.group(1)))) == int(own.group(2))
    overlaps = re.findall(r'<td>([^<]+)</td><td><a href="([^"]+)">(\d+)</a></td>', text)
    assert overlaps
    for other, href, n in overlaps:
        listed = page_text(client, unescape(href))
        assert total_on(listed) == int(n) and other in listed


def test_bulk_review_of_the_ticked_rows(checked):
    client, _, run, found = checked
    chosen = [f["fingerprint"] for f in found if f["rule"] == "R20"]
    r = client.post(f"/api/analyses/{run}/reviews", json={"fingerprints": chosen, "status": "已确认",
                                                          "reviewer": "王五", "comment": "属实"}, headers=TOKEN)
    assert r.status_code == 200 and r.json == {"reviewed": len(chosen), "status": "已确认"}
    assert [f["fingerprint"] for f in api(client, run, status="已确认", per_page=500)["findings"]] == chosen
    assert client.get(f"/api/findings/{chosen[0]}/review").json[-1]["reviewer"] == "王五"
    # one fingerprint that is not the run's: nothing is written
    r = client.post(f"/api/analyses/{run}/reviews", json={"fingerprints": [found[0]["fingerprint"], "0" * 16],
                                                          "status": "已驳回"}, headers=TOKEN)
    assert r.status_code == 422 and "0" * 16 in r.json["detail"]
    assert api(client, run, status="已驳回")["total"] == 0
    assert client.post(f"/api/analyses/{run}/reviews", json={"fingerprints": chosen, "status": "已驳回"}).status_code \
        == 401
    # from the page: ticked rows, back to the same filtered page with a message
    r = client.post(f"/analyses/{run}/reviews?rule=R20&page=1", data={
        "fingerprint": chosen[:2], "status": "核查中", "reviewer": "赵六", "token": "s3cret"})
    assert r.status_code == 303 and "rule=R20" in r.headers["Location"]
    text = page_text(client, r.headers["Location"])
    assert "已将 2 个问题的核查状态设为“核查中”" in text and total_on(text) == len(chosen)
    assert api(client, run, status="核查中")["total"] == 2
    r = client.post(f"/analyses/{run}/reviews", data={"status": "核查中", "token": "s3cret"})
    assert r.status_code == 400 and "请先勾选" in r.get_data(as_text=True)


def test_findings_kept_by_an_older_schema_are_filtered_by_title_and_items(tmp_path):
    import json
    import sqlite3

    from quanze.api.store import MIGRATIONS, Store

    db = sqlite3.connect(tmp_path / "quanze.sqlite3")
    for n, script in enumerate(MIGRATIONS[:4], 1):
        db.executescript(f"begin; {script}; pragma user_version = {n}; commit;")
    db.execute("insert into datasets values ('d', '旧', 'now', '{}')")
    db.execute("insert into runs (id, dataset_id, status, created) values ('r', 'd', '完成', 'now')")
    finding = {"fingerprint": "f1", "rule": "R08", "title": "无法律依据", "severity": "红", "message": "没有依据。",
               "subjects": [{"name": "耕地地力保护补贴发放"}, {"name": "农机购置补贴"}], "departments": ["农业农村局"]}
    db.execute("insert into findings values ('r', 'f1', 'R08', '红', '农业农村局', ?)",
               (json.dumps(finding, ensure_ascii=False),))
    db.commit()
    db.close()
    store = Store(tmp_path)
    assert store.findings("r", rule="法律依据")[0] == 1 and store.findings("r", q="农机购置")[0] == 1
    assert store.findings("r", sort="item")[1][0]["fingerprint"] == "f1"
