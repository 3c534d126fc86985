"""14-02: "the SPARQL time limit answers 422 after 10 s but the query's child process keeps running (it inherits the server's SIGTERM handler)"."""

import signal
import subprocess
import sys
import threading
import time

import psutil

from conftest import EXAMPLE

import quanze.api.endpoints as endpoints
from quanze.api.http import create_app

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?s ?w }"  # no row before it has all


def _upload(client):
    src = next(EXAMPLE.glob("*.xlsx"))
    with open(src, "rb") as f:
        return client.post("/api/datasets", data={"files": [(f, src.name)]},
                           content_type="multipart/form-data").json["id"]


def _children() -> dict[int, psutil.Process]:
    return {p.pid: p for p in psutil.Process().children(recursive=True)}


def _running(procs) -> list[int]:
    alive = []
    for p in procs:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p.pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_the_query_process_is_killed_at_the_limit(tmp_path, monkeypatch):
    client = create_app(tmp_path / "data").test_client()
    ds = _upload(client)
    monkeypatch.setattr(endpoints, "SPARQL_TIMEOUT", 0.5)
    before = set(_children())
    seen: dict[int, psutil.Process] = {}
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.update({pid: p for pid, p in _children().items() if pid not in before})
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    old = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a server's own handler would, the child inherits it
    watcher.start()
    try:
        started = time.monotonic()
        r = client.get(f"/api/datasets/{ds}/sparql", query_string={"query": SLOW})
        elapsed = time.monotonic() - started
    finally:
        done.set()
        watcher.join()
        signal.signal(signal.SIGTERM, old)
    assert r.status_code == 422 and "已停止" in r.json["detail"] and elapsed < 5
    assert seen, "the query ran in a process of its own"
    assert _running(seen.values()) == []  # nothing outlives its query


def test_at_most_n_queries_at_once_over_all_workers(tmp_path, monkeypatch):
    """Two apps on one data folder, as two gunicorn workers: one slot in all, the second query gets 429."""
    first = create_app(tmp_path / "data", sparql_slots=1).test_client()
    ds = _upload(first)
    second = create_app(tmp_path / "data", sparql_slots=1).test_client()
    monkeypatch.setattr(endpoints, "SPARQL_TIMEOUT", 2.0)
    answers = {}
    slow = threading.Thread(target=lambda: answers.setdefault("slow", first.get(
        f"/api/datasets/{ds}/sparql", query_string={"query": SLOW})))
    before = set(_children())
    slow.start()
    for _ in range(500):  # the first query holds the slot once its worker runs
        if set(_children()) - before:
            break
        time.sleep(0.02)
    r = second.get(f"/api/datasets/{ds}/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    slow.join()
    assert r.status_code == 429 and r.content_type == "application/problem+json"
    assert "上限" in r.json["detail"] and r.headers["Retry-After"] == "2"
    assert answers["slow"].status_code == 422
    r = second.get(f"/api/datasets/{ds}/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.json == {"rows": [{"ask": True}]}  # the slot is free again


def test_the_query_process_dies_with_its_server():
    """kill -9 of the process waiting for a query: the query's process does not stay behind as an orphan."""
    code = "import time\nfrom quanze.api.service import in_worker\nin_worker(time.sleep, (60,), 120)\n"
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(600):  # importing the service takes a while on a busy machine
            workers = psutil.Process(parent.pid).children()
            if workers:
                break
            time.sleep(0.05)
        assert workers, "the worker started"
        parent.kill()
        parent.wait(5)
        gone, alive = psutil.wait_procs(workers, timeout=5)
        assert alive == []
    finally:
        if parent.poll() is None:
            parent.kill()
