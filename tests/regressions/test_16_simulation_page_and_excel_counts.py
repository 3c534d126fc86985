"""Defect 16: the simulation page and its Excel disagreed (新增交叉 8 on the page, 0 in Excel)."""

import io
import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent.parent))
from scenario_helpers import (bureau_form, page_counts, page_departments, save_form, service_with_example,  # noqa: E402
                              simulate_page)

from quanze.api.scenario_form import COUNT_LABELS  # noqa: E402


def workbook_counts(data: bytes) -> tuple[dict, dict]:
    ws = openpyxl.load_workbook(io.BytesIO(data))["汇总"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    labels = {label: key for key, label in COUNT_LABELS}
    totals = {labels[r[0]]: r[1] for r in rows if r[0] in labels}
    start = next(n for n, r in enumerate(rows) if r[0] == "部门") + 1
    departments = {r[0]: tuple(r[1:6]) for r in rows[start:] if r[0]}
    return totals, departments


def test_every_count_on_the_page_is_the_workbooks_also_after_the_result_left_the_cache(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    sim = simulate_page(client, save_form(client, bureau_form(ds)), ds)
    page = client.get(f"/simulations/{sim}").get_data(as_text=True)
    shown, shown_departments = page_counts(page), page_departments(page)
    assert shown["new_overlaps"] > 0  # the example's bureau makes new overlaps: the count that was lost
    assert set(shown) == {k for k, _ in COUNT_LABELS}
    for evicted in (False, True):
        if evicted:
            client.application.extensions["quanze"]._results.clear()  # a restart or a full cache
        totals, departments = workbook_counts(client.get(f"/api/simulations/{sim}/export").data)
        assert totals == shown, evicted
        assert departments == shown_departments, evicted
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/simulations/{sim}/export").data))["新增交叉"]
        assert sheet.max_row - 1 == shown["new_overlaps"]
