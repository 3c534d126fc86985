"""Pages for people (issue 16): Chinese HTML error pages for page routes (problem+json stays for /api/),
the token asked once per browser session, times in 北京时间, a message after saving a review and the
reviewer's name remembered."""

from __future__ import annotations

import datetime
import re

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait

from quanze.api.http import create_app

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture()
def client(tmp_path):
    return create_app(tmp_path / "data", token="s3cret").test_client()


def token_labels(text: str) -> list[str]:
    return re.findall(r'<label class="token"( hidden)?>', text)


def test_page_routes_answer_errors_as_chinese_pages_and_the_api_as_problem_json(client):
    for url in ("/no/such/page", "/datasets/nothing", "/analyses/nothing", "/findings/nothing"):
        r = client.get(url)
        text = r.get_data(as_text=True)
        assert r.status_code == 404 and r.content_type.startswith("text/html"), url
        assert '<html lang="zh-CN">' in text and ("未找到" in text or "没有" in text), url
    r = client.get("/no/such/page")
    assert "没有这个资源" in r.get_data(as_text=True) and "数据集列表" in r.get_data(as_text=True)
    for url in ("/api/no/such", "/api/datasets/nothing"):
        r = client.get(url)
        assert r.status_code == 404 and r.content_type == "application/problem+json", url
    r = client.post("/datasets", data={"files": []})  # a page's form without the token
    text = r.get_data(as_text=True)
    assert r.status_code == 401 and r.content_type.startswith("text/html") and "令牌" in text
    assert "{" not in re.search(r'<p class="error" role="alert" id="error-detail">([^<]*)</p>', text).group(1)
    r = client.post("/api/datasets", data={})
    assert r.status_code == 401 and r.content_type == "application/problem+json"
    r = client.open("/datasets", method="PATCH", headers=TOKEN)
    assert r.status_code == 405 and r.content_type.startswith("text/html") and "不支持" in r.get_data(as_text=True)


def test_the_token_is_asked_once_per_browser_session(client):
    assert token_labels(client.get("/").get_data(as_text=True)) == [""]  # asked
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    r = client.post(f"/datasets/{ds}/analyses", data={"rules": "R01", "token": "s3cret"})
    assert r.status_code == 303 and "quanze_token=" in r.headers["Set-Cookie"]
    assert "Max-Age" not in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]  # a session cookie
    page = client.get(f"/datasets/{ds}").get_data(as_text=True)
    assert token_labels(page) and set(token_labels(page)) == {" hidden"}  # not asked again
    r = client.post(f"/datasets/{ds}/analyses", data={"rules": "R01"})  # the cookie carries it
    assert r.status_code == 303
    other = create_app(client.application.extensions["quanze"].store.folder, token="another").test_client()
    other.set_cookie("quanze_token", "s3cret")
    assert token_labels(other.get("/").get_data(as_text=True)) == [""]  # a stale token is asked again


def test_times_are_shown_in_beijing_time_and_reviews_say_they_were_saved(client):
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    created = datetime.datetime.fromisoformat(client.get(f"/api/datasets/{ds}").json["created"])
    assert created.utcoffset() == datetime.timedelta(0)  # kept in UTC
    listed = client.get("/").get_data(as_text=True)
    assert f"<td>{created.astimezone(BEIJING):%Y-%m-%d %H:%M}</td>" in listed and "北京时间" in listed
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01"}, headers=TOKEN).json["id"]
    wait(client, run)
    fp = client.get(f"/api/analyses/{run}/findings").json["findings"][0]["fingerprint"]
    r = client.post(f"/findings/{fp}/review", data={"status": "已确认", "reviewer": "张三", "token": "s3cret"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    at = datetime.datetime.fromisoformat(client.get(f"/api/findings/{fp}/review").json[-1]["at"])
    assert "核查已保存" in page and f"<td>{at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}</td>" in page
    assert 'name="reviewer" value="张三"' in page  # remembered for the next review
    other = client.get(f"/api/analyses/{run}/findings").json["findings"][1]["fingerprint"]
    assert 'name="reviewer" value="张三"' in client.get(f"/findings/{other}").get_data(as_text=True)
    assert 'name="reviewer" value="张三"' in client.get(f"/analyses/{run}").get_data(as_text=True)  # bulk form


def test_datasets_are_renamed_and_deleted_from_the_pages_and_the_api(client):
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    r = client.post(f"/datasets/{ds}/rename", data={"name": "明川县 2024 年清单", "token": "s3cret"})
    assert r.status_code == 303 and "已重命名" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/api/datasets/{ds}").json["name"] == "明川县 2024 年清单"
    assert client.post(f"/datasets/{ds}/rename", data={"name": " ", "token": "s3cret"}).status_code == 422
    r = client.patch(f"/api/datasets/{ds}", json={"name": "改过的名称"}, headers=TOKEN)
    assert r.status_code == 200 and r.json["name"] == "改过的名称"
    client.delete_cookie("quanze_token")  # the page's form left it for the session
    assert client.patch(f"/api/datasets/{ds}", json={"name": "x"}).status_code == 401
    assert client.patch("/api/datasets/nothing", json={"name": "x"}, headers=TOKEN).status_code == 404
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01"}, headers=TOKEN).json["id"]
    wait(client, run)
    data = client.application.extensions["quanze"].store.folder
    r = client.post(f"/datasets/{ds}/delete", data={"token": "s3cret"})
    assert r.status_code == 303 and "已删除数据集“改过的名称”" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/api/datasets/{ds}").status_code == 404 and client.get(f"/api/analyses/{run}").status_code == 404
    assert not (data / "uploads" / ds).exists() and not (data / "tables" / ds).exists()
