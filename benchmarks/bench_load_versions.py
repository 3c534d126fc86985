"""Benchmark: loading the 16 real lists with this version and with an earlier one, side by side.

    python benchmarks/bench_load_versions.py [--against REV] [--repeat 5] [--shared ../shared] [--write]

Each version runs in a fresh process of its own (an earlier revision is checked out
into a temporary git worktree and imported from there), and the floor — merely
reading the files' cells with this version's readers — runs alongside, so the three
are measured on the same machine at the same time.  Times are ``load_files`` on the
folder of lists (no law corpus): the first run of the process, and the median of
``--repeat`` runs.  ``--write`` appends the table to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import add_shared, publish, real_lists, two_versions  # a sibling module of these scripts

PROBE = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
klmy, repeat, what = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from quanze.loaders import load_files
from quanze.loaders.formats import detect_format, read_sheets
from quanze.loaders.pipeline import expand_paths
files = expand_paths([klmy])

def floor():
    return sum(len(s.rows) for p in files for s in read_sheets(p, detect_format(p)))

def load():
    return len(load_files([klmy], workers=1).items)

fn = floor if what == "floor" else load
times = []
for _ in range(repeat):
    t = time.perf_counter(); n = fn(); times.append(time.perf_counter() - t)
print(json.dumps({"first": times[0], "median": statistics.median(times), "n": n}))
"""


def _probe(shim: Path, klmy: Path, repeat: int, what: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(shim), str(klmy), str(repeat), what],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--against", default="71e3a61", help="the earlier revision (default: before column evidence)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    with tempfile.TemporaryDirectory() as tmp, two_versions(args.against, Path(tmp)) as versions:
        this, old = versions["this"][1], versions["old"][1]
        rows = [("仅读取单元格（本版读取器，下限）", _probe(this, klmy, args.repeat, "floor")),
                (f"导入（{args.against}）", _probe(old, klmy, args.repeat, "load")),
                ("导入（本版）", _probe(this, klmy, args.repeat, "load"))]
    base = rows[1][1]["median"]
    lines = [f"## 导入耗时：本版与 {args.against} · {datetime.date.today()}", "",
             "由 `benchmarks/bench_load_versions.py` 生成：16 个真实清单，每个版本各在新进程中运行，"
             f"首次与 {args.repeat} 次中位数（秒）。", "",
             "| 测量 | 首次 | 中位数 | 事项/行 | 相对旧版 |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {r['first']:.2f} | {r['median']:.2f} | {r['n']} | {r['median'] / base:.2f}× |" for name, r in rows]
    publish("\n".join(lines) + "\n", args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
