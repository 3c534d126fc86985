"""The overlap rules with and without the pair score, side by side in one run.

R01b and R03 pair items inside blocks; with ``model`` on, each also scores its candidate pairs with
the learned pair score (``rules/pairscore.py``) and reports those it finds likely.  This measures
what that costs on one set of tables: the rules' time with the score off (as before it came) and
on, and how many candidate pairs the blocks produce (the run statistics hold counts only, so that a run
gives the same statistics in any item order).

    python benchmarks/bench_overlap.py --preset /tmp/quanze-bench/province [--tables DIR] [--write]

``--tables`` reads tables written by ``Tables.write`` (so a province is loaded once for several runs);
without it the preset's lists are loaded first (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from common import emit  # a sibling module of these scripts

RULES = ["R01b", "R03"]  # the rules that score pairs
OVERLAP = ["R01a", "R01b", "R02", "R03", "R10"]  # every rule about overlaps (what the time is compared on)
SECTION = "## 配对模型的代价"


def measure(tables, repeat: int = 2) -> dict:
    """Each way ``repeat`` times, alternating (off, on, off, on …), the fastest run of each kept: on a
    shared machine the others' load comes and goes, and alternation exposes both ways to it alike."""
    from quanze.rules.engine import run

    off = [f"{r}.model=false" for r in RULES]
    out = {"items": len(tables.items), "repeat": repeat}
    for _, (label, settings) in ((k, way) for k in range(repeat)
                                 for way in (("off", off), ("on", []))):
        t = time.perf_counter()
        result = run(tables, selection=OVERLAP, settings=settings)
        seconds = time.perf_counter() - t
        if label in out and out[label]["seconds"] <= seconds:
            continue
        out[label] = {"seconds": round(seconds, 1),
                      "findings": {r.rule.id: r.findings for r in result.runs},
                      "scoring_seconds": round(sum(r.seconds for r in result.runs if r.rule.id in RULES), 1),
                      "rule_seconds": {r.rule.id: round(r.seconds, 1) for r in result.runs},
                      "pair_score": result.stats.get("pair_score", [])}
    return out


def report(name: str, m: dict) -> str:
    off, on = m["off"], m["on"]

    def growth(key: str, base: dict) -> float:
        return on[key] / base[key] - 1 if base[key] else float("nan")

    lines = [f"{SECTION} · {time.strftime('%Y-%m-%d')}", "",
             f"由 `benchmarks/bench_overlap.py` 生成：{name}（{m['items']:,} 个事项），同一进程中先不用、再用配对模型运行 "
             f"重叠类规则 {'、'.join(OVERLAP)}（其中 {'、'.join(RULES)} 为事项对打分；{platform.processor() or platform.machine()}，{os.cpu_count()} 核；机器同时有其他进程在运行：两种方式交替各跑 {m['repeat']} 次，取各自最快的一次）。", "",
             "| | 重叠类规则用时（秒） | R01b、R03 用时 | R01b 结果 | R03 结果 | R01b 用时 | R03 用时 |",
             "|---|---|---|---|---|---|---|"]
    for label, r in (("不用配对模型（同之前）", off), ("用配对模型", on)):
        lines.append(f"| {label} | {r['seconds']} | {r['scoring_seconds']} | {r['findings'].get('R01b', 0)} | {r['findings'].get('R03', 0)} | "
                     f"{r['rule_seconds'].get('R01b', 0)} | {r['rule_seconds'].get('R03', 0)} |")
    lines += ["", f"用配对模型：重叠类规则用时变化 {growth('seconds', off):+.0%}（目标：增加不超过三分之一），"
                  f"其中 R01b、R03 两条 {growth('scoring_seconds', off):+.0%}。", "",
              "| 规则 | 候选块 | 块数 | 打分的事项对 | 每块中位数 | 每块最多 | 因概率新增 |",
              "|---|---|---|---|---|---|---|"]
    for rule, s in zip(RULES, on["pair_score"]):
        lines.append(f"| {rule} | {' × '.join(s['candidate_block'])} | {s['blocks']:,} | {s['pairs_scored']:,} | "
                     f"{s['pairs_per_block_median']:.0f} | {s['pairs_per_block_max']:,} | {s['added_by_score']:,} |")
    lines += ["", "首个打分的规则还要为全部事项计算一次信号（名称、条文、引文的字符二元组等），计入其用时；之后的规则共用。", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", type=Path, required=True, help="a folder written by quanze synth")
    ap.add_argument("--tables", type=Path, help="tables written by Tables.write (skips loading)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each way, alternating (the fastest kept)")
    ap.add_argument("--write", action="store_true", help="replace this section of benchmarks/results.md")
    args = ap.parse_args()
    from quanze.tables import Tables

    if args.tables:
        tables = Tables.read(args.tables)
    else:
        from quanze.pipeline import prepare

        tables = prepare([args.preset / "lists"]).tables
    m = measure(tables, args.repeat)
    print(json.dumps(m, ensure_ascii=False, indent=1), file=sys.stderr)
    text = report(f"合成数据 {args.preset.name}", m)
    emit(text, SECTION, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
