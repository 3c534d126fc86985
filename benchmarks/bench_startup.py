"""Benchmark: what an analyst waits for when running the command on one small list, this version against an earlier one.

    python benchmarks/bench_startup.py [--against REV] [--repeat 5] [--write]

Every measurement is a fresh process, timed from outside (wall clock, median of
``--repeat``): the interpreter alone (the floor), importing the command, ``quanze
load`` and ``quanze analyze`` (one .json output) on a 4-item list written with
tests/helpers.py's ``workbook``, and ``quanze load`` on the bundled example.  The
earlier revision is checked out into a temporary git worktree and imported through
a folder holding ``quanze -> <worktree root>`` first on sys.path, as
bench_load_versions.py does; the two versions take turns, so both see the same load
on a shared machine.  ``--write`` appends the table to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, publish, two_versions  # a sibling module of these scripts

sys.path.insert(0, str(REPO / "tests"))
from helpers import HEADER, row, workbook  # noqa: E402

# the revision before the subcommands imported what they use
AGAINST = "0fb04d4"
NAMES = ["对未按照规定设置安全生产管理机构的处罚", "对生产经营单位未建立事故隐患排查治理制度的处罚",
         "对特种作业人员未持证上岗的处罚", "对危险化学品生产企业的安全检查"]
IMPORT = "import sys; sys.path.insert(0, sys.argv[1]); import quanze.api.cli"
COMMAND = "import sys; sys.path.insert(0, sys.argv[1]); from quanze.api.cli import main; sys.exit(main(sys.argv[2:]))"
WHERE = "import sys; sys.path.insert(0, sys.argv[1]); import quanze; print(quanze.__file__)"


def _cases(four: Path, example: Path, out: Path) -> list[tuple[str, str, list[str]]]:
    """(label, code run with -c, arguments after the shim) for each measurement."""
    return [("python -c pass（下限）", "pass", []),
            ("import quanze.api.cli", IMPORT, []),
            ("quanze load（4 项）", COMMAND, ["load", str(four)]),
            ("quanze analyze（4 项，一个 .json）", COMMAND, ["analyze", str(four), "--out", str(out)]),
            ("quanze load（示例县）", COMMAND, ["load", str(example)])]


def _time(code: str, shim: Path, args: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(shim), *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def _check_shim(shim: Path, root: Path, cwd: Path) -> None:
    """Stop unless ``quanze`` imported through ``shim`` is the tree at ``root`` (not the installed one)."""
    where = subprocess.run([sys.executable, "-c", WHERE, str(shim)], cwd=cwd, check=True,
                           capture_output=True, text=True).stdout.strip()
    if Path(where).resolve().parent != root.resolve():
        raise SystemExit(f"{shim} imports quanze from {where}, not from {root}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", default=AGAINST, help=f"the earlier revision (default {AGAINST}: before lazy imports)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    example = REPO / "examples" / "mingchuan"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        four = workbook(tmp / "四项.xlsx", {"行政处罚": [HEADER] + [row(i, n) for i, n in enumerate(NAMES, 1)]})
        with two_versions(args.against, tmp) as versions:
            for root, shim in versions.values():
                _check_shim(shim, root, tmp)
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.repeat):
                for label, code, argv in _cases(four, example, tmp / "findings.json"):
                    for name in ("old", "this"):  # alternating, so that both see the same machine
                        times.setdefault((label, name), []).append(_time(code, versions[name][1], argv, tmp))
    median = {key: statistics.median(ts) for key, ts in times.items()}
    labels = list(dict.fromkeys(label for label, _ in times))
    lines = [f"## 命令启动耗时：本版与 {args.against} · {datetime.date.today()} · Python {sys.version.split()[0]}", "",
             "由 `benchmarks/bench_startup.py` 生成：每次测量都是新进程，从外部计时（秒，"
             f"{args.repeat} 次中位数），两个版本交替运行。", "",
             f"| 测量 | {args.against} | 本版 | 本版/旧版 |", "|---|---|---|---|"]
    lines += [f"| {label} | {median[label, 'old']:.2f} | {median[label, 'this']:.2f} | "
              f"{median[label, 'this'] / median[label, 'old']:.2f}× |" for label in labels]
    publish("\n".join(lines) + "\n", args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
