"""15: "the service re-reads every dataset's Excel files after a restart, inside a page request"."""

import shutil

import pytest
from conftest import EXAMPLE
from helpers import TOKEN, upload, wait

from quanze import pipeline
from quanze.api.http import create_app
from quanze.loaders import pipeline as loaders_pipeline
from quanze.pipeline import example_inputs


def _no_reading(*_args, **_kwargs):
    raise AssertionError("the lists were read again")


def test_after_a_restart_the_pages_answer_from_the_kept_tables(tmp_path, monkeypatch):
    data = tmp_path / "data"
    first = create_app(data, token="s3cret").test_client()
    ds = upload(first, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    items = first.get(f"/api/datasets/{ds}/items?per_page=500").json
    depts = first.get(f"/api/datasets/{ds}/departments").json
    item = items["items"][0]["id"]
    detail = first.get(f"/api/datasets/{ds}/items/{item}").json
    assert list((data / "tables" / ds).glob("lists-*/items.parquet"))

    # no list is read again: the loader refuses, and the uploaded files are gone
    for module in (pipeline, loaders_pipeline):
        monkeypatch.setattr(module, "load_files", _no_reading)
    shutil.rmtree(data / "uploads" / ds)
    again = create_app(data, token="s3cret").test_client()
    page = again.get(f"/datasets/{ds}")
    assert page.status_code == 200 and depts[0]["name"] in page.get_data(as_text=True)
    assert again.get(f"/api/datasets/{ds}/items?per_page=500").json == items
    assert again.get(f"/api/datasets/{ds}/departments").json == depts
    assert again.get(f"/api/datasets/{ds}/items/{item}").json == detail
    assert again.get(f"/datasets/{ds}/departments/{depts[0]['id']}").status_code == 200
    run = again.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01,R13"}, headers=TOKEN).json["id"]
    assert wait(again, run)["status"] == "完成"


@pytest.mark.parametrize("missing", ["duties", "catalogue"])
def test_reference_tables_are_kept_too(tmp_path, monkeypatch, missing):
    from test_15_service_reference_inputs import _post

    data = tmp_path / "data"
    inputs = example_inputs()
    ds = _post(create_app(data, token="s3cret").test_client(), "/api/datasets",
               {"files": sorted(EXAMPLE.glob("*.xlsx")), **inputs}).json["id"]
    assert list((data / "tables" / ds).glob("inputs-*/duties.parquet"))
    assert list((data / "tables" / ds).glob("inputs-*/catalogue/items.parquet"))
    for module in (pipeline, loaders_pipeline):
        monkeypatch.setattr(module, "load_files", _no_reading)
    monkeypatch.setattr(pipeline, "load_duties", _no_reading)
    again = create_app(data, token="s3cret").test_client()
    rule = {"duties": "R05a", "catalogue": "R07"}[missing]
    run = again.post(f"/api/datasets/{ds}/analyses", json={"rules": rule}, headers=TOKEN).json["id"]
    done = wait(again, run)
    assert done["status"] == "完成" and done["rules"][0]["status"] == "ok" and done["findings"] > 0
