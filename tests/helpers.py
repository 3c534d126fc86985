"""Build small workbooks in the published layout for tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

# Debian's Chromium, headless, started the way the machine's closed network needs (browser tests)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HEADER = ["序号", "事项\n名称", "子项名称", "权力\n类型", "实施依据", "行使主体", "实施层级及权限", "", "责任事项", "追责情形"]
BASIS = "【法律】《中华人民共和国安全生产法》（2021年6月10日修正）\n第九十七条：未按照规定设置安全生产管理机构的。"


def row(seq, name, category="行政处罚", dept="明川县应急管理局", basis=BASIS, level="县级", sub=""):
    return [seq, name, sub, category, basis, dept, level, "负责本县", "1.立案责任：立案。\n2.决定责任：作出决定。", "1.滥用职权的。"]


def workbook(path: Path, sheets: dict[str, list[list]], title: str | None = "明川县应急管理局2024年权责清单") -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if rows is None:
            continue
        start = 1
        if title:
            ws.cell(1, 1, title)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
            start = 2
        for r, values in enumerate(rows, start):
            for c, v in enumerate(values, 1):
                ws.cell(r, c, v)
    wb.save(path)
    return path


TOKEN = {"Authorization": "Bearer s3cret"}
FINISHED = ("完成", "失败", "中断")


def upload(client, paths, headers=TOKEN):
    """POST the files to a test client's /api/datasets; the response."""
    data = {"files": [(open(p, "rb"), Path(p).name) for p in paths]}
    try:
        return client.post("/api/datasets", data=data, content_type="multipart/form-data", headers=headers)
    finally:
        for f, _ in data["files"]:
            f.close()


def wait(client, run_id, seconds=60):
    """An analysis job's state once it has finished (完成, 失败 or 中断)."""
    import time

    for _ in range(seconds * 10):
        status = client.get(f"/api/analyses/{run_id}").json
        if status["status"] in FINISHED:
            return status
        time.sleep(0.1)
    raise AssertionError(f"analysis {run_id} did not finish: {status}")


def analysed_example(folder: Path, paths) -> tuple:
    """A test client of a service in ``folder`` with ``paths`` uploaded and the whole catalogue run:
    (client, dataset id, run id, every finding)."""
    from quanze.api.http import create_app

    client = create_app(folder, token="s3cret").test_client()
    ds = upload(client, paths).json["id"]
    run = client.post(f"/api/datasets/{ds}/analyses", json={}, headers=TOKEN).json["id"]
    assert wait(client, run)["status"] == "完成"
    everything = client.get(f"/api/analyses/{run}/findings?per_page=500").json
    return client, ds, run, everything


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``quanze serve`` as a subprocess on 127.0.0.1, in a session of its own (so it can be killed whole)."""

    def __init__(self, data: Path, *args: str):
        self.data, self.args, self.port, self.proc = data, args, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        self.proc = subprocess.Popen([sys.executable, "-m", "quanze.api.cli", "serve", "--data", str(self.data),
                                      "--port", str(self.port), *self.args], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                     start_new_session=True)
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("service did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def kill(self):
        """kill -9 of the server and every process it started (a crash, or a power cut)."""
        import os
        import signal

        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def served(data: Path, *args: str):
    """A started ``Server`` for a fixture to yield; stopped afterwards unless a test killed it."""
    import contextlib

    @contextlib.contextmanager
    def running():
        srv = Server(data, *args).start()
        try:
            yield srv
        finally:
            if srv.proc.poll() is None:
                srv.stop()

    return running()


SHOTS = Path(__import__("os").environ.get("QUANZE_SCREENSHOTS", Path(__file__).resolve().parent.parent / "build"
                                          / "screenshots"))


def screenshot(page, name: str) -> None:
    """A full-page screenshot into build/screenshots/ (or $QUANZE_SCREENSHOTS), which the run leaves behind."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def listed_total(page) -> int:
    """The N of 共 N 条 on a findings list."""
    import re

    return int(re.search(r"共 (\d+) 条", page.inner_text("#total")).group(1))


def foreign_requests(requested: list[str], server: Server) -> list[str]:
    """The requests a page made to any host other than the service (data: and blob: URLs are the page's own)."""
    return [u for u in requested if not u.startswith(server.url) and not u.startswith(("data:", "blob:"))]
