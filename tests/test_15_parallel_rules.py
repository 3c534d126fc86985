"""A large run shares its rules between forked processes (rules/parallel.py): the findings, the rule runs and
the statistics must be exactly those of one process, also when a worker process dies."""

from __future__ import annotations

import json
import os
import threading

import pytest

from quanze.pipeline import EXAMPLES, example_inputs, prepare
from quanze.rules import engine, parallel
from quanze.rules.catalogue import load_catalogue
from quanze.rules.engine import run
from quanze.rules.primitives import REGISTRY

from conftest import LAWS

LAWS_DIR = LAWS if LAWS.is_dir() else None


@pytest.fixture(scope="module")
def ready():
    return prepare([EXAMPLES / "mingchuan"], laws=LAWS_DIR, **example_inputs())


@pytest.fixture
def pools(monkeypatch):
    """Any run may fork (the example is far below the size that does), and the pools it starts are counted."""
    started = []

    class Counted(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    return started


def _dump(result) -> tuple:
    findings = [json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) for f in result.findings]
    runs = [(r.rule.id, r.status, r.reason, r.findings) for r in result.runs]
    return findings, runs, json.dumps(result.stats, ensure_ascii=False, sort_keys=True, default=str)


def test_15_parallel_run_gives_the_single_process_findings(ready, pools):
    one = run(ready.tables, inputs=ready.inputs, workers=1)
    assert not pools
    two = run(ready.tables, inputs=ready.inputs, workers=2)
    assert pools == [(1,)]  # one share runs here, the other in one forked process
    assert len(one.findings) > 20 and {r.status for r in one.runs} == {"ok"}
    # the same findings in the same order (catalogue order, whichever process ran a rule), runs and statistics
    assert _dump(two) == _dump(one)


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


def test_15_parallel_unit_whose_process_dies_runs_again_in_place(ready, pools, monkeypatch):
    one = run(ready.tables, inputs=ready.inputs, workers=1)
    parent = os.getpid()
    run_rule = engine._run_rule

    def dies_in_a_worker(*args):
        if os.getpid() != parent:
            os._exit(3)  # as if killed (out of memory) half-way through its share
        return run_rule(*args)

    monkeypatch.setattr(engine, "_run_rule", dies_in_a_worker)
    two = run(ready.tables, inputs=ready.inputs, workers=2)
    assert pools and _dump(two) == _dump(one)


def test_15_parallel_only_where_forking_is_safe(monkeypatch):
    assert parallel.worker_count(2, parallel.PARALLEL_FROM - 1) == 1  # too small to gain
    assert parallel.worker_count(1, 10 ** 6) == 1
    assert parallel.worker_count(2, 10 ** 6) == 2
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as in the web service: forking could copy a held lock
    other.start()
    try:
        assert parallel.worker_count(2, 10 ** 6) == 1
    finally:
        stop.set()
        other.join()
