"""14-07: "one failed write (`POST` an analysis for a dataset that does not exist → 500 IntegrityError) leaves the shared connection's transaction open: the other worker's next write fails with `database is locked`"."""

import sqlite3
import time

import pytest

from quanze.api.http import create_app
from quanze.api.store import NotFound, Store


def _quick(store: Store) -> Store:
    store._db.execute("pragma busy_timeout = 1000")  # fail in a second, not thirty, if the database stays locked
    return store


def test_a_failed_write_does_not_lock_the_other_worker_out(tmp_path):
    one, two = _quick(Store(tmp_path)), _quick(Store(tmp_path))  # two gunicorn workers on one folder
    assert one._db.execute("pragma journal_mode").fetchone()[0] == "wal"
    with pytest.raises(NotFound):
        one.add_run("no-such-dataset", {})
    with pytest.raises(sqlite3.IntegrityError):  # a constraint failing inside a write of several statements
        with one.transaction() as db:
            db.execute("insert into reviews (fingerprint, status, at) values ('a', '已确认', 'now')")
            db.execute("insert into runs (id, dataset_id, status, created) values ('r', 'no-such-dataset', '排队', 'now')")
    assert not one._db.in_transaction
    started = time.monotonic()
    two.add_review("fp", "已确认", "属实", "张三")
    one.add_review("fp", "已驳回")
    assert time.monotonic() - started < 1
    assert [r["status"] for r in two.reviews("fp")] == ["已确认", "已驳回"]
    assert two.reviews("a") == []  # the failed write left nothing behind


def test_an_analysis_for_a_missing_dataset_is_404(tmp_path):
    app = create_app(tmp_path)
    client = app.test_client()
    r = client.post("/api/datasets/nothing/analyses", json={})
    assert r.status_code == 404 and r.content_type == "application/problem+json" and "没有数据集" in r.json["detail"]
    r = client.post("/datasets/nothing/analyses", data={"rules": ""})  # the page's form
    assert r.status_code == 404 and "没有数据集" in r.get_data(as_text=True)
    r = client.post("/api/scenarios/nothing/simulations", json={"dataset_id": "nothing"})
    assert r.status_code == 404 and r.content_type == "application/problem+json"
    other = _quick(Store(tmp_path))
    other.add_review("fp", "核查中")  # the service's failed writes left the database writable
    assert app.extensions["quanze"].store.review_status("fp") == "核查中"
