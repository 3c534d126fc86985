"""Share the rules of one large run between processes forked after the tables are made.

The primitives are independent of each other once the tables exist, so a run's time can be
bounded by its largest group of rules instead of by their sum.  Rules that share a cache
(the TF-IDF vectors, the duty matching, the lineage's bases) form one unit and run in one
process, so no cache is built twice; the largest units go first.  Findings come back to the
parent and are put in catalogue order, so a parallel run gives exactly what one process gives.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from quanze.processes import cores, may_fork

# below this many items a second process costs more to start than it saves
PARALLEL_FROM = 20_000


def worker_count(workers: int | None, items: int) -> int:
    """How many processes a run of ``items`` items may use: one when forking is not safe (``may_fork``),
    not available or not worth it."""
    if workers is None:
        workers = cores()
    if workers <= 1 or items < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods() \
            or not may_fork():
        return 1
    return workers


def plan(rules: list, registry: dict, workers: int) -> list[list[list[int]]]:
    """Positions of ``rules`` in units that share caches, the units dealt into ``workers`` shares of about
    equal cost (the costliest unit first, each to the cheapest share so far); the first share runs here.

    Rules of one primitive share its caches; the primitives that read the run's TF-IDF vectors share those.
    """
    groups: dict[str, list[int]] = {}
    for n, rule in enumerate(rules):
        primitive = registry.get(rule.check)
        key = "vectors" if getattr(primitive, "run_vectors", False) else rule.check
        groups.setdefault(key, []).append(n)
    cost = {key: sum(getattr(registry.get(rules[n].check), "cost", 1) for n in unit) for key, unit in groups.items()}
    shares: list[tuple[int, list]] = [(0, []) for _ in range(workers)]
    for key in sorted(groups, key=lambda k: (-cost[k], groups[k][0])):
        k = min(range(workers), key=lambda i: shares[i][0])
        shares[k] = (shares[k][0] + cost[key], shares[k][1] + [groups[key]])
    return [units for _, units in shares if units]


_UNIT_RUNNER: Callable | None = None  # set before the fork: the children inherit it


def _run(unit: list[int]):
    return _UNIT_RUNNER(unit)


def run_units(shares: list[list[list[int]]], runner: Callable[[list[int]], tuple[dict, dict]],
              progress: Callable[[str, int, int], None] | None, total: int) -> tuple[dict, list[dict]]:
    """Each unit through ``runner`` (rule position → result, and the statistics written): the first share
    here, the others in forked processes, one per share; returns every rule's result and the units'
    statistics in catalogue order.  Running a share here saves a process's copy of what the rules touch.

    A unit whose process died (killed, out of memory) is run again here, so no rule is lost.
    """
    global _UNIT_RUNNER
    _UNIT_RUNNER = runner
    done: dict = {}
    stats: dict[int, dict] = {}

    def took(unit, results, written):
        done.update(results)
        stats[unit[0]] = written
        if progress:
            progress("规则检查", len(done), total)

    gc.freeze()  # the children do not write to the parent's objects' collector headers: fewer pages copied
    try:
        with ProcessPoolExecutor(len(shares) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_run, unit): unit for share in shares[1:] for unit in share}
            for unit in shares[0]:
                took(unit, *runner(unit))
            for future in as_completed(futures):
                try:
                    took(futures[future], *future.result())
                except Exception:  # the process died or its result could not come back: run it again below
                    continue
    except BrokenProcessPool:
        pass
    finally:
        gc.unfreeze()
        _UNIT_RUNNER = None
    for unit in (u for share in shares for u in share):
        if unit[0] not in stats:  # its process did not come back
            took(unit, *runner(unit))
    return done, [stats[k] for k in sorted(stats)]
