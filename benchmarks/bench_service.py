"""Benchmarks of the service: 50 concurrent clients reading findings and items; the first pages after a restart.

    python benchmarks/bench_service.py [--shared ../shared] [--clients 50] [--requests 20] [--out benchmarks/results.md]
    python benchmarks/bench_service.py --restart [--against e16c9c2] [--restarts 3] [--write]

Load: starts `quanze serve` on a free port with a fresh data folder, uploads the 16 real lists,
runs the whole catalogue, warms every worker up (each loads the dataset once), then lets
each client make --requests GET requests, alternating pages of findings (with filters) and
pages of items.  The clients run on the same machine and share its two cores.  Reports latency percentiles and
errors; results are appended to the Markdown file.

Restart (``--restart``): for this version and an earlier one (``--against``, checked out beside
this one), start the service, upload the 16 lists, stop it; then --restarts times, alternating
the versions, start it again and time the first GET of the dataset page and the first page of
its items API.  With ``--write`` the table goes into the service section of results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import RESULTS, add_shared, real_lists, two_versions

# the service before it kept a dataset's tables (it read the Excel files again after a restart)
AGAINST = "e16c9c2"
SERVE = "import sys; sys.path.insert(0, sys.argv[1]); from quanze.api.cli import main; sys.exit(main(sys.argv[2:]))"
WHERE = "import sys; sys.path.insert(0, sys.argv[1]); import quanze; print(quanze.__file__)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 30) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    return status, time.perf_counter() - start


def upload(base: str, paths: list[Path]) -> str:
    boundary = uuid.uuid4().hex
    body = b""
    for p in paths:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{p.name}\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + p.read_bytes() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"{base}/api/datasets", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.load(r)["id"]


def _wrk(base: str, run: str, ds: str, clients: int) -> list[str]:
    """The same reads with wrk (a C load generator using little CPU), when it is installed."""
    import shutil

    if not shutil.which("wrk"):
        return []
    out = []
    for label, url in (("问题分页", f"{base}/api/analyses/{run}/findings?severity=%E7%BA%A2&page=2"),
                       ("事项分页", f"{base}/api/datasets/{ds}/items?category=%E8%A1%8C%E6%94%BF%E5%A4%84%E7%BD%9A")):
        text = subprocess.run(["wrk", "-t2", f"-c{clients}", "-d10s", "--latency", url],
                              capture_output=True, text=True).stdout
        lat = {m.split()[0]: m.split()[1] for m in text.splitlines() if m.strip().startswith(("50%", "90%", "99%"))}
        rps = next((m.split()[1] for m in text.splitlines() if m.startswith("Requests/sec")), "?")
        errors = next((m.strip() for m in text.splitlines() if "Non-2xx" in m or "Socket errors" in m), "无")
        out.append(f"| wrk {label} | {clients} | {lat.get('50%', '?')} | {lat.get('90%', '?')} | {lat.get('99%', '?')} "
                   f"| {rps} | {errors} |")
    return out


def wait_healthy(base: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if get(f"{base}/healthz")[0] == 200:
            return
        if server.poll() is not None:
            raise SystemExit(f"the service stopped (exit {server.returncode})")
        time.sleep(0.1)
    raise SystemExit("the service did not start")


@contextlib.contextmanager
def serving(shim: Path, data: str, workers: int, cwd: Path):
    """``quanze serve`` of the version ``shim`` imports, on a free port; its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(shim), "serve", "--data", data, "--port", str(port),
                               "--workers", str(workers)], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(20)


def restarts(args, klmy: Path) -> int:
    """The first dataset page and items page after a restart, this version beside ``--against``."""
    with tempfile.TemporaryDirectory() as tmp, two_versions(args.against, Path(tmp)) as versions:
        tmp = Path(tmp)
        stored: dict[str, tuple[str, str]] = {}
        for name, (root, shim) in versions.items():
            where = subprocess.run([sys.executable, "-c", WHERE, str(shim)], cwd=tmp, check=True,
                                   capture_output=True, text=True).stdout.strip()
            if Path(where).resolve().parent != root.resolve():
                raise SystemExit(f"{shim} imports quanze from {where}, not from {root}")
            data = str(tmp / f"data-{name}")
            with serving(shim, data, args.workers, tmp) as base:
                start = time.perf_counter()
                stored[name] = (data, upload(base, sorted(klmy.iterdir())))
                print(f"{name}: upload {time.perf_counter() - start:.1f} s", file=sys.stderr)
        times: dict[str, dict[str, list[float]]] = {n: {"page": [], "items": []} for n in versions}
        for _ in range(args.restarts):
            for name in ("old", "this"):  # alternating, so that both see the same machine
                data, ds = stored[name]
                with serving(versions[name][1], data, args.workers, tmp) as base:
                    for key, url in (("page", f"{base}/datasets/{ds}"), ("items", f"{base}/api/datasets/{ds}/items")):
                        status, seconds = get(url, timeout=300)
                        if status != 200:
                            raise SystemExit(f"{name}: {url} answered {status}")
                        times[name][key].append(seconds)
                print(name, {k: [round(t, 3) for t in v] for k, v in times[name].items()}, file=sys.stderr)
    label = {"old": f"{args.against}（重启后读取 Excel）", "this": "本版（重启后读取 Parquet 数据表）"}
    rows = [f"| {label[n]} | {_span(times[n]['page'])} | {_span(times[n]['items'])} |" for n in ("old", "this")]
    ratio = statistics.median(times["this"]["page"]) / statistics.median(times["old"]["page"])
    text = (f"### 重启后的首个页面：本版与 {args.against} · {datetime.date.today()} · {os.cpu_count()} 核\n\n"
            "由 `benchmarks/bench_service.py --restart` 生成：`quanze serve`（本机，"
            f"{args.workers} 个进程）上传 16 个真实清单后停止，再启动，计时数据集页面和事项 API 第一页的首次请求"
            f"（秒；{args.restarts} 次重启，两个版本交替运行，列出最小值–最大值与中位数）。\n\n"
            "| 版本 | 数据集页面 | 事项 API 第一页 |\n|---|---|---|\n" + "\n".join(rows)
            + f"\n\n数据集页面的中位数：本版为 {args.against} 的 {ratio:.2f} 倍。\n")
    print(text)
    if args.write:
        _into_service_section(Path(args.out), text)
    return 0


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}（中位数 {statistics.median(values):.2f}）"


def _into_service_section(path: Path, text: str) -> None:
    """Put ``text`` at the end of the service section (``## 服务负载``) of the results file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next((n for n, line in enumerate(lines) if line.startswith("## 服务负载")), None)
    if start is None:
        lines += ["", text]
    else:
        end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), len(lines))
        lines[end:end] = [text]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--restart", action="store_true", help="time the first pages after a restart instead")
    ap.add_argument("--against", default=AGAINST, help=f"the earlier version to compare with (default {AGAINST})")
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="with --restart: write the table into results.md")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    if args.restart:
        return restarts(args, klmy)
    port, data = free_port(), tempfile.mkdtemp(prefix="quanze-bench-")
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "quanze.api.cli", "serve", "--data", data, "--port", str(port),
                               "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if get(f"{base}/healthz")[0] == 200:
                break
            time.sleep(0.2)
        ds = upload(base, sorted(klmy.iterdir()))
        req = urllib.request.Request(f"{base}/api/datasets/{ds}/analyses", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
        run = json.load(urllib.request.urlopen(req))["id"]
        while json.load(urllib.request.urlopen(f"{base}/api/analyses/{run}"))["status"] not in ("完成", "失败"):
            time.sleep(0.5)
        total = json.load(urllib.request.urlopen(f"{base}/api/analyses/{run}"))["findings"]
        rng = random.Random(0)
        urls = []
        for n in range(args.clients * args.requests):
            if n % 2:
                q = rng.choice([{}, {"rule": "R01b"}, {"severity": "红"}, {"department": "交通运输局"}])
                q["page"] = rng.randint(1, 5)
                urls.append(f"{base}/api/analyses/{run}/findings?{urllib.parse.urlencode(q)}")
            else:
                q = rng.choice([{}, {"category": "行政处罚"}, {"q": "安全生产"}, {"department": "市场监督管理局"}])
                q["page"] = rng.randint(1, 5)
                urls.append(f"{base}/api/datasets/{ds}/items?{urllib.parse.urlencode(q)}")
        with ThreadPoolExecutor(args.clients) as pool:  # warm-up: every worker loads the dataset once
            list(pool.map(get, urls[: args.clients * 2]))
        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(get, urls))
        wall = time.perf_counter() - start
        wrk = _wrk(base, run, ds, args.clients)
    finally:
        server.terminate()
        server.wait(10)
    lat = sorted(t * 1000 for _, t in results)
    errors = sum(1 for s, _ in results if s != 200)
    p = {q: lat[min(len(lat) - 1, int(len(lat) * q / 100))] for q in (50, 95, 99)}
    line = (f"| {args.clients} | {len(results)} | {total:,} | {p[50]:.0f} | {p[95]:.0f} | {p[99]:.0f} | "
            f"{statistics.mean(lat):.0f} | {len(results) / wall:.0f} | {errors} |")
    print(line)
    with open(args.out, "a", encoding="utf-8") as f:
        f.write(f"\n## 服务负载 · {datetime.date.today()} · {os.cpu_count()} 核\n\n"
                "由 `benchmarks/bench_service.py` 生成：`quanze serve`（本机），上传 16 个真实清单并运行全部规则后，"
                "并发客户端交替读取问题分页（含筛选）和事项分页。\n\n"
                "| 并发 | 请求数 | 问题总数 | p50（毫秒） | p95 | p99 | 平均 | 每秒请求 | 错误 |\n"
                "|---|---|---|---|---|---|---|---|---|\n" + line + "\n"
                + ("\n用 wrk（C 写的负载工具，占用 CPU 很少）对同样的读取各压 10 秒：\n\n"
                   "| 请求 | 并发 | p50 | p90 | p99 | 每秒请求 | 错误 |\n|---|---|---|---|---|---|---|\n"
                   + "\n".join(wrk) + "\n" if wrk else ""))
    print("\n".join(wrk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
