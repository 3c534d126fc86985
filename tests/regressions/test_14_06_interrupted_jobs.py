"""14-06: "a job interrupted by a crash (kill -9 of the server, or of the one worker running it) stays 运行中 forever; the page polls for ever"."""

import os
import signal
import threading
import time

import psutil
import pytest
import requests

from conftest import EXAMPLE
from helpers import Server

pytestmark = pytest.mark.slow  # starts the real server and kills it

FILES = sorted(EXAMPLE.glob("*.xlsx"))


def _upload(srv: Server, timeout: float = 60):
    files = [("files", (p.name, p.read_bytes())) for p in FILES]
    return requests.post(f"{srv.url}/api/datasets", files=files, timeout=timeout)


def _get(srv: Server, path: str, seconds: float = 30):
    """GET, retried while the server (or its worker) is coming back."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(f"{srv.url}{path}", timeout=5).json()
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _until(srv: Server, run: str, statuses: tuple[str, ...], seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = _get(srv, f"/api/analyses/{run}")
        if job["status"] in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"analysis {run} still {job['status']}")


def _start_and_catch_running(srv: Server, ds: str) -> str:
    run = requests.post(f"{srv.url}/api/datasets/{ds}/analyses", json={}, timeout=10).json()["id"]
    job = _until(srv, run, ("运行中", "完成", "失败"))
    assert job["status"] == "运行中" and job["progress"] < 100, job  # caught while it runs
    return run


@pytest.fixture()
def server(tmp_path):
    srv = Server(tmp_path / "data", "--workers", "1").start()
    yield srv
    if srv.proc.poll() is None:
        srv.kill()


def test_kill_9_of_the_server_loses_nothing_and_leaves_nothing_running(server, tmp_path):
    ds = _upload(server).json()["id"]
    run = _start_and_catch_running(server, ds)
    server.kill()
    server.start()  # the same data folder

    job = _get(server, f"/api/analyses/{run}")
    assert job["status"] == "中断" and "中断" in job["error"] and "重新运行" in job["error"] and job["finished"]
    page = requests.get(f"{server.url}/analyses/{run}", timeout=10).text
    assert "重新运行" in page and "watchJob" not in page  # the page stops polling and offers to run it again
    assert _get(server, f"/api/datasets/{ds}")["report"]["items"] == 106

    again = requests.post(f"{server.url}/api/analyses/{run}/rerun", timeout=10)
    assert again.status_code == 202 and again.json()["id"] != run
    redone = _until(server, again.json()["id"], ("完成", "失败"))
    fresh = requests.post(f"{server.url}/api/datasets/{ds}/analyses", json={}, timeout=10).json()["id"]
    assert redone["status"] == "完成" and redone["findings"] == _until(server, fresh, ("完成", "失败"))["findings"] > 0
    assert _get(server, f"/api/analyses/{run}")["status"] == "中断"  # the record of the interruption stays


def test_kill_9_during_an_upload_leaves_no_dataset_without_its_report(server):
    ds = _upload(server).json()["id"]
    uploads = server.data / "uploads"
    answers = []

    def send():
        try:
            answers.append(_upload(server))
        except requests.ConnectionError:  # the server died under the request
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 30
    while len(list(uploads.iterdir())) < 2 and time.monotonic() < deadline and not answers:
        time.sleep(0.005)
    server.kill()  # while the second upload is being loaded
    sender.join(10)
    server.start()
    listed = _get(server, "/api/datasets")
    for d in listed:
        assert _get(server, f"/api/datasets/{d['id']}")["report"]["items"] == 106
    if not answers:  # it was interrupted: gone, files and all
        assert [d["id"] for d in listed] == [ds]
    assert sorted(p.name for p in uploads.iterdir()) == sorted(d["id"] for d in listed)


def test_kill_9_of_the_worker_running_a_job(server):
    ds = _upload(server).json()["id"]
    run = _start_and_catch_running(server, ds)
    worker, = psutil.Process(server.proc.pid).children()
    os.kill(worker.pid, signal.SIGKILL)  # gunicorn starts another worker
    job = _until(server, run, ("中断", "完成", "失败"))
    assert job["status"] == "中断" and "中断" in job["error"]
