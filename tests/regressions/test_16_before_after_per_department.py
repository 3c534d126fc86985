"""Defect 16: origin departments' before/after counts were unchanged though items moved."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from scenario_helpers import bureau_form, page_departments, save_form, service_with_example, simulate_page  # noqa: E402


def test_origins_lose_the_moved_items_and_the_bureau_gains_them(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    for form in (bureau_form(ds), bureau_form(ds, name="不拆分", keep_at_origin=[])):
        sim = simulate_page(client, save_form(client, form), ds)
        result = client.get(f"/api/simulations/{sim}").json["result"]
        rows = page_departments(client.get(f"/simulations/{sim}").get_data(as_text=True))
        moved_from = {}
        for e in {e["id"]: e for e in result["moved"]}.values():
            moved_from[e["from"]] = moved_from.get(e["from"], 0) + 1
        assert moved_from
        for dept, n in moved_from.items():
            before, out, into, kept, after = rows[dept]
            assert out == n and after == before - out + into + kept
            if not form["keep_at_origin"]:
                assert after == before - n  # nothing kept: the origin holds fewer items
        bureau = rows["明川县行政审批局"]
        assert bureau[0] == 0 and bureau[2] == bureau[4] == sum(1 for e in result["moved"] if e["to"] == "明川县行政审批局")
        assert sum(r[4] for r in rows.values()) == sum(r[0] for r in rows.values()) + sum(r[3] for r in rows.values())
