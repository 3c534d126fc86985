"""Defect 16: 划转 and 拆分 listed the same rows twice."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from scenario_helpers import (SCENARIOS, bureau_form, page_moved, save_form, service_with_example,  # noqa: E402
                              simulate_page)


def test_each_moved_item_is_one_row_with_what_stays_at_the_origin(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    sim = simulate_page(client, save_form(client, bureau_form(ds)), ds)
    result = client.get(f"/api/simulations/{sim}").json["result"]
    page = client.get(f"/simulations/{sim}").get_data(as_text=True)
    rows = page_moved(page)
    assert len(rows) == len(set(rows)) == len({e["id"] for e in result["moved"]})
    assert 'id="section-split"' not in page  # the split is a column of the moved rows, not a second list
    assert page.count("事后监管</td></tr>") == len(result["split"])
    # an item handed to every township is one row naming the townships
    r = client.post("/scenarios", data={"body": (SCENARIOS / "township-delegation.yaml").read_text(encoding="utf-8"),
                                        "dataset_id": ds, "token": "s3cret"})
    sim = simulate_page(client, r.headers["Location"].split("/")[-1].split("?")[0], ds)
    result = client.get(f"/api/simulations/{sim}").json["result"]
    rows = page_moved(client.get(f"/simulations/{sim}").get_data(as_text=True))
    assert len(result["moved"]) > len({e["id"] for e in result["moved"]})  # several townships per item
    assert len(rows) == len(set(rows)) == len({e["id"] for e in result["moved"]})
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/simulations/{sim}/export").data))["划转事项"]
    assert ws.max_row - 1 == len(rows)
    assert "拆分事项（监管留原部门）" not in openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/simulations/{sim}/export").data)).sheetnames
