"""``quanze analyze --engine dask``: the pipeline's load and rule run as Dask tasks, with the single process's findings.

1. **Load**: one task per batch of files reads them (``loaders.pipeline.read_one``, the parsing that needs
   nothing of the other files); what needs every file's result — the region they agree on, the category
   model, duplicates across files, the law library — then runs here, as in the single process, so the load
   report is gathered whole.
2. **Partition**: the tables are written as Parquet, one folder per government under its territory and province
   (``partitions.py``); the work folder must be one every worker reads (the same machine, or shared storage).
3. **Rules**: each rule runs where its ``partition`` key lets it, with the same primitive code as the single
   process (``rules.engine.run``):

   - ``government`` rules: one task per batch of whole governments;
   - ``territory`` rules: one task per batch of whole territories;
   - ``province`` rules: one task per batch of whole provinces (a run of one province is one task);
   - ``national`` rules, and rules whose primitive depends on every item of the run in a way no count
     gives (``Primitive.runs_whole``: a SPARQL query): one task that gathers the tables of every
     partition (without the responsibility clauses unless a rule reads them), in the run's row order,
     and runs them there.  The catalogue has none.

   A primitive that weighs texts over the whole run (``Primitive.statistics``: the TF-IDF vectors of R10 and
   R06, the pair score of R01b/R03 with its name and bigram weights) still runs in partitions: one task per
   batch counts its share of the terms (``context.WHOLE_RUN``), tasks add the shares up a few at a time
   (``ADD_UP_FAN_IN``, a tree, so none holds every batch's share), and every
   partition task weighs its own rows with those counts — the rows the single process gives them, bit for
   bit (``textsim.vectorise_with``).  The counts grow with the vocabulary, not with the items.
   A rule that compares every part of the run (``Primitive.shares``: R05a/R05b, R13, R16, R21, R22, R23) is
   a two-stage reduction of the same kind: the same counting tasks count its ``share``, the adding task
   adds and ``complete``s the shares (R13's classifier is fitted there, once; R22's holdings are matched
   against the national catalogue there), and each partition task gives the hits of its own rows against
   them; the parts of one hit from several partitions (R21's matter held in several provinces, R22's
   renamed matter, R23's province count: ``Primitive.joins``) are joined here, the subjects in the run's
   row order.
   These are not dask.dataframe group-bys: the shares are the primitives' own Python, which the single
   process runs too, so the two cannot drift apart.  A batch holds at most about ``MAX_TASK_ITEMS``
   items (or one whole unit), so no task grows with the run.

Each task starts with the process's bounded caches emptied (``quanze.caches``): a worker's memory then
follows the task it runs, not how many tasks it has run before.

Dask retries the tasks of a worker lost mid-run (every task reads its input from the work folder, so a retry
reads the same rows), so a lost worker does not change the findings.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quanze import caches
from quanze.cluster.partitions import Partition, read_with_rows, write_partitions
from quanze.pipeline import Analysis, prepare
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.context import RUN_ROWS, RunContext
from quanze.rules.engine import RuleRun, RunResult, _dedupe, finding, params_of, run
from quanze.rules.model import Hit, Rule
from quanze.rules.primitives import REGISTRY

# the partition keys a rule can run within, narrowest first (a rule's YAML ``partition``; else the gathered task)
KINDS = ("government", "territory", "province")
# a task's share of the items: several tasks per worker, so a lost or slow worker costs a part of its share
TASKS_PER_WORKER = 3
# and at most about this many items: more tasks, each of bounded memory, as the run grows
MAX_TASK_ITEMS = 100_000
# a load task reads at most about this many bytes of lists (about 100,000 items of CSV lists), for the same reason
MAX_TASK_BYTES = 100 * 2**20
# the counting tasks' shares are added up this many at a time (a tree), so no task holds every batch's share
ADD_UP_FAN_IN = 4


class DaskUnavailable(RuntimeError):
    """dask or distributed is not installed."""


def require():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as e:
        raise DaskUnavailable("使用 --engine dask 需要安装 dask 与 distributed：pip install 'quanze[dask]'"
                              f"（{e}）") from None
    return distributed


@dataclass
class DaskAnalysis(Analysis):
    """An analysis made on a cluster, and how: workers, tasks, partitions, the dashboard."""

    engine: dict = field(default_factory=dict)


@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int = 2, memory_limit: str | None = None):
    """A Client: to the scheduler at ``scheduler`` (``tcp://host:8786``), or to a LocalCluster of
    ``workers`` processes (one thread each; ``memory_limit`` per worker, e.g. ``4GB``) started here."""
    dd = require()
    if scheduler:
        try:
            client = dd.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as e:
            raise ConnectionError(f"无法连接 Dask 调度器 {scheduler}：{e}（请先启动 dask scheduler 与 dask worker，"
                                  "地址写作 tcp://主机:8786）") from None
        with client:
            yield client
        return
    with dd.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         memory_limit=memory_limit or "auto", dashboard_address=":0") as local, \
            dd.Client(local) as client:
        yield client


def analyze(files, laws=None, selection=None, settings=None, progress: Callable[[str, int, int], None] | None = None,
            client=None, scheduler: str | None = None, workers: int = 2, memory_limit: str | None = None,
            work_dir: str | Path | None = None, say: Callable[[str], None] | None = None, **inputs) -> DaskAnalysis:
    """``pipeline.analyze`` on a Dask cluster: ``client``, or one made by :func:`cluster`.

    The selection and settings are checked first, as in the single process.  ``work_dir`` holds the Parquet
    partitions (a temporary folder, removed afterwards, when not given).
    """
    rules = select(load_catalogue(), selection)
    override(rules, settings)
    require()
    own = contextlib.nullcontext(client) if client is not None else cluster(scheduler, workers, memory_limit)
    temporary = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="quanze-dask-") if temporary else work_dir).resolve()
    try:
        with own as client:
            if say:
                say(f"Dask 集群：{client.scheduler.address}，{_n_workers(client)} 个工作进程；"
                    f"监控面板：{client.dashboard_link}")
            return _analyze(client, files, laws, rules, progress, work, inputs)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)


def _analyze(client, files, laws, rules: list[Rule], progress, work: Path, inputs: dict) -> DaskAnalysis:
    started = time.perf_counter()
    n_workers = _n_workers(client)
    reader = functools.partial(_read_on_cluster, client, n_workers, progress)
    ready = prepare(files, laws=laws, progress=progress, reader=reader, **inputs)
    loaded_at = time.perf_counter()

    root = work / "tables"
    if root.exists():
        shutil.rmtree(root)
    partitions = write_partitions(ready.tables, root)
    # named for this run: a worker of a lasting cluster keeps the inputs it read, by their path
    inputs_path = work / f"inputs-{uuid.uuid4().hex}.pickle"
    # the law library by its folder (its citations are already resolved in the tables; the pair score reads
    # article texts from it): each worker opens it where it runs
    shipped = {k: v for k, v in ready.inputs.items() if k != "laws"}
    if ready.inputs.get("laws"):
        shipped["laws"] = str(Path(ready.inputs["laws"].root).resolve())
    inputs_path.write_bytes(pickle.dumps(shipped))

    plan = plan_rules(rules)
    futures, labels = [], []
    total_items = max(len(ready.tables), 1)
    tasks = n_workers * TASKS_PER_WORKER
    # the gathered task first: it is the longest, and Dask runs what was submitted first first
    if plan["whole"]:
        futures.append(client.submit(_run_partitions, str(root), [p.folder for p in partitions], plan["whole"],
                                     str(inputs_path), None, reads_clauses(plan["whole"]), pure=False))
        labels.append("whole")
    # the whole run's statistics (term counts): each batch counts its share, tasks add them up (a tree),
    # and the shares of the rules that compare every part of the run (``Primitive.shares``), completed last
    statistics, counting, n_counts, n_adding = None, [], 0, 0
    if plan["statistics"] or plan["shares"]:
        counting_batches = batches(partitions, "government", total_items, tasks)
        counts = (client.submit(_count, str(root), [p.folder for p in batch], plan["statistics"], plan["shares"],
                                str(inputs_path), pure=False)
                  for batch in counting_batches)
        # held by ``counting`` only, which lets each go once it is done
        counting, statistics = add_up_tree(client, counts, plan["shares"], str(inputs_path))
        n_counts, n_adding = len(counting_batches), len(counting) - len(counting_batches)
    for kind in KINDS:
        chosen = plan[kind]
        if not chosen:
            continue
        for batch in batches(partitions, kind, total_items, tasks):
            needed = statistics if any(_statistics(r) or r in plan["shares"] for r in chosen) else None
            futures.append(client.submit(_run_partitions, str(root), [p.folder for p in batch], chosen,
                                         str(inputs_path), needed, reads_clauses(chosen), pure=False))
            labels.append(kind)
    try:
        results = _gather(client, futures, progress, counting)
    finally:
        inputs_path.unlink(missing_ok=True)
    result = merge(rules, results, ready.tables)
    done = time.perf_counter()
    engine = {"engine": "dask", "scheduler": client.scheduler.address, "dashboard": client.dashboard_link,
              "workers": n_workers, "partitions": len(partitions),
              "tasks": {**{k: labels.count(k) for k in (*KINDS, "whole") if k in labels},
                        **({"statistics": n_counts, "adding": n_adding} if n_counts else {})},
              "rules": {k: [r.id for r in plan[k]] for k in (*KINDS, "whole")},
              "seconds": {"load": round(loaded_at - started, 2), "rules": round(done - loaded_at, 2)}}
    return DaskAnalysis(ready.load, ready.tables, ready.inputs, ready.input_rejections, result, engine)


def _n_workers(client) -> int:
    return max(len(client.scheduler_info().get("workers", {})), 1)


def plan_rules(rules: list[Rule]) -> dict:
    """Which rules run per government, territory or province, and over the gathered tables; which statistics
    of the whole run the partitions need (``RunContext.whole_run``)."""
    plan: dict = {**{k: [] for k in KINDS}, "whole": [], "statistics": [], "shares": []}
    for rule in rules:
        primitive = REGISTRY.get(rule.check)
        if primitive is None or primitive.runs_whole(params_of(rule)) \
                or rule.partition not in KINDS:
            plan["whole"].append(rule)
        else:
            plan[rule.partition].append(rule)
            plan["statistics"].extend(k for k in _statistics(rule) if k not in plan["statistics"])
            if primitive.sharing(params_of(rule)):
                plan["shares"].append(rule)
    return plan


def _statistics(rule: Rule) -> list[str]:
    primitive = REGISTRY.get(rule.check)
    return primitive.statistics(params_of(rule)) if primitive else []


def reads_clauses(rules: list[Rule]) -> bool:
    """Whether any of the rules reads the responsibility clauses (the largest table; ``Primitive.reads_clauses``)."""
    return any(REGISTRY.get(r.check) is None or REGISTRY[r.check].reads_clauses for r in rules)


def batches(partitions: list[Partition], kind: str, total_items: int, tasks: int) -> list[list[Partition]]:
    """Whole governments (or whole territories, whole provinces), in source order, grouped into about ``tasks``
    batches of similar item counts, none much above ``MAX_TASK_ITEMS`` unless one unit is: a task's memory then
    follows its share, not the size of the run."""
    units: dict[str, list[Partition]] = {}
    for p in partitions:
        units.setdefault(getattr(p, kind), []).append(p)
    share = min(total_items / max(tasks, 1), MAX_TASK_ITEMS)
    out: list[list[Partition]] = [[]]
    size = 0
    for unit in units.values():
        if out[-1] and size >= share:
            out.append([])
            size = 0
        out[-1].extend(unit)
        size += sum(p.items for p in unit)
    return [b for b in out if b]


# ---- on the workers ------------------------------------------------------------------------------


def _task_start() -> None:
    """What every worker task does first: the caches of earlier tasks emptied (``quanze.caches``), and the
    Parquet reads allocated from glibc's malloc, which gives a read's memory back to the system once it is
    freed; Arrow's default pool (mimalloc) kept about 150 MB more of a 100,000-item read for the process."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    caches.clear()


def _read_batch(jobs: list) -> list:
    """Read a batch of files on a worker (``loaders.pipeline.read_one``), each report naming the path as given."""
    from quanze.loaders.pipeline import read_one

    _task_start()
    out = []
    for path, given, region, overrides in jobs:
        report, items = read_one((Path(path), region, overrides))
        report.path = given
        out.append((report, items))
    return out


def file_batches(jobs: list, n_workers: int) -> list[list]:
    """The load's jobs (path, region, overrides) in batches of whole files, in file order, balanced by size and
    none much above ``MAX_TASK_BYTES`` unless one file is: a load task's memory follows its batch."""
    n = min(len(jobs), n_workers * TASKS_PER_WORKER) or 1
    sizes = [Path(p).stat().st_size if Path(p).exists() else 0 for p, _, _ in jobs]
    share = min(sum(sizes) / n, MAX_TASK_BYTES)
    groups: list[list] = [[]]
    size = 0
    for job, s in zip(jobs, sizes):
        if groups[-1] and size >= share:
            groups.append([])
            size = 0
        groups[-1].append(job)
        size += s
    return [g for g in groups if g]


def _read_on_cluster(client, n_workers: int, progress, jobs: list):
    """``load_files``'s reader: one task per batch of files (``file_batches``), results in file order."""
    groups = file_batches(jobs, n_workers)
    # absolute here: a worker elsewhere does not share this process's working folder
    futures = [client.submit(_read_batch, [(str(Path(p).resolve()), str(p), r, o) for p, r, o in g], pure=False)
               for g in groups]
    for batch in _as_done(futures, progress, "集群读取任务"):
        yield from batch


def _count(root: str, folders: list[str], names: list[str], rules: list[Rule], inputs_path: str) -> dict:
    """Some partitions' share of the whole run's statistics ``names``, and of the shares of ``rules``."""
    from quanze.rules.context import FailedShare, RunContext, whole_run_statistics
    from quanze.rules.engine import rule_scope, share_key

    _task_start()
    tables, rows = read_with_rows(root, folders, clauses=False)
    ctx = RunContext(tables, _inputs(inputs_path), cache={RUN_ROWS: rows})
    out = whole_run_statistics(ctx, names)
    for rule in rules:
        primitive = REGISTRY[rule.check]
        try:
            out[share_key(rule)] = primitive.share(ctx, rule_scope(ctx, rule), params_of(rule))
        except Exception as e:  # the rule fails, as in one process; the others still run
            out[share_key(rule)] = FailedShare(e)
    return out


def add_up_tree(client, counts: Iterable, rules: list[Rule], inputs_path: str) -> tuple[list, object]:
    """The counting tasks' ``counts`` added up ``ADD_UP_FAN_IN`` at a time, then completed in one task
    (``_add_up``): no task holds more than that many shares, however many batches the run has.  Gives every
    task submitted (to show in the progress) and the completing one.

    ``counts`` are submitted as they are taken from it (a generator), each sum as soon as its shares are:
    Dask runs what was submitted first first, so a sum runs as soon as its shares are done, and a worker
    holds a few shares at a time, not every counting task's share until the last of them has run."""
    fan_in = max(ADD_UP_FAN_IN, 2)
    submitted: list = []
    levels: list[list] = []  # the shares not yet added, per level of the tree: earlier batches higher up

    def push(level: int, share) -> None:
        if level == len(levels):
            levels.append([])
        levels[level].append(share)
        if len(levels[level]) == fan_in:
            added = client.submit(_sum, *levels[level], pure=False)
            submitted.append(added)
            levels[level] = []
            push(level + 1, added)

    for share in counts:
        submitted.append(share)
        push(0, share)
    rest = [share for level in reversed(levels) for share in level]  # in batch order
    while len(rest) > fan_in:
        rest = [client.submit(_sum, *rest[i:i + fan_in], pure=False) for i in range(0, len(rest), fan_in)]
        submitted += rest
    whole = client.submit(_add_up, rules, inputs_path, *rest, pure=False)
    return [*submitted, whole], whole


def _sum(*shares: dict) -> dict:
    """Some counting tasks' shares as one (``context.add_statistics``), in their order."""
    from quanze.rules.context import add_statistics

    return functools.reduce(add_statistics, shares, {})


def _add_up(rules: list[Rule], inputs_path: str, *shares: dict) -> dict:
    """The batches' statistics added up, and each rule's shares completed (``Primitive.complete``)."""
    from quanze.rules.context import FailedShare
    from quanze.rules.engine import share_key

    _task_start()
    out = _sum(*shares)
    for rule in rules:
        primitive = REGISTRY[rule.check]
        if not isinstance(out[share_key(rule)], FailedShare):
            try:
                out[share_key(rule)] = primitive.complete(out[share_key(rule)], params_of(rule),
                                                          _inputs(inputs_path))
            except Exception as e:
                out[share_key(rule)] = FailedShare(e)
    return out


@caches.keep_between_tasks  # the run's inputs, by their path: each worker reads them once a run
@functools.lru_cache(maxsize=4)
def _inputs(path: str) -> dict:
    inputs = pickle.loads(Path(path).read_bytes())
    if inputs.get("laws"):
        from quanze.loaders import LawLibrary

        inputs["laws"] = LawLibrary(inputs["laws"])
    return inputs


def _run_partitions(root: str, folders: list[str], rules: list[Rule], inputs_path: str, statistics: dict | None,
                    clauses: bool = True):
    """The rules over some partitions' tables (in the run's row order), with the whole run's ``statistics``."""
    _task_start()
    tables, rows = read_with_rows(root, folders, clauses=clauses)
    # a statistic by its name, a rule's completed shares by their key (``rules.engine.share_key``)
    cache = {(("whole-run", name) if isinstance(name, str) else name): value for name, value in (statistics or {}).items()}
    cache[RUN_ROWS] = rows
    result = run(tables, rules=rules, inputs=_inputs(inputs_path), cache=cache)
    return os.getpid(), result


# ---- back here -----------------------------------------------------------------------------------


def _as_done(futures: list, progress, stage: str, counting: list | None = None) -> list:
    """The futures' results in their order, each fetched as soon as its task is done and its future let go:
    a worker keeps a result only until it is here, so its memory does not grow with the tasks it ran.
    ``counting`` are tasks shown in the progress too, whose results are not wanted here (each let go once
    done, so a worker holds a counting task's share only until the task adding it has run)."""
    from distributed import as_completed

    counting = counting if counting is not None else []

    at = {f.key: n for n, f in enumerate(futures)}
    results: list = [None] * len(futures)
    total = len(futures) + len(counting)
    if progress:
        progress(stage, 0, total)
    done = as_completed([*counting, *futures])
    futures.clear()  # as_completed holds each until it is done, and then only the loop does
    counting.clear()
    for n, future in enumerate(done, 1):
        if future.key in at:
            results[at[future.key]] = future.result()
        del future  # not kept while the next is awaited
        if progress:
            progress(stage, n, total)
    return results


def _gather(client, futures: list, progress, counting: list | None = None) -> list[RunResult]:
    return [r[1] for r in _as_done(futures, progress, "集群规则任务", counting)]


def merge(rules: list[Rule], results: list[RunResult], tables=None) -> RunResult:
    """One result of the partitions' results: each rule's findings in task order (the order of the partitions'
    first rows), its status the worst of its tasks (an error, else ok, else skipped), its time summed.  The
    hits of a rule whose hits span partitions (``Primitive.joins``) are joined by key into findings here,
    their subjects in the run's row order (``tables``), as one process gives them."""
    runs, findings, stats = [], [], {}
    by_rule: dict[str, list[RuleRun]] = {}
    found: dict[str, list] = {}
    for res in results:
        for rr in res.runs:
            by_rule.setdefault(rr.rule.id, []).append(rr)
        for f in res.findings:
            found.setdefault(f.rule, []).append(f)
        _merge_stats(stats, res.stats)
    ctx = RunContext(tables) if tables is not None else None
    for rule in rules:
        parts = [h for p in by_rule.get(rule.id, []) for h in p.hits]
        if parts:
            found[rule.id] = [finding(ctx, rule, h) for h in join_hits(parts, ctx.position)]
    for rule in rules:
        parts = by_rule.get(rule.id, [])
        rr = RuleRun(rule)
        errors = [p for p in parts if p.status == "error"]
        oks = [p for p in parts if p.status == "ok"]
        if errors:
            rr.status, rr.reason = "error", errors[0].reason
        elif not oks and parts:
            rr.status, rr.reason = "skipped", parts[0].reason
        rr.seconds = sum(p.seconds for p in parts)
        mine = found.get(rule.id, [])
        rr.findings = len(mine)
        findings.extend(mine)
        runs.append(rr)
    return RunResult(runs, _dedupe(findings), stats)


def join_hits(parts: list[Hit], position: dict[str, int]) -> list[Hit]:
    """The partitions' hits of one rule, one hit per key (or per ``part_of``): its subjects in the run's row
    order, the rest (the same in every part, read from the whole run's shares) from its first part."""
    joined: dict[str, Hit] = {}
    for hit in parts:
        whole = hit.part_of or hit.key
        first = joined.get(whole)
        if first is None:
            joined[whole] = Hit(list(hit.subjects), dict(hit.evidence), key=hit.key, departments=list(hit.departments),
                                fields=hit.fields)
            continue
        first.subjects.extend(hit.subjects)
        first.departments.extend(d for d in hit.departments if d not in first.departments)
        if "_sources" in hit.evidence:  # each part's rows of a count are its sources (R23)
            first.evidence["_sources"] = first.evidence.get("_sources", []) + hit.evidence["_sources"]
    for hit in joined.values():
        hit.subjects = sorted(dict.fromkeys(hit.subjects), key=position.__getitem__)
        if "_sources" in hit.evidence:  # in file, sheet and row order, as one process gives a count's sources
            unique = {(s["file"], s["sheet"] or "", tuple(s["rows"])): s for s in hit.evidence["_sources"]}
            hit.evidence["_sources"] = [unique[k] for k in sorted(unique)]
    return list(joined.values())


def _merge_stats(into: dict, more: dict) -> None:
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge_stats(into[k], v)
        else:
            into[k] = v
