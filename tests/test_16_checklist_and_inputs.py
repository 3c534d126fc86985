"""The check page and reference inputs (issue 16): every rule with its Chinese title, grouped by theme, as a
checklist with its parameters and their meaning; before the run, which rules cannot run and what they
need; reference files added on the dataset page or with POST /api/datasets/<id>/inputs (kind + file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait

from quanze.api.http import create_app
from quanze.pipeline import example_inputs
from quanze.rules.catalogue import load_catalogue
from quanze.rules.primitives import REGISTRY

INPUTS = EXAMPLE.parent / "mingchuan-inputs"


@pytest.fixture()
def client(tmp_path):
    return create_app(tmp_path / "data", token="s3cret").test_client()


@pytest.fixture()
def dataset(client):
    return upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]


def blocked_on(page: str) -> set[str]:
    box = re.search(r'<div id="blocked".*?</div>', page, re.S)
    return set(re.findall(r"<li>(R\d+[a-z]?) ", box.group(0))) if box else set()


def post_input(client, ds, kind, path: Path | None, **extra):
    data = {"kind": kind, **extra}
    if path is not None:
        data["file"] = [(open(path, "rb"), path.name)]
    try:
        return client.post(f"/api/datasets/{ds}/inputs", data=data, content_type="multipart/form-data",
                           headers=TOKEN)
    finally:
        for f, _ in data.get("file", []):
            f.close()


def test_every_rule_grouped_by_theme_with_its_title_and_parameters(client, dataset):
    page = client.get(f"/datasets/{dataset}/check").get_data(as_text=True)
    rules = load_catalogue()
    ticks = re.findall(r'<input type="checkbox" name="rule" value="([^"]+)"', page)
    assert sorted(ticks) == sorted(r.id for r in rules)  # each rule once
    assert len(re.findall(r"<legend>", page)) >= 5
    for r in rules:
        assert f"<strong>{r.id} {r.title}</strong>" in page
    r03 = next(r for r in rules if r.id == "R03")
    meaning = REGISTRY[r03.check].schema["threshold"].meaning
    block = page.split('id="rule-R03"', 1)[1].split('<div class="rule', 1)[0]
    assert meaning in block and f'value="{r03.params["threshold"]}"' in block


def test_the_page_says_before_the_run_which_rules_cannot_run_as_the_run_then_reports(client, dataset):
    page = client.get(f"/datasets/{dataset}/check").get_data(as_text=True)
    blocked = blocked_on(page)
    assert {"R05a", "R05b", "R07", "R11", "R14"} <= blocked and "需要三定职责表" in page
    run = client.post(f"/api/datasets/{dataset}/analyses", json={}, headers=TOKEN).json["id"]
    skipped = {r["id"] for r in wait(client, run)["rules"] if r["status"] == "skipped"}
    assert blocked == skipped
    for rid in blocked:  # a rule that cannot run is not ticked
        assert f'name="rule" value="{rid}" checked' not in page


def test_inputs_added_with_kind_and_file_let_the_rules_run(client, dataset):
    r = post_input(client, dataset, "duties", INPUTS / "duties-三定职责.xlsx")
    assert r.status_code == 201 and "duties" in r.json["report"]["inputs"]["attached"]
    assert {f["role"] for f in r.json["files"]} == {"lists", "duties"}
    page = client.get(f"/datasets/{dataset}/check").get_data(as_text=True)
    assert not {"R05a", "R05b"} & blocked_on(page) and {"R07", "R11", "R14"} <= blocked_on(page)
    r = post_input(client, dataset, "商品目录", INPUTS / "catalogue-县级权责清单通用目录（卫生健康）.xlsx")
    assert r.status_code == 422 and "kind 应为以下之一" in r.json["detail"]
    assert post_input(client, dataset, "catalogue", None).status_code == 400
    # the fields named by role still work beside kind + file
    files = {"catalogue": [(open(p, "rb"), p.name) for p in example_inputs()["catalogue"]]}
    r = client.post(f"/api/datasets/{dataset}/inputs", data=files, content_type="multipart/form-data", headers=TOKEN)
    assert r.status_code == 201 and "catalogue" in r.json["report"]["inputs"]["attached"]


def test_the_dataset_page_adds_an_input_by_kind(client, dataset):
    page = client.get(f"/datasets/{dataset}").get_data(as_text=True)
    assert 'name="kind"' in page and 'id="checklist"' in page
    path = INPUTS / "township-乡镇权责清单模板.xlsx"
    with open(path, "rb") as f:
        r = client.post(f"/datasets/{dataset}/inputs", data={"kind": "township", "file": [(f, path.name)],
                                                            "token": "s3cret"}, content_type="multipart/form-data")
    assert r.status_code == 303
    assert path.name in client.get(r.headers["Location"]).get_data(as_text=True)
    assert "R14" not in blocked_on(client.get(f"/datasets/{dataset}/check").get_data(as_text=True))


def test_the_checklist_starts_the_ticked_rules_with_the_changed_parameters(client, dataset):
    page = client.get(f"/datasets/{dataset}/check").get_data(as_text=True)
    ticked = re.findall(r'name="rule" value="([^"]+)" checked', page)
    r = client.post(f"/datasets/{dataset}/analyses", data={"checklist": "1", "rule": ticked, "token": "s3cret",
                                                           "set:R03.threshold": "0.7", "set:R10.threshold": "0.85"})
    assert r.status_code == 303
    run = client.get(f"/api/analyses/{r.headers['Location'].rsplit('/', 1)[1]}").json
    store = client.application.extensions["quanze"].store
    params = store.run(run["id"])["params"]
    assert params["rules"] is None  # every rule that can run: the whole catalogue
    assert sorted(params["settings"]) == ["R03.threshold=0.7", "R10.threshold=0.85"]
    r = client.post(f"/datasets/{dataset}/analyses", data={"checklist": "1", "rule": ["R01a", "R03"],
                                                           "set:R03.threshold": "0.7", "set:R10.threshold": "0.5",
                                                           "token": "s3cret"})
    params = store.run(r.headers["Location"].rsplit("/", 1)[1])["params"]
    assert params["rules"] == "R01a,R03" and params["settings"] == ["R03.threshold=0.7"]  # R10 not ticked
    r = client.post(f"/datasets/{dataset}/analyses", data={"checklist": "1", "token": "s3cret"})
    assert r.status_code == 422 and "请至少勾选一条规则" in r.get_data(as_text=True)
    r = client.post(f"/datasets/{dataset}/analyses", data={"checklist": "1", "rule": ["R03"],
                                                           "set:R03.threshold": "很高", "token": "s3cret"})
    assert r.status_code == 422 and "R03.threshold" in r.get_data(as_text=True)
