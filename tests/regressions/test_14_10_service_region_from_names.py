"""14-10: "the service gives other item ids and findings than the CLI for the same files: stored names such as `000-克拉玛依市…` defeat region detection"."""

import pytest

import json
import time

from conftest import EXAMPLE

from quanze.pipeline import analyze
from quanze.api.http import create_app


def _paged(client, url: str, key: str) -> list[dict]:
    out, page = [], 1
    while True:
        body = client.get(url, query_string={"page": page, "per_page": 500}).json
        out += body[key]
        if len(out) >= body["total"]:
            return out
        page += 1


def _finding_key(f: dict) -> tuple:
    return (f["rule"], f["fingerprint"], json.dumps(f["subjects"], ensure_ascii=False, sort_keys=True),
            json.dumps(f["sources"], ensure_ascii=False, sort_keys=True))


def _through_the_service(data_dir, files, names=None):
    client = create_app(data_dir).test_client()
    handles = [open(p, "rb") for p in files]
    try:
        r = client.post("/api/datasets", content_type="multipart/form-data",
                        data={"files": [(h, name) for h, name in zip(handles, names or [p.name for p in files])]})
    finally:
        for h in handles:
            h.close()
    assert r.status_code == 201, r.json
    ds = r.json["id"]
    items = {i["id"]: i["department"] for i in _paged(client, f"/api/datasets/{ds}/items", "items")}
    run = client.post(f"/api/datasets/{ds}/analyses", json={}).json["id"]
    for _ in range(1200):
        status = client.get(f"/api/analyses/{run}").json
        if status["status"] not in ("排队", "运行中"):
            break
        time.sleep(0.1)
    assert status["status"] == "完成", status
    return ds, items, {_finding_key(f) for f in _paged(client, f"/api/analyses/{run}/findings", "findings")}


def _from_the_shell(files):
    done = analyze(files)
    return ({it.id: it.department for it in done.load.items},
            {_finding_key(f.to_dict()) for f in done.result.findings})


def _same(data_dir, files):
    _, items, findings = _through_the_service(data_dir, files)
    cli_items, cli_findings = _from_the_shell(files)
    assert items == cli_items
    assert findings == cli_findings and findings


def test_service_and_cli_agree_on_the_example(tmp_path):
    _same(tmp_path / "data", sorted(EXAMPLE.glob("*.xlsx")))


@pytest.mark.slow
def test_service_and_cli_agree_on_the_real_lists(tmp_path, klmy_dir):
    files = sorted(p for p in klmy_dir.iterdir() if p.suffix in (".xls", ".xlsx"))
    _, items, _ = _through_the_service(tmp_path / "data", files)
    assert not any(d.startswith("|") or "|市|" in d for d in items)  # every item has its government
    _same(tmp_path / "again", files)


def test_client_names_are_made_safe_and_still_name_the_department(tmp_path):
    files = sorted(EXAMPLE.glob("*.xlsx"))[:3]
    names = [f"../../etc/{files[0].name}", f"/tmp/清单/{files[1].name}", f"\x00{files[2].name}"]
    ds, items, findings = _through_the_service(tmp_path / "data", files, names)
    stored = sorted(p.relative_to(tmp_path / "data" / "uploads" / ds).as_posix()
                    for p in (tmp_path / "data" / "uploads" / ds).rglob("*") if p.is_file())
    assert stored == [f"{n:03d}/{p.name}" for n, p in enumerate(files)]
    cli_items, _ = _from_the_shell(files)
    assert items == cli_items
