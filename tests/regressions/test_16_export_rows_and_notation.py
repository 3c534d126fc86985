"""Defect (issue 16): the Excel export of the 16 real lists repeated a finding on 2–3 rows (one per source
row), had no review status, and carried hashes and internal notation (`item:7f5a…`, `条款：…#35`,
Python lists).  Now one row per finding, the source rows in one cell, the review columns, evidence in
plain Chinese; and a sheet per department that can be sent as it is."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from helpers import TOKEN, upload, wait

from quanze.api.http import create_app

pytestmark = pytest.mark.slow


def test_the_export_of_the_real_lists_has_one_plain_row_per_finding(klmy_dir, tmp_path):
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    ds = upload(client, sorted(p for p in klmy_dir.iterdir() if p.suffix in (".xls", ".xlsx"))).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run, seconds=600)["status"] == "完成"
    total = client.get(f"/api/analyses/{run}/findings").json["total"]
    first = client.get(f"/api/analyses/{run}/findings?per_page=1").json["findings"][0]
    client.put(f"/api/findings/{first['fingerprint']}/review", headers=TOKEN,
               json={"status": "已确认", "reviewer": "张三", "comment": "属实"})
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/analyses/{run}/export?format=xlsx").data))
    rows = list(wb["全部问题"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == total > 500
    row = dict(zip(header, body[0]))
    assert (row["问题描述"], row["核查状态"], row["核查人"], row["核查意见"]) == (first["message"], "已确认", "张三", "属实")
    texts = [str(c) for ws in wb.worksheets[1:] for r in ws.iter_rows(min_row=2, values_only=True) for c in r if c]
    assert not [t for t in texts if re.search(r"\b[0-9a-f]{12,16}\b|item:|prov:", t)]
    evidence = [dict(zip(header, r))["证据"] or "" for r in body]
    assert not [e for e in evidence if re.search(r"#|\[|\]|\|", e)]
    departments = {d for r in body for d in (dict(zip(header, r))["部门"] or "").split("、") if d}
    assert len(wb.sheetnames) == 2 + len(departments) and all(len(n) <= 31 for n in wb.sheetnames)
    for ws in wb.worksheets[2:]:
        assert ws.cell(1, ws.max_column).value == "部门反馈" and ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape" and ws.auto_filter.ref.startswith("A1:")
