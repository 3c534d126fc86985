"""A service with the bundled example uploaded, and helpers to save and simulate scenarios through the pages."""

from __future__ import annotations

import re
import time
from pathlib import Path

from helpers import upload

EXAMPLE = Path(__file__).parent.parent / "examples" / "mingchuan"
SCENARIOS = EXAMPLE.parent / "scenarios"


def bureau_form(ds: str, **changes) -> dict:
    """The form for 设立行政审批局: every 行政许可 to a new bureau, 事后监管 kept at the origin."""
    form = {"token": "s3cret", "dataset_id": ds, "name": "设立行政审批局（表单）", "categories": ["行政许可"],
            "to": "行政审批局", "create": "1", "mode": "划转", "keep_at_origin": ["事后监管"], "action": "save"}
    return {**form, **changes}


def service_with_example(folder: Path):
    from quanze.api.http import create_app

    client = create_app(folder, token="s3cret").test_client()
    return client, upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]


def save_form(client, form) -> str:
    r = client.post("/scenarios/new", data=form)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return r.headers["Location"].split("/")[-1].split("?")[0]


def simulate_page(client, sid: str, ds: str, seconds: int = 120) -> str:
    r = client.post(f"/scenarios/{sid}/simulations", data={"dataset_id": ds, "token": "s3cret"})
    sim = r.headers["Location"].split("/")[-1]
    for _ in range(seconds * 5):
        state = client.get(f"/api/simulations/{sim}").json
        if state["status"] in ("完成", "失败", "中断"):
            assert state["status"] == "完成", state
            return sim
        time.sleep(0.2)
    raise AssertionError(f"simulation {sim} did not finish")


def page_counts(html: str) -> dict[str, int]:
    """The counts table of a simulation page: key → number."""
    return {k: int(n) for k, n in re.findall(r'<tr data-key="(\w+)"><td>.*?</td><td>(\d+)</td>', html)}


def page_departments(html: str) -> dict[str, tuple[int, ...]]:
    table = re.search(r'<table id="departments">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*><td>([^<]+)</td>((?:<td>\d+</td>){5})</tr>", table)
    return {d: tuple(int(x) for x in re.findall(r"\d+", cells)) for d, cells in rows}


def page_moved(html: str) -> list[tuple[str, str]]:
    table = re.search(r'<table id="moved">.*?</table>', html, re.S).group(0)
    return re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>", table)
