"""How well the loader finds an item's category when the list has no category column.

    python benchmarks/bench_category_inference.py [--shared ../shared] [--write]

The 16 real lists are written again without their 权力类型 column (the ``no-category``
variants of ``tests/corpus/variants.py``: sheet names and titles as published) and loaded;
each item is matched to the original load by (file, sheet, rows), and the share whose
category equals the published one is given overall, per list, per published category and
by the item's ``category_source`` (column/sheet/title/file/model) when the loader sets one.
An item the variant does not load at all counts as wrong.  ``--write`` appends the tables
to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from quanze.loaders import load_files

from common import RESULTS, add_shared, publish, real_lists  # a sibling module of these scripts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from corpus.variants import write_variants  # noqa: E402  (the corpus lives with the tests)

HEADING = "Category inference (category column hidden)"
UNSET = "（未标注）"


class Tally:
    """Right and total counts under each label of one breakdown."""

    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, label: str, ok: bool) -> None:
        self.total[label] += 1
        self.right[label] += ok

    def rows(self) -> list[tuple[str, int, int]]:
        return [(k, self.right[k], self.total[k]) for k in sorted(self.total, key=lambda k: (-self.total[k], k))]


SCENARIOS = {
    "alone": "each list loaded on its own, without its category column (name cues, and what its own sheet names and titles say)",
    "together": "the 16 lists loaded in one run, none with its category column",
    "leave-one-out": "one list without its category column, loaded with the other 15 as published (16 runs)",
}


def _inferred(scenario: str, v, variants, files: list[Path]) -> dict:
    """The hidden list's items by (sheet, rows), as loaded in the scenario's run."""
    if scenario == "alone":
        paths = v.paths
    elif scenario == "together":
        paths = [p for w in variants for p in w.paths]
    else:
        paths = [f for f in files if f.name != v.source] + list(v.paths)
    names = {Path(p).name for p in v.paths}
    return {(it.source.sheet, it.source.rows): it for it in _load(tuple(map(str, paths))).items
            if it.source.file in names}


@functools.lru_cache(maxsize=2)
def _load(paths: tuple[str, ...]):
    return load_files(list(paths))


def measure(klmy: Path, work: Path, scenario: str = "alone") -> dict[str, Tally]:
    files = sorted(p for p in klmy.iterdir() if p.is_file())
    variants = write_variants(files, work, kinds=["no-category"])
    tallies = {"overall": Tally(), "list": Tally(), "category": Tally(), "category_source": Tally()}
    for v in variants:
        published = {(it.source.sheet, it.source.rows): it.category for it in load_files([klmy / v.source]).items}
        inferred = _inferred(scenario, v, variants, files)
        for where, category in published.items():
            it = inferred.get(where)
            ok = it is not None and it.category == category
            source = (getattr(it, "category_source", None) or UNSET) if it is not None else "未导入"
            tallies["overall"].add("全部", ok)
            tallies["list"].add(v.source, ok)
            tallies["category"].add(category or "（无类别）", ok)
            tallies["category_source"].add(source, ok)
    return tallies


def markdown(results: dict[str, dict[str, Tally]], seconds: float) -> str:
    titles = {"overall": "", "list": "清单", "category": "公布的类别", "category_source": "category_source"}
    out = [f"## {HEADING} · {datetime.date.today().isoformat()}", "",
           "`benchmarks/bench_category_inference.py`: the 16 real lists without their 权力类型 column, loaded "
           f"and matched to the published items by (file, sheet, rows); {seconds:.0f} s including writing them.", "",
           "| 场景 | 类别正确 | 事项 | 比例 |", "|---|---|---|---|"]
    for scenario, tallies in results.items():
        [(_, r, n)] = tallies["overall"].rows()
        out.append(f"| {scenario}: {SCENARIOS[scenario]} | {r} | {n} | {r / n:.3f} |")
    out += ["", "Breakdowns of the first scenario (alone):", ""]
    for key, tally in results["alone"].items():
        label = titles[key] or "范围"
        out += [f"| {label} | 类别正确 | 事项 | 比例 |", "|---|---|---|---|"]
        out += [f"| {k} | {r} | {n} | {r / n:.3f} |" for k, r, n in tally.rows()]
        out.append("")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--write", action="store_true", help=f"append the tables to {RESULTS.name}")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        results = {s: measure(klmy, Path(work) / s, s) for s in SCENARIOS}
    publish(markdown(results, time.perf_counter() - t), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
