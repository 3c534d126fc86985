"""A finding's page (issue 16): its items side by side with 事项名称, 实施依据, 责任事项, 层级, 承办机构,
追责情形, the differences marked; the shared provisions with the article's text from the law library; the
evidence in Chinese sentences; links to each item, its department and the previous/next finding of the list
it was opened from (filters and sort carried there and back)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait

from quanze.api.http import create_app
from quanze.loaders import LawLibrary


def unescape(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.fixture(scope="module")
def checked(tmp_path_factory, mini_laws):
    """The example uploaded to a service with the small law library, and the whole catalogue run."""
    app = create_app(tmp_path_factory.mktemp("svc"), token="s3cret", laws=LawLibrary(mini_laws))
    client = app.test_client()
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run)["status"] == "完成"
    findings = client.get(f"/api/analyses/{run}/findings?per_page=500").json["findings"]
    return client, app.extensions["quanze"], ds, run, findings


def listed(client, run, **query) -> list[str]:
    """The fingerprints of a findings list page, in the order it shows them."""
    page = client.get(f"/analyses/{run}", query_string={**query, "per_page": 500}).get_data(as_text=True)
    return re.findall(r'name="fingerprint" value="(\w+)"', page)


def link(page: str, rel: str) -> str | None:
    m = re.search(rf'<a rel="{rel}" id="{rel}" href="([^"]+)"', page)
    return html.unescape(m.group(1)) if m else None


def pair(findings, tables):
    """A finding on two items of different departments whose names differ."""
    for f in findings:
        s = f["subjects"]
        if len(s) == 2 and s[0]["department"] != s[1]["department"] and s[0]["name"] != s[1]["name"] \
                and all(x["id"] in tables.position for x in s):
            return f
    raise AssertionError("the example has no such finding")


def row_of(page: str, field: str) -> str:
    m = re.search(rf'<tr class="(\w+)" data-field="{field}">(.*?)</tr>', page, re.S)
    assert m, field
    return m.group(0)


def test_items_side_by_side_with_their_differences_marked(checked):
    client, svc, ds, run, findings = checked
    tables = svc.load(ds).tables
    f = pair(findings, tables)
    records = [tables.item(s["id"]) for s in f["subjects"]]
    page = client.get(f"/findings/{f['fingerprint']}?run={run}").get_data(as_text=True)
    for field in ("name", "basis_text", "responsibilities_text", "levels", "unit", "accountability"):
        values = [getattr(r, field) for r in records]
        values = ["、".join(v) if isinstance(v, list) else v for v in values]
        if not any(values):
            continue
        row = row_of(page, field)
        differs = values[0].strip() != values[1].strip()
        assert row.startswith(f'<tr class="{"differs" if differs else "same"}"'), (field, values)
        assert ('<span class="marker">不同</span>' in row) == differs
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert [unescape(c) for c in cells] == [v or "（未填写）" for v in values]  # nothing lost or added
    # the names differ: within each, the words the other lacks are marked, and only those
    row = row_of(page, "name")
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    for n, cell in enumerate(cells):
        marked = [html.unescape(x) for x in re.findall(r'<ins class="only"[^>]*>(.*?)</ins>', cell)]
        assert marked, cell
        other = records[1 - n].name
        assert any(m not in other for m in marked)
        assert all(m in records[n].name for m in marked)
    assert row_of(page, "department").startswith('<tr class="differs"')
    # links: each item's page and its department's page
    for r in records:
        href = f"/datasets/{ds}/items/{r.id}"
        assert f'href="{href}"' in page
        item_page = client.get(href).get_data(as_text=True)
        assert r.title in item_page and f["fingerprint"] in item_page  # the item's page lists this finding
        dept = re.search(rf'<a id="item-department" href="([^"]+)">{re.escape(r.department)}</a>', item_page)
        assert dept and client.get(html.unescape(dept.group(1))).status_code == 200
        assert html.escape(dept.group(1)) in page or dept.group(1) in page


def test_shared_provisions_show_the_article_text_from_the_law_library(checked, mini_laws):
    client, svc, ds, run, findings = checked
    tables = svc.load(ds).tables
    c = tables.citations
    law = (mini_laws / "社会法" / "安全生产法(2021-06-10).md").read_text(encoding="utf-8")
    text = next(line for line in law.splitlines() if line.startswith("第九十七条"))
    shared = [f for f in findings if len(f["subjects"]) > 1 and all(
        "安全生产法#97" in set(c[c["item_id"] == s["id"]]["article_key"]) for s in f["subjects"])]
    assert shared
    for f in shared:
        page = client.get(f"/findings/{f['fingerprint']}?run={run}").get_data(as_text=True)
        block = page[page.index('id="provisions"'):page.index("<h2>证据</h2>")]
        assert "《安全生产法》第97条" in block and html.escape(text) in block


def test_evidence_is_written_in_chinese_without_internal_notation(checked):
    client, _, _, run, findings = checked
    for f in findings:
        page = client.get(f"/findings/{f['fingerprint']}?run={run}").get_data(as_text=True)
        m = re.search(r'<ul id="evidence">(.*?)</ul>', page, re.S)
        if not m:
            continue
        text = unescape(m.group(1))
        assert "#" not in text and "item:" not in text and "prov:" not in text, (f["rule"], text)
        assert not re.search(r"\['|'\]|\[\"|\b[0-9a-f]{16}\b|\|", text), (f["rule"], text)
        assert re.search(r"[\u4e00-\u9fff]", text)


@pytest.mark.parametrize("query", [{"rule": "R01"}, {"severity": "红", "sort": "department", "order": "desc"},
                                   {}, {"q": "安全生产", "sort": "item"}])
def test_previous_and_next_lead_to_the_neighbours_in_the_filtered_order(checked, query):
    client, _, _, run, _ = checked
    order = listed(client, run, **query)
    assert len(order) >= 2
    # the list's links carry the filter and the sort to the finding page
    first = client.get(f"/analyses/{run}", query_string=query).get_data(as_text=True)
    href = html.unescape(re.search(r'href="(/findings/\w+\?[^"]+)"', first).group(1))
    args = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert args.pop("run") == run and args == {k: v for k, v in query.items() if not (k == "order" and v == "asc")}
    # walk the list by 下一条 from its first finding: the list's order, each with its 上一条 and position
    walked, url = [], href
    while url:
        page = client.get(url).get_data(as_text=True)
        fp = urlsplit(url).path.rsplit("/", 1)[1]
        k = len(walked)
        assert f"第 {k + 1} 条，共 {len(order)} 条" in page
        prev = link(page, "prev")
        assert (urlsplit(prev).path.rsplit("/", 1)[1] if prev else None) == (order[k - 1] if k else None)
        walked.append(fp)
        url = link(page, "next")
        if url:
            assert {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} == {**args, "run": run}
    assert walked == order
    # back to the list: the same filter, at the page holding the finding
    back = html.unescape(re.search(r'id="back" href="([^"#]+)', page).group(1))
    assert {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()} == args


def test_a_review_returns_to_the_finding_in_the_same_list(checked):
    client, _, _, run, _ = checked
    order = listed(client, run, rule="R01")
    r = client.post(f"/findings/{order[1]}/review?run={run}&rule=R01", headers=TOKEN,
                    data={"status": "核查中", "reviewer": "张三", "comment": ""})
    assert r.status_code == 303
    args = parse_qs(urlsplit(r.location).query)
    assert args["rule"] == ["R01"] and args["run"] == [run] and args["saved"] == ["1"]
    page = client.get(r.location).get_data(as_text=True)
    assert "核查已保存" in page and link(page, "prev").startswith(f"/findings/{order[0]}?")


def test_a_finding_outside_the_filter_says_so_and_an_unknown_one_is_404(checked):
    client, _, _, run, findings = checked
    f = next(f for f in findings if not f["rule"].startswith("R01"))
    page = client.get(f"/findings/{f['fingerprint']}?run={run}&rule=R01").get_data(as_text=True)
    assert "不在当前筛选的列表中" in page and 'rel="next"' not in page
    assert client.get("/findings/0000000000000000").status_code == 404


def test_the_real_lists_finding_pages(tmp_path, klmy_dir, laws_dir):
    """On the 16 real lists with the law corpus: the overlap findings' pages walk in the list's order, show
    the shared article's text when the corpus has it, and mark differences."""
    client = create_app(tmp_path, token="s3cret", laws=LawLibrary(laws_dir)).test_client()
    ds = upload(client, sorted(klmy_dir.iterdir())).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01a,R01b,R03"}, headers=TOKEN).json["id"]
    assert wait(client, run, 600)["status"] == "完成"
    order = listed(client, run, rule="R01a")
    assert len(order) > 2
    with_text = 0
    for k, fp in enumerate(order[:20]):
        page = client.get(f"/findings/{fp}?run={run}&rule=R01a").get_data(as_text=True)
        prev, nxt = link(page, "prev"), link(page, "next")
        assert (prev and f"/findings/{order[k - 1]}?" in prev) or (k == 0 and prev is None)
        assert (nxt and f"/findings/{order[k + 1]}?" in nxt) or (k == len(order) - 1 and nxt is None)
        assert 'id="compare"' in page
        with_text += '<div class="article">' in page
    assert with_text > 0


def test_an_article_text_runs_to_the_next_article(mini_laws):
    doc = LawLibrary(mini_laws).lookup("中华人民共和国安全生产法")
    law = doc.path.read_text(encoding="utf-8").splitlines()
    assert doc.article(1) == next(x for x in law if x.startswith("第一条"))
    assert "第二条" not in doc.article(1) and doc.article(97).startswith("第九十七条 ")
    assert doc.article(98) == ""  # the version has no such article


@pytest.mark.slow
def test_every_finding_page_of_the_real_lists_renders_with_plain_evidence(tmp_path, klmy_dir, laws_dir):
    client = create_app(tmp_path, token="s3cret", laws=LawLibrary(laws_dir)).test_client()
    ds = upload(client, sorted(klmy_dir.iterdir())).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run, 900)["status"] == "完成"
    findings, page_no = [], 1
    while True:
        batch = client.get(f"/api/analyses/{run}/findings?per_page=500&page={page_no}").json["findings"]
        findings += batch
        if len(batch) < 500:
            break
        page_no += 1
    assert len(findings) > 500
    for f in findings:
        r = client.get(f"/findings/{f['fingerprint']}?run={run}")
        assert r.status_code == 200, f["rule"]
        m = re.search(r'<ul id="evidence">(.*?)</ul>', r.get_data(as_text=True), re.S)
        if m:
            text = unescape(m.group(1))
            assert "#" not in text and "item:" not in text and not re.search(r"\['|'\]", text), (f["rule"], text)
