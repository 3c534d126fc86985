"""Benchmark: the whole rule catalogue on a county-sized input and larger.

    python benchmarks/bench_rules.py [--shared ../shared] [--sizes 3000,10000,30000] [--out benchmarks/results.md]

The input is the 16 real lists of 克拉玛依市 (2,301 items).  Larger sizes add copies of
those items as further districts of the city (same texts, other region names), so
every size has realistic names, bases and responsibilities.  Rules that need
inputs get them from the same data: a 通用目录 and a list of cancelled items drawn
from the items, and 三定 duties from the lists' 部门职责 column.  Time is wall
clock on this machine; memory is the process's peak resident set.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import random
import resource
import sys
import time

import pandas as pd

from quanze.graph import build_graph
from quanze.loaders import load_files
from quanze.loaders.model import PowerItem
from quanze.rules.engine import run

from common import RESULTS, add_shared, real_lists  # a sibling module of these scripts

DISTRICTS = ["独山子区", "白碱滩区", "乌尔禾区", "克拉玛依区"]


def scaled(items: list[PowerItem], size: int) -> list[PowerItem]:
    """``items`` plus copies in further districts until ``size`` items."""
    out = list(items)
    n = 0
    while len(out) < size:
        region = f"{DISTRICTS[n % len(DISTRICTS)]}{n // len(DISTRICTS) or ''}"
        for it in items[: size - len(out)]:
            _, level, short = it.department_id.split("|", 2)
            out.append(dataclasses.replace(it, id=f"{it.id}-{n}", main_id=f"{it.main_id}-{n}",
                                           department_id=f"{region}|县|{short}", department=f"{region}{short}"))
        n += 1
    return out


def inputs_from(items: list[PowerItem]) -> dict:
    rng = random.Random(0)
    sample = rng.sample(items, min(300, len(items)))
    duties = pd.DataFrame([{"department_raw": it.department, "department": it.department,
                            "short_name": it.department_id.split("|")[2], "region": it.department_id.split("|")[0],
                            "duty": it.duties, "file": it.source.file, "sheet": it.source.sheet,
                            "row": it.source.rows[0]} for it in items if it.duties]).drop_duplicates(["short_name", "duty"])
    return {"catalogue": sample, "cancelled": sample[:50], "duties": duties}


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--sizes", default="3000,10000,30000")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    base = load_files([klmy]).items
    lines = [f"\n## 规则目录 · {datetime.date.today()} · {os.cpu_count()} 核 · Python {platform.python_version()}\n",
             "由 `benchmarks/bench_rules.py` 生成：全部规则（R14 无乡镇清单，跳过）；第一行含进程内首次加载 jieba 词典的约 1.5 秒。\n",
             "| 事项数 | 建图（秒） | 全部规则（秒） | 发现问题 | 最慢的三条规则（秒） | 峰值内存 |",
             "|---|---|---|---|---|---|"]
    for size in [len(base), *map(int, args.sizes.split(","))]:
        items = scaled(base, size)
        t = time.perf_counter()
        graph = build_graph(items)
        t_graph = time.perf_counter() - t
        t = time.perf_counter()
        result = run(graph, inputs=inputs_from(items))
        t_rules = time.perf_counter() - t
        slow = sorted(result.runs, key=lambda r: -r.seconds)[:3]
        errors = [r.rule.id for r in result.runs if r.status == "error"]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row = (f"| {len(items):,} | {t_graph:.2f} | {t_rules:.2f} | {len(result.findings):,} | "
               f"{'、'.join(f'{r.rule.id} {r.seconds:.2f}' for r in slow)} | {peak:.0f} MB |")
        print(row + (f"  errors: {errors}" if errors else ""), flush=True)
        lines.append(row)
    with open(args.out, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
