"""Defect 16: a wrong target was accepted at save and failed later naming an internal file."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from scenario_helpers import SCENARIOS, bureau_form, service_with_example, simulate_page  # noqa: E402

WRONG = (SCENARIOS / "approval-bureau.yaml").read_text(encoding="utf-8").replace("    to: 行政审批局", "    to: 审批大局")


def test_a_wrong_target_is_refused_at_save_in_the_form_and_in_yaml(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    r = client.post("/scenarios/new", data=bureau_form(ds, to="审批大局", create=""))
    assert r.status_code == 422 and "承接机构：“审批大局”" in r.get_data(as_text=True)
    r = client.post("/scenarios", data={"body": WRONG, "dataset_id": ds, "token": "s3cret"})
    text = re.search(r'<p class="error" role="alert">(.*?)</p>', r.get_data(as_text=True), re.S).group(1)
    assert r.status_code == 422 and "审批大局" in text and ".yaml" not in text and "待检查" not in text
    assert client.get("/api/scenarios").json == []


def test_a_scenario_that_does_not_fit_a_dataset_fails_without_naming_a_stored_file(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    r = client.post("/scenarios", data={"body": WRONG, "dataset_id": "", "token": "s3cret"})  # saved unchecked
    sid = r.headers["Location"].split("/")[-1]
    r = client.post(f"/scenarios/{sid}/simulations", data={"dataset_id": ds, "token": "s3cret"})
    sim = r.headers["Location"].split("/")[-1]
    import time

    for _ in range(300):
        state = client.get(f"/api/simulations/{sim}").json
        if state["status"] in ("完成", "失败"):
            break
        time.sleep(0.2)
    assert state["status"] == "失败"
    assert "审批大局" in state["error"] and ".yaml" not in state["error"] and sid not in state["error"]
