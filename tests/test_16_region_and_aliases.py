"""Region and department names (issue 16): an upload takes a region for the files that name none, each
file's region is in the load report, and an analyst corrects or merges department names per dataset
(kept in the store, applied whenever the tables are read, written out as departments.yaml)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from conftest import EXAMPLE
from helpers import TOKEN, row, upload, wait, workbook

from quanze.api.http import create_app


def post(client, paths, region=None, token=True):
    data = {"files": [(open(p, "rb"), Path(p).name) for p in paths]}
    if region is not None:
        data["region"] = region
    try:
        return client.post("/api/datasets", data=data, content_type="multipart/form-data",
                           headers=TOKEN if token else {})
    finally:
        for f, _ in data["files"]:
            f.close()


@pytest.fixture()
def client(tmp_path):
    return create_app(tmp_path / "data", token="s3cret").test_client()


@pytest.fixture()
def regionless(tmp_path) -> Path:
    """A list whose file name and title name no region, its 实施主体 written as 农业农村局."""
    rows = [["序号", "事项名称", "子项名称", "权力类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"],
            row(1, "对农药经营者未取得许可经营农药的处罚", dept="农业农村局"),
            row(2, "对种子生产经营者未取得许可的处罚", dept="农业农村局")]
    return workbook(tmp_path / "2024年农业农村局权责清单.xlsx", {"农业农村局": rows}, title="2024年农业农村局权责清单")


def test_the_region_given_at_upload_names_the_departments_and_is_shown_per_file(client, regionless):
    alone = post(client, [regionless]).json
    assert alone["report"]["files"][0]["region"] == "" and alone["region"] == ""
    names = {d["name"] for d in client.get(f"/api/datasets/{alone['id']}/departments").json}
    assert not any(n.startswith("明川县") for n in names)
    given = post(client, [regionless], region="明川县")
    assert given.status_code == 201 and given.json["region"] == "明川县"
    assert given.json["report"]["files"][0]["region"] == "明川县"
    ds = given.json["id"]
    assert {d["name"] for d in client.get(f"/api/datasets/{ds}/departments").json} == {"明川县农业农村局"}
    page = client.get(f"/datasets/{ds}").get_data(as_text=True)
    assert re.search(r"<td>2024年农业农村局权责清单.xlsx</td><td>明川县</td>", page)
    assert "没有写明所属地区" in page  # the file's warning, in the report
    # read again after a restart, from the files (no tables kept): the same region
    import shutil

    data = Path(client.application.extensions["quanze"].store.folder)
    shutil.rmtree(data / "tables" / ds)
    again = create_app(data, token="s3cret").test_client()
    assert {d["name"] for d in again.get(f"/api/datasets/{ds}/departments").json} == {"明川县农业农村局"}


def test_a_region_that_is_not_a_place_is_refused(client, regionless):
    r = post(client, [regionless], region="农业农村局")
    assert r.status_code == 422 and r.content_type == "application/problem+json" and "无法识别地区" in r.json["detail"]
    data = {"files": [(open(regionless, "rb"), regionless.name)], "region": "火星", "token": "s3cret"}
    page = client.post("/datasets", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "无法识别地区“火星”" in page.get_data(as_text=True)
    assert client.get("/api/datasets").json == []


def test_the_upload_page_has_a_region_field(client, regionless):
    assert 'name="region"' in client.get("/").get_data(as_text=True)
    data = {"files": [(open(regionless, "rb"), regionless.name)], "region": "明川县", "token": "s3cret"}
    r = client.post("/datasets", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    assert "明川县农业农村局" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_merging_a_department_is_kept_applied_to_checks_and_written_as_departments_yaml(client, tmp_path):
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    before = {d["name"]: d["items"] for d in client.get(f"/api/datasets/{ds}/departments").json}
    old, new = "明川县食品药品监督管理局", "明川县市场监督管理局"
    assert before[old] > 0
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    wait(client, run)
    found = client.get(f"/api/analyses/{run}/findings?per_page=500").json["findings"]
    assert any(old in f["departments"] for f in found)

    r = client.put(f"/api/datasets/{ds}/aliases", json={"aliases": {old: new}}, headers=TOKEN)
    assert r.status_code == 200 and r.json == {"aliases": {old: new}}
    after = {d["name"]: d["items"] for d in client.get(f"/api/datasets/{ds}/departments").json}
    assert old not in after and after[new] == before[new] + before[old]
    assert sum(after.values()) == sum(before.values())
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    wait(client, run)
    merged = client.get(f"/api/analyses/{run}/findings?per_page=500").json["findings"]
    assert not any(old in f["departments"] for f in merged)  # the check reads the corrected names
    moved = {s["id"] for f in found for s in f["subjects"] if s["department"] == old}
    assert moved and {s["department"] for f in merged for s in f["subjects"] if s["id"] in moved} == {new}

    exported = yaml.safe_load(client.get(f"/api/datasets/{ds}/aliases?format=yaml").get_data(as_text=True))
    assert exported == {"departments": {"市场监督管理局": ["食品药品监督管理局"]}}
    # a new process on the same store: the alias is still applied
    again = create_app(Path(client.application.extensions["quanze"].store.folder), token="s3cret").test_client()
    assert old not in {d["name"] for d in again.get(f"/api/datasets/{ds}/departments").json}
    assert again.get(f"/api/datasets/{ds}").json["aliases"] == {old: new}
    # undone: an empty table
    assert client.put(f"/api/datasets/{ds}/aliases", json={"aliases": {}}, headers=TOKEN).status_code == 200
    assert old in {d["name"] for d in client.get(f"/api/datasets/{ds}/departments").json}


def test_aliases_that_cannot_apply_are_refused_in_chinese(client):
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    for table, words in (({"明川县不存在局": "明川县市场监督管理局"}, "没有部门“明川县不存在局”"),
                         ({"明川县食品药品监督管理局": "明川县交通运输局", "明川县交通运输局": "明川县应急管理局"},
                          "本身也要改为")):
        r = client.put(f"/api/datasets/{ds}/aliases", json={"aliases": table}, headers=TOKEN)
        assert r.status_code == 422 and words in r.json["detail"], r.json
    assert client.get(f"/api/datasets/{ds}").json["aliases"] == {}
    assert client.put(f"/api/datasets/{ds}/aliases", json={"aliases": {}}).status_code == 401


def test_the_dataset_page_corrects_names(client):
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    page = client.get(f"/datasets/{ds}").get_data(as_text=True)
    names = re.findall(r'<input type="hidden" name="name" value="([^"]+)">', page)
    assert "明川县食品药品监督管理局" in names and "departments.yaml" in page
    canonical = ["明川县市场监督管理局" if n == "明川县食品药品监督管理局" else "" for n in names]
    r = client.post(f"/datasets/{ds}/aliases", data={"name": names, "canonical": canonical, "token": "s3cret"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "部门名称更正已保存" in page and "已更正 1 个" in page
    links = re.findall(r'<a href="/datasets/[^/]+/departments/[^"]+">([^<]+)</a>', page)
    assert "明川县食品药品监督管理局" not in links and "明川县市场监督管理局" in links



def test_the_real_list_without_its_city_loads_under_the_region_given(klmy_dir, client):
    src = klmy_dir / "2024年市农业农村局权责清单.xls"
    alone = post(client, [src]).json
    names = {d["name"]: d["items"] for d in client.get(f"/api/datasets/{alone['id']}/departments").json}
    assert "市级农业农村局" in names  # the symptom, without a region
    given = post(client, [src], region="克拉玛依市").json
    assert given["report"]["files"][0]["region"] == "克拉玛依市"
    names = {d["name"]: d["items"] for d in client.get(f"/api/datasets/{given['id']}/departments").json}
    assert max(names, key=names.get) == "克拉玛依市农业农村局"
