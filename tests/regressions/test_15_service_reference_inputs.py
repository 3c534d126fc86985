"""15: "from the web and the API rules R05a/R05b (三定 duties), R07 (通用目录), R11 (已取消事项), R14 (乡镇模板)
can never run: the service never passes reference inputs (they are reported skipped: 缺少输入)"."""

from pathlib import Path

import pytest
from conftest import EXAMPLE
from helpers import TOKEN, wait

from quanze.api.http import create_app
from quanze.pipeline import analyze, example_inputs

NEEDING_INPUTS = ("R05a", "R05b", "R07", "R11", "R14")


def _post(client, url, fields: dict[str, list[Path]]):
    data = {field: [(open(p, "rb"), p.name) for p in paths] for field, paths in fields.items()}
    try:
        return client.post(url, data=data, content_type="multipart/form-data", headers=TOKEN)
    finally:
        for handles in data.values():
            for f, _ in handles:
                f.close()


def _findings(client, run_id) -> set[tuple[str, str]]:
    body = client.get(f"/api/analyses/{run_id}/findings", query_string={"per_page": 500}).json
    assert body["total"] <= 500
    return {(f["rule"], f["fingerprint"]) for f in body["findings"]}


def _analyse(client, ds) -> dict:
    run = client.post(f"/api/datasets/{ds}/analyses", json={"rules": ",".join(NEEDING_INPUTS)}, headers=TOKEN)
    assert run.status_code == 202
    return wait(client, run.json["id"])


@pytest.fixture()
def client(tmp_path):
    return create_app(tmp_path / "data", token="s3cret").test_client()


def test_reference_files_uploaded_with_the_lists_make_every_rule_run(client):
    inputs = example_inputs()
    r = _post(client, "/api/datasets", {"files": sorted(EXAMPLE.glob("*.xlsx")), **inputs})
    assert r.status_code == 201, r.json
    report = r.json["report"]["inputs"]
    assert set(report["attached"]) == {"catalogue", "township", "cancelled", "duties", "lineage"}
    assert {f["role"] for f in r.json["files"]} == {"lists", *report["attached"]}
    assert all(f["rows"] for f in report["files"] if f["role"] != "lineage")
    done = _analyse(client, r.json["id"])
    assert done["status"] == "完成"
    assert {x["id"]: x["status"] for x in done["rules"]} == {rule: "ok" for rule in NEEDING_INPUTS}
    # the same findings as the pipeline gives the CLI for the same files
    expected = analyze([EXAMPLE], selection=",".join(NEEDING_INPUTS), **inputs).result
    assert _findings(client, done["id"]) == {(f.rule, f.fingerprint) for f in expected.findings}
    assert {f.rule for f in expected.findings} >= {"R05a", "R07", "R11", "R14"}


def test_reference_files_added_later_make_the_rules_run(client):
    ds = _post(client, "/api/datasets", {"files": sorted(EXAMPLE.glob("*.xlsx"))}).json["id"]
    before = _analyse(client, ds)
    assert {x["id"]: x["reason"] for x in before["rules"] if x["status"] == "skipped"}.keys() == set(NEEDING_INPUTS)
    assert "缺少输入" in client.get(f"/analyses/{before['id']}").get_data(as_text=True)
    r = _post(client, f"/api/datasets/{ds}/inputs", example_inputs())
    assert r.status_code == 201, r.json
    after = _analyse(client, ds)
    assert all(x["status"] == "ok" for x in after["rules"]) and after["findings"] > 0


def test_a_bad_reference_file_is_rejected_in_chinese_and_shown_in_the_report(client, tmp_path):
    ds = _post(client, "/api/datasets", {"files": sorted(EXAMPLE.glob("*.xlsx"))}).json["id"]
    page = tmp_path / "三定职责.xlsx"
    page.write_text("<html><body>不是表格</body></html>", encoding="utf-8")
    lineage = tmp_path / "沿革.yaml"
    lineage.write_text("events:\n  - type: 合并\n    from: 甲\n", encoding="utf-8")
    r = _post(client, f"/api/datasets/{ds}/inputs", {"duties": [page], "lineage": [lineage]})
    assert r.status_code == 415 and "三定职责.xlsx" in r.json["detail"] and "Traceback" not in r.json["detail"]
    assert client.get(f"/api/datasets/{ds}").json["report"]["inputs"]["files"] == []  # nothing was kept
    # a good file with a bad one: kept, and the bad one's rejections are in the report and on the page
    r = _post(client, f"/api/datasets/{ds}/inputs", {"duties": [page, example_inputs()["duties"][0]]})
    assert r.status_code == 201
    bad = next(f for f in r.json["report"]["inputs"]["files"] if f["file"] == page.name)
    assert bad["rows"] == 0 and bad["label"] == "三定职责" and bad["rejected"][0]["reason"]
    text = client.get(f"/datasets/{ds}").get_data(as_text=True)
    assert "三定职责.xlsx" in text and bad["rejected"][0]["reason"] in text


def test_the_upload_page_and_the_api_document_name_the_roles(client):
    text = client.get("/").get_data(as_text=True)
    for field, label in (("duties", "三定职责"), ("catalogue", "通用目录"), ("cancelled", "已取消事项"),
                         ("township", "乡镇模板"), ("lineage", "沿革")):
        assert f'name="{field}"' in text and label in text
    spec = client.get("/openapi.json").json
    assert "/api/datasets/{dataset_id}/inputs" in spec["paths"]
    described = str(spec["paths"]["/api/datasets"]["post"]) + str(spec["components"])
    assert "三定职责" in described and "通用目录" in described
