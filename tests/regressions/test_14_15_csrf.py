"""14-15: "served without `--token` (loopback), any web page the analyst visits can POST uploads and analyses cross-site"."""

import io

import pytest

from conftest import EXAMPLE

from quanze.api.http import create_app

FOREIGN = [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://localhost.evil.example"},
           {"Origin": "https://localhost"}, {"Referer": "http://evil.example/page.html"}]


def _files():
    src = next(EXAMPLE.glob("*.xlsx"))
    return {"files": [(io.BytesIO(src.read_bytes()), src.name)]}


@pytest.mark.parametrize("token", [None, "s3cret"])
def test_a_write_from_another_site_is_refused(tmp_path, token):
    client = create_app(tmp_path / "data", token=token).test_client()
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    for headers in FOREIGN:
        for method, path, kw in [("post", "/api/datasets", {"data": _files(), "content_type": "multipart/form-data"}),
                                 ("post", "/datasets", {"data": _files(), "content_type": "multipart/form-data"}),
                                 ("post", "/api/datasets/x/analyses", {"json": {}}),
                                 ("put", "/api/findings/x/review", {"json": {"status": "已确认"}}),
                                 ("delete", "/api/datasets/x", {})]:
            r = getattr(client, method)(path, headers={**headers, **auth}, **kw)
            if path.startswith("/api/"):
                assert r.status_code == 403 and r.content_type == "application/problem+json", (headers, path)
                assert "跨站" in r.json["detail"]
            else:  # a page's form: a Chinese page (issue 16)
                assert r.status_code == 403 and r.content_type.startswith("text/html"), (headers, path)
                assert "跨站" in r.get_data(as_text=True)
    assert client.get("/api/datasets").json == []  # nothing was uploaded


@pytest.mark.parametrize("token", [None, "s3cret"])
def test_the_services_own_pages_and_scripts_still_write(tmp_path, token):
    client = create_app(tmp_path / "data", token=token).test_client()
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    r = client.post("/api/datasets", data=_files(), content_type="multipart/form-data", headers=auth)  # a script
    assert r.status_code == 201
    for own in ({"Origin": "http://localhost"}, {"Referer": "http://localhost/datasets/x"}):
        r = client.post("/api/datasets", data=_files(), content_type="multipart/form-data", headers={**own, **auth})
        assert r.status_code == 201, own
    if token:  # the token is still needed from the own pages
        r = client.post("/api/datasets", data=_files(), content_type="multipart/form-data",
                        headers={"Origin": "http://localhost"})
        assert r.status_code == 401
    assert client.get("/", headers={"Origin": "http://evil.example"}).status_code == 200  # reading is not a write


def test_behind_a_tls_proxy_the_forwarded_origin_is_the_services_own(tmp_path):
    client = create_app(tmp_path / "data").test_client()
    proxied = {"Origin": "https://quanze.example.gov.cn", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "quanze.example.gov.cn"}
    assert client.post("/api/scenarios", data="name: x", headers=proxied).status_code != 403
    foreign = dict(proxied, Origin="https://evil.example")
    assert client.post("/api/scenarios", data="name: x", headers=foreign).status_code == 403
