"""14-16: "a review can be stored for a fingerprint that does not exist (must be 404); a 414 (URI too long) comes back as HTML (must be problem+json under /api/, with Chinese detail)"."""

import http.client
import json

from helpers import Server

from quanze.api.http import create_app


def test_no_review_for_a_finding_that_does_not_exist(tmp_path):
    app = create_app(tmp_path / "data")
    client = app.test_client()
    r = client.put("/api/findings/nothing/review", json={"status": "已确认"})
    assert r.status_code == 404 and r.content_type == "application/problem+json" and "没有问题" in r.json["detail"]
    r = client.post("/findings/nothing/review", data={"status": "已确认", "comment": "属实"})  # the page's form
    assert r.status_code == 404 and "没有问题 nothing" in r.get_data(as_text=True)
    assert app.extensions["quanze"].store.reviews("nothing") == []


def test_a_uri_too_long_is_problem_json_in_chinese(tmp_path):
    srv = Server(tmp_path / "data", "--workers", "1").start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 9000
        conn.request("GET", f"/api/datasets/x/sparql?query={query.replace(' ', '%20')}")
        r = conn.getresponse()
        body = r.read()
        assert r.status == 414 and r.getheader("Content-Type").startswith("application/problem+json")
        problem = json.loads(body)
        assert problem["status"] == 414 and "过长" in problem["detail"] and problem["title"] == "请求地址过长"
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)  # the service still answers
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
    finally:
        srv.kill()
