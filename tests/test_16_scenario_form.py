"""Issue 16: the scenario form (Chinese labels), its preview, the checks at save, edit/copy/delete and comparison."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from scenario_helpers import SCENARIOS, bureau_form, save_form, service_with_example, simulate_page  # noqa: E402

from quanze.pipeline import prepare  # noqa: E402
from quanze.reform import read_scenario  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return service_with_example(tmp_path_factory.mktemp("scenario-form") / "data")


@pytest.fixture(scope="module")
def items(served):
    from scenario_helpers import EXAMPLE

    return prepare(sorted(EXAMPLE.glob("*.xlsx"))).tables.items


def saved(client) -> int:
    return len(client.get("/api/scenarios").json)


def test_the_form_offers_the_datasets_departments_and_chinese_labels(served, items):
    client, ds = served
    page = client.get(f"/scenarios/new?dataset_id={ds}").get_data(as_text=True)
    for label in ("原部门", "权力类别", "事项名称关键词", "承接机构", "新设机构", "方式", "留在原部门", "预览", "保存方案"):
        assert label in page
    offered = set(re.findall(r'<select name="departments"[^>]*>(.*?)</select>', page, re.S)[0].split("</option>"))
    assert len([o for o in offered if "option" in o]) == items["department"].nunique()
    assert 'id="dept-filter"' in page  # the department list is searchable
    assert "高级：直接编辑 YAML" in page


def test_preview_counts_what_the_selectors_pick_by_department_and_category(served, items):
    client, ds = served
    before = saved(client)
    page = client.post("/scenarios/new", data=bureau_form(ds, action="preview")).get_data(as_text=True)
    licences = items[items["category"] == "行政许可"]
    assert int(re.search(r'id="preview-count">(\d+)<', page).group(1)) == len(licences)
    section = page[page.index('id="preview-result"'):]
    for dept, n in licences["department"].value_counts().items():
        assert f"<tr><td>{dept}</td><td>{n}</td></tr>" in section
    assert "留在原部门的环节：事后监管" in section and "尚未保存" in section
    assert saved(client) == before  # a preview saves nothing
    # keywords and departments narrow the choice
    dept = licences["department"].iloc[0]
    page = client.post("/scenarios/new", data=bureau_form(ds, action="preview", departments=[dept])).get_data(as_text=True)
    assert int(re.search(r'id="preview-count">(\d+)<', page).group(1)) == (licences["department"] == dept).sum()


@pytest.mark.parametrize("changes, field, words", [
    ({"departments": ["明川县宇宙管理局"]}, "原部门", "明川县宇宙管理局"),
    ({"categories": ["行政魔法"]}, "权力类别", "行政魔法"),
    ({"to": "审批大局", "create": ""}, "承接机构", "审批大局"),
    ({"to": ""}, "承接机构", "不能为空"),
    ({"categories": [], "keywords": ""}, "选择范围", "至少填一项"),
    ({"keywords": "不会出现在任何事项里的词"}, "选择范围", "没有选中任何事项"),
    ({"name": ""}, "方案名称", "不能为空"),
])
def test_save_refuses_what_the_dataset_cannot_support_naming_the_field(served, changes, field, words):
    client, ds = served
    before = saved(client)
    form = bureau_form(ds, name=changes.get("name", "拒绝保存的方案"), **{k: v for k, v in changes.items() if k != "name"})
    r = client.post("/scenarios/new", data=form)
    page = r.get_data(as_text=True)
    problems = re.findall(r"<li>(.*?)</li>", page[page.index('id="problems"'):page.index("</ul>", page.index('id="problems"'))])
    assert r.status_code == 422 and any(p.startswith(field + "：") and words in p for p in problems), problems
    assert saved(client) == before
    if form["name"]:
        assert f'value="{form["name"]}"' in page  # what was typed is still there
    if form.get("keywords"):
        assert f'value="{form["keywords"]}"' in page


def test_saved_form_is_the_yaml_structure_and_can_be_edited_copied_and_deleted(served):
    client, ds = served
    sid = save_form(client, bureau_form(ds, name="表单方案", reserve="吊销", follow=["行政检查"]))
    body = client.get(f"/api/scenarios").json
    stored = next(s for s in body if s["id"] == sid)
    doc = yaml.safe_load(client.application.extensions["quanze"].store.scenario(sid)["body"])
    assert doc["create"] == [{"name": "行政审批局"}]
    pkg = doc["packages"][0]
    assert pkg["select"] == {"categories": ["行政许可"]} and pkg["to"] == "行政审批局" and pkg["mode"] == "划转"
    assert pkg["keep_at_origin"] == ["事后监管"] and pkg["reserve"] == ["吊销"]
    assert pkg["follow"] == [{"categories": ["行政检查"], "via": "provision"}]
    assert stored["name"] == "表单方案"
    # edit: the form comes back filled, and saving changes the stored scenario
    page = client.get(f"/scenarios/{sid}/edit").get_data(as_text=True)
    assert 'value="表单方案"' in page and 'value="吊销"' in page
    r = client.post(f"/scenarios/{sid}/edit", data=bureau_form(ds, name="表单方案（改）", keywords="建设"))
    assert r.status_code == 303
    doc = yaml.safe_load(client.application.extensions["quanze"].store.scenario(sid)["body"])
    assert doc["name"] == "表单方案（改）" and doc["packages"][0]["select"]["keywords"] == ["建设"]
    # a refused edit leaves the stored scenario as it was
    r = client.post(f"/scenarios/{sid}/edit", data=bureau_form(ds, name="表单方案（坏）", to="审批大局", create=""))
    assert r.status_code == 422
    assert client.application.extensions["quanze"].store.scenario(sid)["name"] == "表单方案（改）"
    # copy
    r = client.post(f"/scenarios/{sid}/copy", data={"token": "s3cret"})
    copy = r.headers["Location"].split("/")[-1].split("?")[0]
    assert client.application.extensions["quanze"].store.scenario(copy)["name"] == "表单方案（改）（副本）"
    # delete asks first, then removes it
    assert "confirm(" in client.get(f"/scenarios/{copy}").get_data(as_text=True)
    r = client.post(f"/scenarios/{copy}/delete", data={"token": "s3cret"})
    assert r.status_code == 303 and client.application.extensions["quanze"].store.scenario(copy) is None
    assert "已删除方案" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/scenarios/{copy}/edit").status_code == 404


def test_yaml_stays_available_and_is_checked_against_a_dataset(served):
    client, ds = served
    body = (SCENARIOS / "approval-bureau.yaml").read_text(encoding="utf-8")
    r = client.post("/scenarios", data={"body": body, "dataset_id": ds, "token": "s3cret"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"].split("?")[0] + "/edit").get_data(as_text=True)
    assert 'value="相对集中行政许可权改革：设立行政审批局"' in page  # a simple YAML scenario opens in the form


def test_two_simulations_side_by_side(served):
    client, ds = served
    a = simulate_page(client, save_form(client, bureau_form(ds, name="全部许可")), ds)
    body = (SCENARIOS / "township-delegation.yaml").read_text(encoding="utf-8")
    r = client.post("/scenarios", data={"body": body, "dataset_id": ds, "token": "s3cret"})
    b = simulate_page(client, r.headers["Location"].split("/")[-1].split("?")[0], ds)
    listing = client.get("/scenarios").get_data(as_text=True)
    assert 'id="compare-form"' in listing and a in listing and b in listing
    page = client.get(f"/simulations/compare?a={a}&b={b}").get_data(as_text=True)
    sa, sb = (client.get(f"/api/simulations/{s}").json["result"] for s in (a, b))
    moved = re.search(r"<tr><td>划转事项</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert (int(moved.group(1)), int(moved.group(2))) == (len({e["id"] for e in sa["moved"]}),
                                                         len({e["id"] for e in sb["moved"]}))
    assert "明川县行政审批局" in page and "明川县自然资源局" in page
    assert client.get(f"/simulations/compare?a={a}&b=nothing").status_code == 404
    # the API's comparison counts as the page does (one row per moved item, not per township)
    api = client.get(f"/api/simulations/compare?a={a}&b={b}").json
    assert (api["a"]["moved"], api["b"]["moved"]) == (int(moved.group(1)), int(moved.group(2)))
    assert api["difference"]["moved"] == api["b"]["moved"] - api["a"]["moved"]


def test_the_api_checks_a_scenario_against_a_dataset_when_asked(served):
    from helpers import TOKEN

    client, ds = served
    before = saved(client)
    body = (SCENARIOS / "approval-bureau.yaml").read_text(encoding="utf-8").replace("    to: 行政审批局", "    to: 审批大局")
    r = client.post(f"/api/scenarios?dataset_id={ds}", data=body, content_type="application/yaml", headers=TOKEN)
    assert r.status_code == 422 and any("审批大局" in p for p in r.json["errors"]["scenario"])
    r = client.post("/api/scenarios?dataset_id=nothing", data=body, content_type="application/yaml", headers=TOKEN)
    assert r.status_code == 422 and "没有数据集 nothing" in r.json["detail"]
    assert saved(client) == before
