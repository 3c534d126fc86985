"""The HTTP service through Flask's test client: upload, analyse as a job, review, restart."""

import time

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait

from quanze.api.http import create_app


@pytest.fixture()
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture()
def client(data_dir):
    return create_app(data_dir, token="s3cret").test_client()


def test_upload_analyse_review_and_restart(client, data_dir):
    files = sorted(EXAMPLE.glob("*.xlsx"))
    r = upload(client, files)
    assert r.status_code == 201 and r.json["report"]["items"] == 106
    assert {f["name"] for f in r.json["files"]} == {p.name for p in files}  # kept under their uploaded names
    ds = r.json["id"]
    r = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01,R13"}, headers=TOKEN)
    assert r.status_code == 202
    done = wait(client, r.json["id"])
    assert done["status"] == "完成" and done["progress"] == 100 and done["findings"] > 0
    page = client.get(f"/api/analyses/{done['id']}/findings?rule=R01b").json
    assert page["total"] == 2
    finding = page["findings"][0]
    assert finding["sources"][0]["file"].endswith(".xlsx") and finding["review"] == "待核查"
    fp = finding["fingerprint"]
    r = client.put(f"/api/findings/{fp}/review", json={"status": "已确认", "comment": "属实", "reviewer": "张三"},
                   headers=TOKEN)
    assert r.status_code == 200 and r.json["status"] == "已确认"
    client.put(f"/api/findings/{fp}/review", json={"status": "已整改", "reviewer": "李四"}, headers=TOKEN)

    # a new service on the same data folder: everything is still there
    again = create_app(data_dir, token="s3cret").test_client()
    assert [h["status"] for h in again.get(f"/api/findings/{fp}/review").json] == ["已确认", "已整改"]
    assert again.get(f"/api/datasets/{ds}").json["report"]["items"] == 106
    # uploading the same lists again: the review follows the finding by its fingerprint
    ds2 = upload(again, files).json["id"]
    run2 = again.post(f"/api/datasets/{ds2}/analyses", json={"rules": "R01b"}, headers=TOKEN).json["id"]
    wait(again, run2)
    reviewed = again.get(f"/api/analyses/{run2}/findings?status=已整改").json
    assert [f["fingerprint"] for f in reviewed["findings"]] == [fp]


def test_writes_need_the_token(client):
    r = upload(client, [next(EXAMPLE.glob("*.xlsx"))], headers={})
    assert r.status_code == 401 and r.content_type == "application/problem+json" and "令牌" in r.json["detail"]
    assert client.get("/api/datasets").status_code == 200  # reading needs none


def test_errors_are_problem_json_in_chinese(client, tmp_path):
    r = client.get("/api/datasets/nothing")
    assert r.status_code == 404 and r.content_type == "application/problem+json" and "没有数据集" in r.json["detail"]
    page = tmp_path / "清单.xlsx"
    page.write_text("<html><body>not a workbook</body></html>", encoding="utf-8")
    r = upload(client, [page])
    assert r.status_code == 415 and "网页" in r.json["detail"] and "Traceback" not in r.get_data(as_text=True)
    r = client.put("/api/findings/x/review", json={"status": "完成了"}, headers=TOKEN)
    assert r.status_code == 422 and "status：应为以下之一" in r.json["detail"]
    r = client.post("/api/datasets/x/analyses", json={"rules": "R99"}, headers=TOKEN)
    assert r.status_code == 404


def test_a_bad_rule_selection_is_refused_before_the_job(client):
    ds = upload(client, [next(EXAMPLE.glob("*.xlsx"))]).json["id"]
    r = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R99"}, headers=TOKEN)
    assert r.status_code == 422 and "没有这些规则：R99" in r.json["detail"]


def test_an_upload_over_the_limit_gets_413(data_dir):
    client = create_app(data_dir, token="s3cret", max_upload=10_000).test_client()
    r = upload(client, sorted(EXAMPLE.glob("*.xlsx")))
    assert r.status_code == 413 and r.content_type == "application/problem+json" and "上限" in r.json["detail"]


def test_uploaded_names_never_reach_the_file_system(client, data_dir):
    src = next(EXAMPLE.glob("*.xlsx"))
    data = {"files": [(open(src, "rb"), "../../etc/清单.xlsx")]}
    r = client.post("/api/datasets", data=data, content_type="multipart/form-data", headers=TOKEN)
    data["files"][0][0].close()
    assert r.status_code == 201
    stored = [p.name for p in (data_dir / "uploads").rglob("*") if p.is_file()]
    assert len(stored) == 1 and ".." not in stored[0] and "/" not in stored[0]


def test_schema_migrations_run_once_and_keep_data(data_dir):
    from quanze.api.store import MIGRATIONS, Store

    store = Store(data_dir)
    store.add_review("abc", "已确认")
    assert Store(data_dir).migrate() == len(MIGRATIONS) and Store(data_dir).review_status("abc") == "已确认"


def test_openapi_document_lists_the_paths_scripts_rely_on(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path, method in [("/healthz", "get"), ("/api/datasets", "post"), ("/api/datasets", "get"),
                         ("/api/datasets/{dataset_id}", "get"), ("/api/datasets/{dataset_id}", "delete"),
                         ("/api/datasets/{dataset_id}/analyses", "post"), ("/api/analyses/{analysis_id}", "get"),
                         ("/api/analyses/{analysis_id}/findings", "get"), ("/api/findings/{fingerprint}", "get"),
                         ("/api/findings/{fingerprint}/review", "put"), ("/api/findings/{fingerprint}/review", "get")]:
        assert method in spec["paths"][path], (path, method)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One service with the example uploaded, shared by the read-only tests below."""
    client = create_app(tmp_path_factory.mktemp("svc"), token="s3cret").test_client()
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    return client, ds


def test_departments_items_and_an_item_with_its_neighbourhood(loaded):
    client, ds = loaded
    depts = client.get(f"/api/datasets/{ds}/departments").json
    assert sum(d["items"] for d in depts) == 106 and depts[0]["name"] == "明川县市场监督管理局"
    page = client.get(f"/api/datasets/{ds}/items?category=行政处罚&q=非法占用土地&per_page=2").json
    assert page["total"] == 4 and len(page["items"]) == 2
    item_id = next(i["id"] for i in client.get(f"/api/datasets/{ds}/items?q=对农村村民非法占用土地建住宅").json["items"])
    detail = client.get(f"/api/datasets/{ds}/items/{item_id}").json
    assert detail["department"] == "明川县自然资源局" and detail["bases"][0].startswith("《土地管理法》第七十八条第一款")
    assert {r["department"] for r in detail["related"]} == {"明川县青石镇人民政府"}  # the same provision elsewhere
    assert client.get(f"/api/datasets/{ds}/items/nope").status_code == 404


def test_sparql_is_read_only_and_bounded(loaded, monkeypatch):
    client, ds = loaded
    count = client.get(f"/api/datasets/{ds}/sparql",
                       query_string={"query": "SELECT (COUNT(?i) AS ?n) WHERE { ?i a qz:PowerItem }"}).json
    assert count == {"rows": [{"n": 106}]}
    r = client.get(f"/api/datasets/{ds}/sparql", query_string={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and "不支持更新" in r.json["detail"]
    import quanze.api.endpoints as endpoints

    monkeypatch.setattr(endpoints, "SPARQL_TIMEOUT", 0.05)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"  # no row before it has all
    r = client.get(f"/api/datasets/{ds}/sparql", query_string={"query": slow})
    assert r.status_code == 422 and "已停止" in r.json["detail"]


def test_exports_of_graph_and_findings(loaded):
    client, ds = loaded
    ttl = client.get(f"/api/datasets/{ds}/graph?format=ttl")
    assert ttl.status_code == 200 and b"qz:PowerItem" in ttl.data
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01"}, headers=TOKEN).json["id"]
    wait(client, run)
    csv = client.get(f"/api/analyses/{run}/export?format=csv")
    assert csv.status_code == 200 and "来源文件" in csv.data.decode("utf-8-sig")
    xlsx = client.get(f"/api/analyses/{run}/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_scenario_create_simulate_export_and_compare(loaded):
    client, ds = loaded
    body = (EXAMPLE.parent / "scenarios" / "approval-bureau.yaml").read_text(encoding="utf-8")
    sid = client.post("/api/scenarios", data=body, content_type="application/yaml", headers=TOKEN).json["id"]
    bad = client.post("/api/scenarios", json={"packages": [{"name": "包", "select": {"categories": ["行政许可"]}}]},
                      headers=TOKEN)
    assert bad.status_code == 422 and "缺少 to" in bad.json["detail"] and "第" in bad.json["detail"]
    sim = client.post(f"/api/scenarios/{sid}/simulations", json={"dataset_id": ds}, headers=TOKEN).json["id"]
    for _ in range(300):
        state = client.get(f"/api/simulations/{sim}").json
        if state["status"] in ("完成", "失败"):
            break
        time.sleep(0.1)
    assert state["status"] == "完成" and len(state["result"]["moved"]) == 26
    assert client.get(f"/api/simulations/{sim}/export").data[:2] == b"PK"
    assert client.get(f"/api/simulations/compare?a={sim}&b={sim}").json["difference"]["moved"] == 0


def test_pages_for_departments_scenarios_and_docs(loaded):
    import re
    from urllib.parse import quote

    client, ds = loaded
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01,R03"}, headers=TOKEN).json["id"]
    wait(client, run)
    page = client.get(f"/datasets/{ds}/departments/{quote('明川县|县|应急管理局')}").get_data(as_text=True)
    assert "按类别和层级" in page and 'id="overlap-data"' in page and "明川县交通运输局" in page
    assert client.get("/docs").get_data(as_text=True).count("<code>/api/") >= 15
    body = (EXAMPLE.parent / "scenarios" / "township-delegation.yaml").read_text(encoding="utf-8")
    r = client.post("/scenarios", data={"body": body, "token": "s3cret"})
    assert r.status_code == 303
    sim = client.post(r.headers["Location"] + "/simulations", data={"dataset_id": ds, "token": "s3cret"})
    for _ in range(300):
        text = client.get(sim.headers["Location"]).get_data(as_text=True)
        if "规则检查的变化" in text:
            break
        time.sleep(0.1)
    assert "保留在原部门（1）" in text and "吊销建筑施工企业安全生产许可证" in text
    bad = client.post("/scenarios", data={"body": "packages:\n  - name: x\n", "token": "s3cret"})
    assert bad.status_code == 422 and re.search("第2行.*缺少 select", bad.get_data(as_text=True))


def test_a_data_folder_of_the_previous_layout_is_moved_forward(data_dir):
    """Schema 2 kept files as <position>-<name> and could keep a dataset without its load report."""
    import shutil
    import sqlite3

    from quanze.api.service import Service
    from quanze.api.store import MIGRATIONS, Store
    from quanze.loaders import load_files
    from quanze.tables import build_tables

    files = sorted(EXAMPLE.glob("*.xlsx"))[:2]
    (data_dir / "uploads" / "old").mkdir(parents=True)
    db = sqlite3.connect(data_dir / "quanze.sqlite3")
    for n, script in enumerate(MIGRATIONS[:2], 1):
        db.executescript(f"begin; {script}; pragma user_version = {n}; commit;")
    db.execute("insert into datasets values ('old', '旧', 'now', '{}'), ('half', '半', 'now', null)")
    for pos, src in enumerate(files):
        shutil.copy(src, data_dir / "uploads" / "old" / f"{pos:03d}-{src.name}")
        db.execute("insert into files values ('old', ?, ?, ?, '', 0)", (pos, src.name, f"{pos:03d}-{src.name}"))
    db.execute("insert into runs (id, dataset_id, status, created) values ('r', 'old', '运行中', 'now')")
    db.commit()
    db.close()

    store = Store(data_dir)
    assert [d["id"] for d in store.datasets()] == ["old"]  # the one without a report is gone
    assert store.run("r")["status"] == "中断"
    stored = sorted(p.relative_to(data_dir / "uploads").as_posix() for p in (data_dir / "uploads").rglob("*")
                    if p.is_file())
    assert stored == [f"old/{pos:03d}/{src.name}" for pos, src in enumerate(files)]
    expected = build_tables(load_files(files).items).items["id"].tolist()
    assert Service(store).load("old").tables.items["id"].tolist() == expected
