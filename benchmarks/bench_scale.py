"""County, city and province: time per stage, peak memory, recall and precision per rule.

Each preset is written by ``quanze synth`` in one process and measured in another (so that
peak memory is the analysis's own): the floor of merely reading its lists with pandas (warm
cache, median of three), then the pipeline — load → tables → every rule → a scenario (all
licences to a 行政审批局) — and the findings are scored against truth.json.
``--all-pairs`` adds the plain approach on the city preset: TF-IDF over every
item name and every pair compared, against the rules' blocked pairing.

    python benchmarks/bench_scale.py --presets county city --all-pairs --write

A run of 20,000 items or more shares its rules between the cores (rules/parallel.py); ``--one-process
province`` measures that preset again with the rules in one process, for time against memory.
Peak memory is given twice: the measuring process's own (``ru_maxrss``), and the whole process
tree's, summed PSS sampled every half second (the loader's and the rule run's worker processes too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import resource
import sys
import time
from pathlib import Path

from common import SHARED, run_sampled

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SCENARIO = ROOT / "examples" / "scenarios" / "approval-bureau.yaml"
OVERLAP_RULES = ("R01b", "R03", "R10")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthesise_preset(preset: str, seed: int, workdir: Path) -> dict:
    """Write the preset's lists (in a child process of its own) and time it."""
    from quanze.synth import synthesise

    t = time.perf_counter()
    summary = synthesise(preset, seed, workdir / preset)
    return {"seconds": round(time.perf_counter() - t, 2), **summary}


def read_floor(lists: Path) -> float:
    """Seconds to merely read every list with pandas, all cells as text: warm cache, median of three."""
    import pandas as pd

    files = sorted(lists.iterdir())

    def read_all() -> float:
        t = time.perf_counter()
        for f in files:
            if f.suffix == ".csv":
                pd.read_csv(f, dtype=str, header=None, keep_default_na=False)
            else:
                pd.read_excel(f, dtype=str, header=None, sheet_name=None)
        return time.perf_counter() - t

    read_all()  # warms the page cache
    return statistics.median(read_all() for _ in range(3))


def measure(preset: str, seed: int, workdir: Path, laws: str | None) -> dict:
    """One preset, stage by stage (run in a child process)."""
    from quanze.pipeline import prepare
    from quanze.reform import read_scenario, simulate
    from quanze.rules.engine import run
    from quanze.synth import score

    out = workdir / preset
    summary = json.loads((out / "synth.json").read_text(encoding="utf-8"))
    stages: dict[str, float] = {"floor": read_floor(out / "lists")}
    t = time.perf_counter()
    marks: dict[tuple, float] = {}
    ready = prepare([out / "lists"], laws=laws, **{k: [out / v] for k, v in summary["inputs"].items()},
                    progress=lambda stage, done, total: marks.setdefault((stage, done), time.perf_counter()))
    stages["load"] = marks[("建立数据表", 0)] - t
    stages["tables"] = marks[("建立数据表", 1)] - marks[("建立数据表", 0)]
    stages["inputs"] = time.perf_counter() - marks[("建立数据表", 1)]
    t = time.perf_counter()
    result = run(ready.tables, inputs=ready.inputs)
    stages["rules"] = time.perf_counter() - t
    per_rule = {r.rule.id: round(r.seconds, 2) for r in result.runs if r.status == "ok"}
    t = time.perf_counter()
    sim = simulate(ready.tables, read_scenario(SCENARIO), inputs=ready.inputs, catalogue=False)
    stages["scenario"] = time.perf_counter() - t
    # as the service simulates: the analysis's run reused as "before", the catalogue run again after the move
    t = time.perf_counter()
    simulate(ready.tables, read_scenario(SCENARIO), inputs=ready.inputs, before=result)
    stages["after_run"] = time.perf_counter() - t
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return {
        "preset": preset, "items": len(ready.load.items), "lists": summary["lists"],
        "responsibility_rows": summary["responsibility_rows"], "rejected": len(ready.load.rejected),
        "stages": {k: round(v, 2) for k, v in stages.items()}, "per_rule": per_rule,
        "moved": len(sim.outputs["moved"]), "findings": len(result.findings),
        "scores": score(truth, result.findings), "peak_mb": round(_peak_mb()),
    }


def all_pairs(preset_dir: Path, threshold: float) -> dict:
    """The plain approach: TF-IDF (character n-grams) over every item name, every pair compared."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from quanze.loaders import load_files

    items = load_files([preset_dir / "lists"]).items
    truth = json.loads((preset_dir / "truth.json").read_text(encoding="utf-8"))
    planted = [frozenset(e["items"]) for e in truth if e["rule"] in OVERLAP_RULES]
    t = time.perf_counter()
    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit_transform([it.name for it in items])
    found: set[frozenset] = set()
    ids = np.array([it.id for it in items])
    for start in range(0, X.shape[0], 2000):
        S = (X[start:start + 2000] @ X.T).tocoo()
        keep = (S.data >= threshold) & (S.row + start < S.col)
        found.update(frozenset((ids[r + start], ids[c])) for r, c in zip(S.row[keep], S.col[keep]))
    seconds = time.perf_counter() - t
    hit = sum(p in found for p in planted)
    return {"seconds": round(seconds, 2), "pairs": len(found), "planted": len(planted),
            "recall": round(hit / len(planted), 4) if planted else None,
            "precision": round(hit / len(found), 4) if found else None, "threshold": threshold}


def _child(args) -> None:
    if args.one_all_pairs:
        print(json.dumps(all_pairs(Path(args.workdir) / "city", args.threshold)))
    elif args.synth:
        print(json.dumps(synthesise_preset(args.synth, args.seed, Path(args.workdir)), ensure_ascii=False))
    else:
        if args.in_one_process:
            from quanze.rules import parallel

            parallel.PARALLEL_FROM = float("inf")  # no run is large enough to share its rules
        print(json.dumps(measure(args.one, args.seed, Path(args.workdir), args.laws), ensure_ascii=False))


def _run_child(extra: list[str], args) -> dict:
    cmd = [sys.executable, __file__, "--workdir", args.workdir, "--seed", str(args.seed), *extra]
    if args.laws:
        cmd += ["--laws", args.laws]
    out, peak = run_sampled(cmd)
    return {**json.loads(out.strip().splitlines()[-1]), "peak_tree_mb": round(peak)}


def _machine() -> str:
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")),
               0) if Path("/proc/meminfo").exists() else 0
    return f"{os.cpu_count()} cores, {mem} GB memory, Python {platform.python_version()}, {platform.machine()}"


def render(results: list[dict], pairs: dict | None) -> str:
    lines = ["## Scale: county, city, province (`benchmarks/bench_scale.py`)", "",
             f"Machine: {_machine()}.  Seed 1; the law corpus was {'used' if results and results[0].get('laws') else 'not used'}.", "",
             "| preset | items | lists | responsibility rows | synth s | read floor s | load s | tables s | "
             "inputs s | rules s | scenario s | end to end s | × floor | scenario with its rule run s | peak MB | "
             "peak MB, all processes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        s = r["stages"]
        total = s["load"] + s["tables"] + s["inputs"] + s["rules"] + s["scenario"]
        lines.append(f"| {r['preset']} | {r['items']:,} | {r['lists']:,} | {r['responsibility_rows']:,} | {s['synth']} | "
                     f"{s['floor']} | {s['load']} | {s['tables']} | {s['inputs']} | {s['rules']} | {s['scenario']} | "
                     f"{round(total, 1)} | {total / s['floor']:.1f} | {s.get('after_run', '–')} | {r['peak_mb']:,} | "
                     f"{r.get('peak_tree_mb', 0):,} |")
    rules = sorted({k for r in results for k in r["per_rule"]})
    lines += ["", "Seconds per rule:", "", "| rule | " + " | ".join(r["preset"] for r in results) + " |",
              "|---|" + "---|" * len(results)]
    for rule in rules:
        lines.append(f"| {rule} | " + " | ".join(str(round(r["per_rule"].get(rule, 0), 2)) for r in results) + " |")
    lines += ["", "Recall / precision against the planted problems (planted count in brackets; – where nothing was "
              "planted or found):", "", "| rule | " + " | ".join(r["preset"] for r in results) + " |",
              "|---|" + "---|" * len(results)]
    scored = sorted({k for r in results for k in r["scores"]})
    for rule in scored:
        cells = []
        for r in results:
            s = r["scores"].get(rule)
            if not s:
                cells.append("–")
                continue
            if not s["planted"]:  # R18–R20 are not planted: their findings are counted, not scored
                cells.append(f"not planted, {s['findings']} found")
                continue
            fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
            cells.append(f"{fmt(s['recall'])} / {fmt(s['precision'])} ({s['planted']})")
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    if pairs:
        city = next((r for r in results if r["preset"] == "city"), None)
        ours = city["per_rule"] if city else {}
        mine = sum(ours.get(k, 0) for k in OVERLAP_RULES)
        rec = [city["scores"][k] for k in OVERLAP_RULES if city and k in city["scores"]]
        found = sum(s["found"] for s in rec)
        planted = sum(s["planted"] for s in rec)
        lines += ["", "All pairs (TF-IDF of character 2–3-grams over every name, cosine ≥ "
                  f"{pairs['threshold']}) against the blocked rules R01b + R03 + R10, city preset:", "",
                  "| approach | seconds | pairs | recall of planted overlaps |", "|---|---|---|---|",
                  f"| all pairs | {pairs['seconds']} | {pairs['pairs']:,} | {pairs['recall']} |",
                  f"| rules (blocked) | {round(mine, 2)} | {sum(s['findings'] for s in rec):,} | "
                  f"{round(found / planted, 4) if planted else '–'} |"]
        if mine and pairs["seconds"]:
            lines.append("")
            lines.append(f"Time ratio all-pairs / rules: {pairs['seconds'] / mine:.1f}; recall ratio rules / all-pairs: "
                         f"{(found / planted) / pairs['recall'] if pairs['recall'] else float('inf'):.2f}.")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=["county", "city"], choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default="/tmp/quanze-bench")
    default_laws = SHARED / "data" / "laws"
    ap.add_argument("--laws", default=str(default_laws) if default_laws.is_dir() else None)
    ap.add_argument("--all-pairs", action="store_true", help="compare with all pairs on the city preset")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--write", action="store_true", help=f"write the tables into {DOC.relative_to(ROOT)}")
    ap.add_argument("--one-process", nargs="*", default=[], metavar="PRESET",
                    help="measure these presets again with every rule run in one process")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--in-one-process", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--one-all-pairs", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--synth", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one or args.one_all_pairs or args.synth:
        _child(args)
        return
    results = []
    for preset in args.presets:
        written = _run_child(["--synth", preset], args)
        for alone in (False, True) if preset in args.one_process else (False,):
            r = _run_child(["--one", preset, *(["--in-one-process"] if alone else [])], args)
            r["stages"]["synth"] = written["seconds"]
            r["laws"] = bool(args.laws)
            if alone:
                r["preset"] += "（规则在一个进程中）"
            print(json.dumps({k: v for k, v in r.items() if k != "per_rule"}, ensure_ascii=False), flush=True)
            results.append(r)
    pairs = _run_child(["--one-all-pairs"], args) if args.all_pairs and "city" in args.presets else None
    if pairs:
        print(json.dumps(pairs), flush=True)
    table = render(results, pairs)
    print(table)
    if args.write:
        (Path(args.workdir) / "results.json").write_text(json.dumps({"results": results, "pairs": pairs}), encoding="utf-8")
        _write_section(table)


def _write_section(table: str) -> None:
    """Replace the generated section of docs/benchmarks.md, keeping the written text around it."""
    start, end = "<!-- bench_scale:start -->", "<!-- bench_scale:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    DOC.write_text(f"{before}{start}\n{table}{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
