"""Defect (issue 16): every scenario save wrote its text to one draft file of the store (待检查.yaml), read it
back and deleted it, so two analysts saving at once could each read the other's text (a scenario kept under
the other's name) or find the draft gone.  Here a save is interleaved inside another, at the moment it reads
its draft: each must keep its own name and text."""

from __future__ import annotations

from pathlib import Path

from quanze.api import service as service_module
from quanze.api.http import create_app

SCENARIO = (Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "approval-bureau.yaml").read_text(
    encoding="utf-8")


def test_two_saves_at_once_keep_their_own_text(tmp_path, monkeypatch):
    svc = create_app(tmp_path / "data", token="s3cret").extensions["quanze"]
    first, second = SCENARIO, SCENARIO.replace("name: 相对集中行政许可权改革：设立行政审批局", "name: 第二个方案")
    read = service_module.read_scenario
    nested = {}

    def interleaved(path):
        if not nested:  # the other analyst saves while this draft waits to be read
            nested["id"] = None
            nested["id"] = svc.add_scenario(second)
        return read(path)

    monkeypatch.setattr(service_module, "read_scenario", interleaved)
    sid = svc.add_scenario(first)
    kept = {row["id"]: row for row in svc.store.scenarios()}
    assert kept[sid]["name"] == "相对集中行政许可权改革：设立行政审批局"
    assert kept[nested["id"]]["name"] == "第二个方案"
    assert svc.store.scenario(sid)["body"] == first and svc.scenario_file(sid).read_text(encoding="utf-8") == first
