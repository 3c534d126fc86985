"""Issue 18: ``quanze analyze --engine dask`` gives exactly the single process's findings.

The partition tests need neither dask nor a cluster; the engine tests start one LocalCluster of two
worker processes for the module (skipped when dask is not installed) and compare the findings of the
county preset and of the bundled example with the single process's, also with a worker killed mid-run.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import signal
import threading
import time

import pandas as pd
import pytest

from conftest import EXAMPLE, LAWS

from quanze.api.cli import main
from quanze.cluster.engine import batches, plan_rules
from quanze.cluster.partitions import read_partitions, write_partitions
from quanze.pipeline import analyze, example_inputs, prepare
from quanze.rules.catalogue import load_catalogue
from quanze.rules.engine import params_of
from quanze.rules.primitives import REGISTRY

LAWS_DIR = LAWS if LAWS.is_dir() else None


def _key(f) -> tuple:
    dump = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    return f.rule, f.fingerprint, dump(f.subjects), dump(f.sources)


def _same_findings(one, two) -> None:
    a, b = sorted(map(_key, one.result.findings)), sorted(map(_key, two.result.findings))
    assert len(a) == len(set(a)) and a == b
    # and the rest of each finding (message, evidence, departments) as well
    full = lambda r: sorted(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) for f in r.findings)  # noqa: E731
    assert full(one.result) == full(two.result)
    assert [(r.rule.id, r.status, r.findings) for r in one.result.runs] == \
        [(r.rule.id, r.status, r.findings) for r in two.result.runs]


# ---- partitions: no cluster needed ------------------------------------------------------------------


def test_18_partitions_read_together_are_the_whole_tables(tmp_path):
    tables = prepare([EXAMPLE], **example_inputs()).tables
    parts = write_partitions(tables, tmp_path)
    assert len(parts) == tables.items["government"].nunique() > 1
    assert sum(p.items for p in parts) == len(tables)
    for p in parts:  # each folder holds whole governments of one territory, and only their rows
        one = read_partitions(tmp_path, [p.folder])
        assert set(one.items["government"]) == {p.government} and set(one.items["territory"]) == {p.territory}
        assert set(one.citations["item_id"]) <= set(one.items["id"])
    whole = read_partitions(tmp_path, [p.folder for p in reversed(parts)])  # any order: read back in the run's
    for name in ("items", "citations", "clauses", "departments"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(tables, name).reset_index(drop=True))
    bare = read_partitions(tmp_path, [p.folder for p in parts], clauses=False)
    assert bare.clauses.empty and list(bare.clauses.columns) == list(tables.clauses.columns)
    pd.testing.assert_frame_equal(bare.items, tables.items.reset_index(drop=True))


def test_18_a_government_given_the_whole_runs_counts_weighs_its_items_as_the_whole_run(tmp_path):
    """What lets R01b/R03 (the pair score), R10 and R06 run per partition: a partition's TF-IDF rows and
    pair signals, weighed with the term counts of every partition added up, are the whole run's, bit for bit."""
    import numpy as np

    from quanze.loaders import LawLibrary
    from quanze.rules import pairfeatures
    from quanze.rules.context import RunContext, add_statistics, whole_run_statistics

    tables = prepare([EXAMPLE]).tables
    laws = LawLibrary(LAWS_DIR) if LAWS_DIR else None
    names = ["terms:core", "pair-signals"]
    parts = write_partitions(tables, tmp_path)
    shares = [whole_run_statistics(RunContext(read_partitions(tmp_path, [p.folder]), {"laws": laws}), names)
              for p in parts]
    total = functools.reduce(add_statistics, shares, {})
    assert total["terms:core"].n == len(tables)
    whole = RunContext(tables, {"laws": laws})
    everyone = pairfeatures.item_signals(tables, laws, whole)
    X = whole.vectors("core")
    for p in parts:
        one = read_partitions(tmp_path, [p.folder])
        ctx = RunContext(one, {"laws": laws}, cache={("whole-run", n): v for n, v in total.items()})
        rows = np.array(p.positions)
        assert np.array_equal((ctx.vectors("core") @ ctx.vectors("core").T).toarray(), (X[rows] @ X[rows].T).toarray())
        i, j = np.triu_indices(len(rows), 1)
        mine = pairfeatures.item_signals(one, laws, ctx, whole=ctx.whole_run("pair-signals"))
        assert np.array_equal(pairfeatures.pair_features(mine, i, j), pairfeatures.pair_features(everyone, rows[i], rows[j]))
    # without the whole run's counts a partition weighs by its own texts, and its rows differ
    alone = RunContext(read_partitions(tmp_path, [parts[0].folder]))
    rows = np.array(parts[0].positions)
    assert not np.array_equal((alone.vectors("core") @ alone.vectors("core").T).toarray(),
                              (X[rows] @ X[rows].T).toarray())


def test_18_a_worker_task_starts_with_the_caches_of_earlier_tasks_emptied(tmp_path):
    """A worker held 200–300 MB more between tasks the more tasks it had run (caches filling), so its memory
    grew with the number of provinces: each task now starts with the bounded caches empty."""
    from quanze import caches
    from quanze.cluster import engine
    from quanze.cluster.engine import _run_partitions
    from quanze.rules import textsim

    tables = prepare([EXAMPLE]).tables
    parts = write_partitions(tables, tmp_path / "tables")
    first, second = parts[0], max(parts[1:], key=lambda p: p.items)
    inputs = tmp_path / "inputs.pickle"
    inputs.write_bytes(pickle.dumps({}))
    rules = plan_rules(load_catalogue())["government"]
    run_second = functools.partial(_run_partitions, str(tmp_path / "tables"), [second.folder], rules, str(inputs), None)

    caches.clear()
    alone = run_second()[1]
    held_alone = textsim.tokens.cache_info().currsize
    assert held_alone > 0 and caches.bounded_caches()

    _run_partitions(str(tmp_path / "tables"), [first.folder], rules, str(inputs), None)
    held_first = textsim.tokens.cache_info().currsize
    numbering = textsim._numbering()
    read = engine._inputs.cache_info().misses
    after = run_second()[1]
    # the first task's entries are gone: the second holds what it holds alone, not both tasks' names
    assert textsim.tokens.cache_info().currsize == held_alone < held_first + held_alone
    assert textsim._numbering() is not numbering
    # the run's inputs are kept: the second task does not read them again
    assert engine._inputs not in caches.bounded_caches() and engine._inputs.cache_info().misses == read
    assert [f.to_dict() for f in after.findings] == [f.to_dict() for f in alone.findings]


def test_18_rules_run_where_their_partition_and_primitive_allow():
    plan = plan_rules(load_catalogue())
    for rule in plan["government"] + plan["territory"]:
        primitive = REGISTRY[rule.check]
        assert not primitive.runs_whole(params_of(rule))
        assert rule.partition in ("government", "territory")
    # the rules comparing every part of the run run in partitions too, given the parts' shares added up:
    # no rule of the catalogue gathers the tables of the whole run, or of a whole province
    assert not plan["whole"] and not plan["province"]
    assert {r.id for r in plan["shares"]} == {"R05a", "R05b", "R13", "R16", "R21", "R22", "R23"}
    assert all(r.partition == "territory" for r in plan["territory"])
    # the TF-IDF rules and the pair score stay in partitions, given the whole run's term counts
    assert {"R01b", "R03", "R10"} <= {r.id for r in plan["government"]} and "R06" in {r.id for r in plan["territory"]}
    assert {"terms:core", "pair-signals"} <= set(plan["statistics"])


@pytest.fixture(scope="module")
def nation(tmp_path_factory):
    """A synthetic nation of two small provinces, with its reference inputs, loaded."""
    from quanze.synth import generate, plant, write

    out = tmp_path_factory.mktemp("nation")
    summary = write(plant(generate("nation-small", 1, provinces=2)), out)
    return prepare([out / "lists"], laws=LAWS_DIR, **{k: [out / v] for k, v in summary["inputs"].items()})


def _in_partitions(ready, root, rules):
    """The rules run as the Dask engine runs them, without a cluster: each batch's shares counted, added up
    and completed, each partition batch given them; the parts' results merged."""
    from quanze.cluster import engine
    from quanze.rules.engine import run

    parts = write_partitions(ready.tables, root)
    inputs_path = root / "inputs.pickle"
    inputs_path.write_bytes(pickle.dumps({k: v for k, v in ready.inputs.items() if k != "laws"}))  # as the engine ships them
    plan = plan_rules(rules)
    n = len(ready.tables)
    shares = [engine._count(str(root), [p.folder for p in b], plan["statistics"], plan["shares"], str(inputs_path))
              for b in batches(parts, "government", n, 4)]
    whole = engine._add_up(plan["shares"], str(inputs_path), *shares)
    cache = {(("whole-run", k) if isinstance(k, str) else k): v for k, v in whole.items()}
    results = [run(read_partitions(root, [p.folder for p in b]), rules=plan[kind], inputs=ready.inputs, cache=cache)
               for kind in engine.KINDS if plan[kind] for b in batches(parts, kind, n, 4)]
    return engine.merge(rules, results, ready.tables)


def test_18_rules_comparing_every_part_give_in_partitions_the_hits_of_one_process(nation, tmp_path):
    """R05a/R05b (三定 weights over every item), R13 (a classifier of every item), R16/R23 (peers' counts), R21
    (each matter's practice per province) and R22 (each province's holdings against the national catalogue):
    each part counts its share, the shares added up give every partition the whole run's view, and the
    partitions' findings are one process's, those spanning partitions (R21, R22, R23) joined."""
    from quanze.rules.engine import run

    rules = [r for r in load_catalogue() if REGISTRY[r.check].sharing(params_of(r))]
    one, two = run(nation.tables, rules=rules, inputs=nation.inputs), _in_partitions(nation, tmp_path, rules)
    assert all(r.status == "ok" for r in one.runs + two.runs), [(r.rule.id, r.reason) for r in two.runs]
    found = {r.rule.id: r.findings for r in one.runs}
    assert min(found.values()) >= 1, found  # every such rule finds something here, so the comparison can fail
    key = lambda f: json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True)  # noqa: E731
    assert sorted(map(key, one.findings)) == sorted(map(key, two.findings))
    # some matter's departing items are in both provinces, some province's count is made of several
    # governments' lists: one finding each, not one per partition
    assert [f for f in two.findings if f.rule == "R21" and len({s["department"][:1] for s in f.subjects}) > 1]


def test_18_a_provinces_count_made_of_several_governments_is_one_finding_with_all_their_sources(tmp_path):
    """R23's finding on a province whose counties list too few items is made of every county's list: each
    government partition gives its own rows as sources, and the parts are joined into one process's finding."""
    from types import SimpleNamespace

    from rulekit import item

    from quanze.rules.engine import run
    from quanze.tables import build_tables

    counts = {"甲省": 12, "乙省": 12, "丙省": 5}
    items = [item(f"对违法行为{n}的处罚", dept=f"{p[0]}{c}市场监督管理局", file=f"{p[0]}{c}清单.xlsx", province=p)
             for p, k in counts.items() for c in ("东县", "西县", "南县") for n in range(k)]
    tables = build_tables(items)
    rules = [r for r in load_catalogue() if r.id in ("R16", "R21", "R23")]
    one = run(tables, rules=rules)
    two = _in_partitions(SimpleNamespace(tables=tables, inputs={}), tmp_path, rules)
    (found,) = [f for f in two.findings if f.rule == "R23"]
    assert {s["file"] for s in found.sources} == {"丙东县清单.xlsx", "丙西县清单.xlsx", "丙南县清单.xlsx"}
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]


def test_18_a_share_that_fails_fails_its_rule_as_one_process_does(tmp_path, monkeypatch):
    from quanze.rules.engine import run
    from quanze.rules.primitives.outlier import Outlier

    def broken(self, ctx, scope, params):
        raise ValueError("统计失败")

    monkeypatch.setattr(Outlier, "share", broken)
    ready = prepare([EXAMPLE], **example_inputs())
    rules = [r for r in load_catalogue() if r.id in ("R08", "R13", "R16")]
    one, two = run(ready.tables, rules=rules, inputs=ready.inputs), _in_partitions(ready, tmp_path, rules)
    assert [(r.rule.id, r.status, r.reason) for r in one.runs] == [(r.rule.id, r.status, r.reason) for r in two.runs]
    assert {r.rule.id: r.status for r in two.runs} == {"R08": "ok", "R13": "ok", "R16": "error"}
    assert "统计失败" in next(r.reason for r in two.runs if r.rule.id == "R16")


def test_18_adding_shares_keeps_what_only_one_part_has():
    """Regression: adding two parts' statistics kept only the keys of the second part of a mapping, so the
    peers' counts of every part but the last were lost."""
    from collections import Counter

    from quanze.rules.context import add_statistics
    from quanze.rules.textsim import TermCounts

    a = {"share": Counter({("交通运输局", "县", "甲"): 3}), "pair-signals": {"name": TermCounts(1, Counter(x=1))}}
    b = {"share": Counter({("交通运输局", "县", "乙"): 5}), "pair-signals": {"cited": TermCounts(2, Counter(y=2))}}
    total = add_statistics(a, b)
    assert total["share"] == Counter({("交通运输局", "县", "甲"): 3, ("交通运输局", "县", "乙"): 5})
    assert set(total["pair-signals"]) == {"name", "cited"}


def test_18_the_shares_are_added_up_a_few_at_a_time(monkeypatch):
    """The adding task held every counting task's share at once, so its worker grew with the run (13 shares
    on two province-sized provinces); they are now added up in a tree, at most ``ADD_UP_FAN_IN`` at a time,
    to the same whole."""
    from collections import Counter

    from quanze.cluster import engine

    held = []

    class Eager:  # a client that runs each task at once and notes how many shares it was given
        def submit(self, fn, *args, pure=True):
            shares = [a for a in args if isinstance(a, dict)]
            held.append(len(shares))
            return fn(*args)

    monkeypatch.setattr(engine, "ADD_UP_FAN_IN", 3)
    counts = [{"terms": Counter({f"词{n % 4}": n}), "share": Counter({n: 1})} for n in range(11)]
    submitted, whole = engine.add_up_tree(Eager(), iter(counts), [], "unused")
    assert max(held) <= 3 and len(held) == 3 + 1 + 1  # 11 → 3 sums of 3 → 1 of those → the completing task
    assert len(submitted) == 11 + len(held) and submitted[-1] is whole
    assert whole == engine._add_up([], "unused", *counts)
    assert whole["terms"] == Counter({"词0": 0 + 4 + 8, "词1": 1 + 5 + 9, "词2": 2 + 6 + 10, "词3": 3 + 7})


def test_18_each_sum_is_submitted_as_soon_as_its_shares_are():
    """Every counting task was submitted before any sum, and Dask runs what was submitted first first: on
    three province-sized provinces a worker held up to nine shares waiting to be added, more with more
    provinces.  A sum now follows its shares."""
    from quanze.cluster import engine

    order = []

    class Recording:
        def submit(self, fn, *args, pure=True):
            order.append(fn.__name__)
            return {}

    def counts():
        for n in range(2 * engine.ADD_UP_FAN_IN + 1):
            order.append("_count")
            yield {}

    engine.add_up_tree(Recording(), counts(), [], "unused")
    fan_in = engine.ADD_UP_FAN_IN
    assert order == [*["_count"] * fan_in, "_sum", *["_count"] * fan_in, "_sum", "_count", "_add_up"]


def test_18_batches_keep_territories_whole(tmp_path):
    tables = prepare([EXAMPLE]).tables
    parts = write_partitions(tables, tmp_path)
    for kind, key in (("government", "government"), ("territory", "territory")):
        groups = batches(parts, kind, len(tables), 4)
        assert [p for b in groups for p in b] == parts
        owners = {}
        for n, b in enumerate(groups):
            for p in b:
                assert owners.setdefault(getattr(p, key), n) == n


def test_18_a_larger_run_gives_more_batches_not_larger_ones(tmp_path, monkeypatch):
    """A task's memory follows its batch: past MAX_TASK_ITEMS a run is cut into more batches, each of whole units."""
    from quanze.cluster import engine

    tables = prepare([EXAMPLE]).tables
    parts = write_partitions(tables, tmp_path)
    assert len(batches(parts, "government", len(tables), 2)) == 2
    monkeypatch.setattr(engine, "MAX_TASK_ITEMS", min(p.items for p in parts))
    groups = batches(parts, "government", len(tables), 2)
    # every government reaches the cap: one batch each, whatever the number of tasks asked for
    assert groups == [[p] for p in parts] and len(groups) > 2


def test_18_a_larger_load_gives_more_file_batches_not_larger_ones(monkeypatch):
    """A load task's memory follows its batch of files: past MAX_TASK_BYTES the files are cut into more batches."""
    from quanze.cluster import engine

    jobs = [(p, None, None) for p in sorted(EXAMPLE.glob("*.xlsx"))]
    groups = engine.file_batches(jobs, 2)
    assert [j for g in groups for j in g] == jobs and len(groups) <= 2 * engine.TASKS_PER_WORKER
    monkeypatch.setattr(engine, "MAX_TASK_BYTES", min(p.stat().st_size for p, _, _ in jobs))
    assert engine.file_batches(jobs, 2) == [[j] for j in jobs] and len(jobs) > 2 * engine.TASKS_PER_WORKER


def test_18_scheduler_without_the_dask_engine_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="只用于 --engine dask"):
        main(["analyze", str(EXAMPLE), "--scheduler", "tcp://127.0.0.1:8786", "--out", str(tmp_path / "f.json")])


def test_18_dask_engine_without_dask_installed_says_how_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(SystemExit, match=r"pip install 'quanze\[dask\]'"):
        main(["analyze", str(EXAMPLE), "--engine", "dask", "--out", str(tmp_path / "f.json")])
    assert not (tmp_path / "f.json").exists()


@pytest.mark.slow
def test_18_an_unreachable_scheduler_is_a_chinese_error(tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(SystemExit, match="无法连接 Dask 调度器 tcp://127.0.0.1:9"):
        main(["analyze", str(EXAMPLE), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
              "--out", str(tmp_path / "f.json")])


# ---- on a LocalCluster of two worker processes ----------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    dd = pytest.importorskip("distributed")
    with dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            dd.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    from quanze.synth import synthesise

    out = tmp_path_factory.mktemp("county")
    summary = synthesise("county", 1, out)
    return out / "lists", {k: [out / v] for k, v in summary["inputs"].items()}


@pytest.mark.slow
def test_18_dask_engine_gives_the_single_process_findings_on_the_example(client):
    from quanze.cluster.engine import analyze as on_dask

    one = analyze([EXAMPLE], laws=LAWS_DIR, **example_inputs())
    two = on_dask([EXAMPLE], laws=LAWS_DIR, client=client, **example_inputs())
    assert two.engine["workers"] == 2 and two.engine["partitions"] > 1
    _same_findings(one, two)
    assert one.load.report() == two.load.report()


@pytest.mark.slow
def test_18_dask_engine_gives_the_single_process_findings_on_the_county_preset(client, county):
    from quanze.cluster.engine import analyze as on_dask

    lists, inputs = county
    one = analyze([lists], laws=LAWS_DIR, **inputs)
    two = on_dask([lists], laws=LAWS_DIR, client=client, **inputs)
    assert len(one.result.findings) > 100
    _same_findings(one, two)
    assert one.load.report() == two.load.report()
    assert two.engine["tasks"]["government"] >= 2  # the partition rules ran in more than one task


@pytest.mark.slow
def test_18_many_counting_tasks_added_up_in_a_tree_give_the_single_process_findings(client, county, monkeypatch):
    from quanze.cluster import engine

    monkeypatch.setattr(engine, "MAX_TASK_ITEMS", 20)  # a batch a government
    monkeypatch.setattr(engine, "ADD_UP_FAN_IN", 2)
    lists, inputs = county
    one = analyze([lists], laws=LAWS_DIR, **inputs)
    two = engine.analyze([lists], laws=LAWS_DIR, client=client, **inputs)
    assert two.engine["tasks"]["statistics"] >= 5 and two.engine["tasks"]["adding"] >= 4
    _same_findings(one, two)


@pytest.mark.slow
def test_18_a_worker_killed_mid_run_does_not_change_the_findings(client, county):
    from quanze.cluster.engine import analyze as on_dask

    lists, inputs = county
    one = analyze([lists], laws=LAWS_DIR, **inputs)
    pids = client.run(os.getpid)  # worker address → its process
    killed: list[int] = []

    def kill_one_running_rule_task():
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            for address, keys in client.processing().items():
                if any("run_partitions" in str(k) for k in keys) and address in pids:
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(pids[address])
                    return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_one_running_rule_task)
    watcher.start()
    two = on_dask([lists], laws=LAWS_DIR, client=client, **inputs)
    watcher.join()
    assert killed, "no rule task was seen running"
    assert killed[0] not in client.run(os.getpid).values()  # that process is gone; its tasks ran again elsewhere
    _same_findings(one, two)


@pytest.mark.slow
def test_18_cli_runs_on_an_existing_scheduler(client, tmp_path, capsys):
    out = tmp_path / "findings.json"
    code = main(["analyze", str(EXAMPLE), "--engine", "dask", "--scheduler", client.scheduler.address,
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert client.scheduler.address in printed and "监控面板" in printed
    single = analyze([EXAMPLE]).result.to_dict()["findings"]
    assert sorted((f["rule"], f["fingerprint"]) for f in json.loads(out.read_text(encoding="utf-8"))["findings"]) == \
        sorted((f["rule"], f["fingerprint"]) for f in single)


def test_18_the_pair_score_computes_signals_only_for_the_items_of_its_pairs(monkeypatch):
    """A rule task's pair score built every item's signals (100,000 items' bigram rows, cited-article texts
    and bigram sets) to score a few hundred candidate pairs: the largest part of the task's memory.  The
    signals are now built for the pairs' items only, weighed with the whole run's counts, and the
    probabilities and features are the ones every item's signals give."""
    import numpy as np

    from quanze.loaders import LawLibrary
    from quanze.rules import pairfeatures, pairscore
    from quanze.rules.context import RunContext

    tables = prepare([EXAMPLE]).tables
    laws = LawLibrary(LAWS_DIR) if LAWS_DIR else None
    ctx = RunContext(tables, {"laws": laws})
    rng = np.random.default_rng(18)
    i, j = rng.choice(len(tables), 40), rng.choice(len(tables), 40)
    built = []
    real = pairfeatures.item_signals
    monkeypatch.setattr(pairscore, "item_signals", lambda *a, **k: built.append(real(*a, **k)) or built[-1])
    p, features = pairscore.probabilities(ctx, i, j)
    assert len(built) == 1 and len(built[0].position) == len(set(i) | set(j)) < len(tables)
    everyone = real(tables, laws, RunContext(tables, {"laws": laws}))
    expected = pairfeatures.pair_features(everyone, i, j)
    assert np.array_equal(features, expected)
    assert np.array_equal(p, pairscore.default_model().probability(expected))
