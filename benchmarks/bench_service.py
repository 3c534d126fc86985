"""Load benchmark of the service: 50 concurrent clients reading findings and items.

    python benchmarks/bench_service.py [--shared ../shared] [--clients 50] [--requests 20] [--out benchmarks/results.md]

Starts `quanze serve` on a free port with a fresh data folder, uploads the 16 real lists,
runs the whole catalogue, warms every worker up (each loads the dataset once), then lets
each client make --requests GET requests, alternating pages of findings (with filters) and
pages of items.  The clients run on the same machine and share its two cores.  Reports latency percentiles and
errors; results are appended to the Markdown file.
"""

from __future__ import annotations

import argparse
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

from common import RESULTS, add_shared, real_lists


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
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


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
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
