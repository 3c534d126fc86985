"""A large run shares its rules between forked processes (rules/parallel.py): the findings, the rule runs and
the statistics must be exactly those of one process, also when a worker process dies.

A run forks only from a process without other threads, and earlier tests leave threads behind (served
apps, job pools), so the runs that fork are made in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from quanze.rules import parallel
from quanze.rules.catalogue import load_catalogue
from quanze.rules.primitives import REGISTRY

from conftest import LAWS

# in a fresh interpreter: the example run in one process, then shared between two (any size may fork here,
# and the pools started are counted); ``die`` makes every forked process exit half-way through its share
RUNS = r"""
import json, os, sys
from quanze.pipeline import EXAMPLES, example_inputs, prepare
from quanze.rules import engine, parallel

laws, die = (sys.argv[1] or None), sys.argv[2] == "die"
ready = prepare([EXAMPLES / "mingchuan"], laws=laws, **example_inputs())
started = []

class Counted(parallel.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        started.append(args)
        super().__init__(*args, **kwargs)

parallel.PARALLEL_FROM, parallel.ProcessPoolExecutor = 0, Counted

def dump(result):
    return {"findings": [json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) for f in result.findings],
            "runs": [[r.rule.id, r.status, r.reason, r.findings] for r in result.runs],
            "stats": json.dumps(result.stats, ensure_ascii=False, sort_keys=True, default=str)}

one = dump(engine.run(ready.tables, inputs=ready.inputs, workers=1))
pools_alone = list(started)
if die:
    parent, run_rule = os.getpid(), engine._run_rule
    def dies_in_a_worker(*args):
        if os.getpid() != parent:
            os._exit(3)  # as if killed (out of memory) half-way through its share
        return run_rule(*args)
    engine._run_rule = dies_in_a_worker
two = dump(engine.run(ready.tables, inputs=ready.inputs, workers=2))
print(json.dumps({"one": one, "two": two, "pools_alone": pools_alone, "pools": started}))
"""


def _runs(die: bool = False) -> dict:
    laws = str(LAWS) if LAWS.is_dir() else ""
    done = subprocess.run([sys.executable, "-c", RUNS, laws, "die" if die else ""], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_15_parallel_run_gives_the_single_process_findings():
    r = _runs()
    assert r["pools_alone"] == [] and r["pools"] == [[1]]  # one share runs here, the other in one forked process
    one, two = r["one"], r["two"]
    assert len(one["findings"]) > 20 and all(status == "ok" for rule, status, _, _ in one["runs"] if rule != "R22")
    # the same findings in the same order (catalogue order, whichever process ran a rule), runs and statistics
    assert two == one


def test_15_parallel_unit_whose_process_dies_runs_again_in_place():
    r = _runs(die=True)
    assert r["pools"] == [[1]] and r["two"] == r["one"]


def test_15_parallel_rule_units_keep_shared_caches_together():
    rules = load_catalogue()
    shares = parallel.plan(rules, REGISTRY, 2)
    units = [u for share in shares for u in share]
    assert len(shares) == 2 and sorted(n for u in units for n in u) == list(range(len(rules)))
    unit_of = {rules[n].id: k for k, u in enumerate(units) for n in u}
    assert unit_of["R01b"] == unit_of["R03"] == unit_of["R10"] == unit_of["R06"]  # the run's TF-IDF vectors
    assert unit_of["R05a"] == unit_of["R05b"] and unit_of["R07"] == unit_of["R11"] == unit_of["R14"]
    # the costliest unit goes first, and the shares' costs differ by less than the cheapest unit they hold
    assert shares[0][0] == [n for n, r in enumerate(rules) if r.id in ("R01b", "R03", "R06", "R10")]
    cost = [sum(REGISTRY[rules[n].check].cost for u in share for n in u) for share in shares]
    assert abs(cost[0] - cost[1]) <= min(sum(REGISTRY[rules[n].check].cost for n in u) for u in units)


@pytest.mark.parametrize("threads, workers, items, expected", [
    (1, 2, 10 ** 6, 2),
    (1, 2, parallel.PARALLEL_FROM - 1, 1),  # too small to gain
    (1, 1, 10 ** 6, 1),
    (2, 2, 10 ** 6, 1),  # another thread runs (the web service): forking could copy a lock it holds
])
def test_15_parallel_only_where_forking_is_safe(monkeypatch, threads, workers, items, expected):
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    assert parallel.worker_count(workers, items) == expected
