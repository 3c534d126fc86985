"""15: a simulation ran the whole catalogue over the dataset again although the dataset's latest analysis
had just done so; it starts from that analysis now (when it was the whole catalogue, with defaults, over
the same files), with the same result."""

import time

from conftest import EXAMPLE
from helpers import TOKEN, wait

from quanze.api import service as service_module
from quanze.api.http import create_app
from quanze.pipeline import example_inputs
from test_15_service_reference_inputs import _post

SCENARIO = EXAMPLE.parent / "scenarios" / "approval-bureau.yaml"


def _simulate(client, sid, ds) -> dict:
    sim = client.post(f"/api/scenarios/{sid}/simulations", json={"dataset_id": ds}, headers=TOKEN).json["id"]
    for _ in range(600):
        state = client.get(f"/api/simulations/{sim}").json
        if state["status"] in ("完成", "失败"):
            return state
        time.sleep(0.1)
    raise AssertionError(state)


def test_a_simulation_starts_from_the_latest_whole_catalogue_analysis(tmp_path, monkeypatch):
    befores = []
    real = service_module.simulate
    monkeypatch.setattr(service_module, "simulate",
                        lambda *a, **k: befores.append(k.get("before")) or real(*a, **k))
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    ds = _post(client, "/api/datasets", {"files": sorted(EXAMPLE.glob("*.xlsx"))}).json["id"]
    sid = client.post("/api/scenarios", data=SCENARIO.read_text(encoding="utf-8"), content_type="application/yaml",
                      headers=TOKEN).json["id"]
    alone = _simulate(client, sid, ds)  # no analysis yet: the simulation runs the catalogue itself
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run)["status"] == "完成"
    started = _simulate(client, sid, ds)
    assert befores[0] is None and befores[1] is not None
    assert {f.fingerprint for f in befores[1].findings} == {
        f["fingerprint"] for f in client.get(f"/api/analyses/{run}/findings?per_page=500").json["findings"]}
    assert started["result"] == alone["result"]

    # a partial analysis is not a starting point, nor one made before reference files were added
    partial = client.post(f"/api/datasets/{ds}/analyses", json={"rules": "R01"}, headers=TOKEN).json["id"]
    wait(client, partial)
    _simulate(client, sid, ds)
    assert befores[2] is not None  # the whole-catalogue run before it still is
    assert _post(client, f"/api/datasets/{ds}/inputs", {"duties": example_inputs()["duties"]}).status_code == 201
    _simulate(client, sid, ds)
    assert befores[3] is None
