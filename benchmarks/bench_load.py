"""Benchmark: load the 16 published lists, check bases against the law corpus, build the graph.

    python benchmarks/bench_load.py [--shared ../shared] [--repeat 3] [--out benchmarks/results.md]

Each stage is timed (best of --repeat runs); peak memory is the process's maximum
resident set size.  Results are appended to the Markdown file with the machine's
cores and memory.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import time
from pathlib import Path

from quanze.graph import build_graph, to_rdf
from quanze.loaders import LawLibrary, load_files

from common import RESULTS, add_shared, real_lists  # a sibling module of these scripts


def best(fn, repeat):
    """(first run, best run) times and the result; later runs profit from text caches."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return (times[0], min(times)), result


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    klmy, laws = real_lists(args), Path(args.shared) / "data" / "laws"
    if klmy is None:
        return 2
    rows = []
    t_lib, lib = best(lambda: LawLibrary(laws), args.repeat)
    rows.append(("法律库索引（读取 db.sqlite3）", t_lib, f"{len(lib)} 个版本"))
    t_load, res = best(lambda: load_files([klmy]), args.repeat)
    rows.append(("导入 16 个清单（不核对依据）", t_load, f"{len(res.items)} 个事项，{sum(len(i.citations) for i in res.items)} 处引用"))
    t_laws, res = best(lambda: load_files([klmy], laws=LawLibrary(laws)), args.repeat)
    rows.append(("导入并核对法律依据", t_laws, f"引用解析率 {res.laws.citations_resolved / res.laws.citations:.1%}"))
    t_graph, pg = best(lambda: build_graph(res.items), args.repeat)
    rows.append(("建立 PowerGraph（networkx）", t_graph, f"{pg.g.number_of_nodes()} 个节点，{pg.g.number_of_edges()} 条边"))
    t_rdf, g = best(lambda: to_rdf(pg), args.repeat)
    rows.append(("RDF 视图（rdflib）", t_rdf, f"{len(g)} 个三元组"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = t_laws[0] + t_graph[0]
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [f"## {datetime.date.today()} · {os.cpu_count()} 核 · {mem_gb:.0f} GiB · Python {platform.python_version()}",
             "", f"| 阶段 | 首次（秒） | {args.repeat} 次中最好（秒） | 规模 |", "|---|---|---|---|"]
    lines += [f"| {name} | {t[0]:.2f} | {t[1]:.2f} | {note} |" for name, t, note in rows]
    lines += ["", f"导入并核对依据 + 建图（首次）合计 **{total:.2f} s**（目标：远低于 30 s）；"
                  f"进程峰值内存 **{peak_mb:.0f} MB**。", ""]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    if not out.exists():
        out.write_text("# 基准测试结果\n\n由 `benchmarks/bench_load.py` 生成，数据为 ../shared/data/klmy 中的 16 个真实清单。\n\n",
                       encoding="utf-8")
    with out.open("a", encoding="utf-8") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
