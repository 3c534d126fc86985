"""What the HTTP layer asks of the library: load a stored dataset, run an analysis as a job.

Kept apart from the Flask code so that notebooks and tests can call the same
operations; the job runner is a small thread pool (a 编办 runs one service on one
machine), and a job's stage and progress are written to the store as it goes.
A SPARQL query runs in a worker process of its own that is killed at its time limit,
and only a few run at once (over all the service's processes).
"""

from __future__ import annotations

import ctypes
import fcntl
import math
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from quanze.api import persist
from quanze.api.inputs import attached, by_role, checked_lineage, load_inputs, original_names, with_names
from quanze.api.inputs import report as inputs_report
from quanze.api.store import LISTS, RUNNING, NotFound, Store, now
from quanze.api.summary import run_outcome
from quanze.graph import sparql
from quanze.loaders import LoadResult
from quanze.loaders.yamlfile import InputFileError
from quanze.pipeline import prepare, reference_inputs
from quanze.reform import read_scenario, simulate
from quanze.rules.engine import RunResult, run as run_rules
from quanze.tables import Records, Tables


SPARQL_MEMORY = 2 << 30  # bytes a query's worker may allocate beyond what it inherits


class NothingToLoad(ValueError):
    """An upload in which no file holds a loadable item."""


class Busy(RuntimeError):
    """As many SPARQL queries as allowed are running; the client should try again later."""


class StillRunning(RuntimeError):
    """A job cannot be run again while it runs."""


class AliasError(ValueError):
    """Department aliases that cannot be applied; ``problems`` says why, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def _alias_stamp(aliases: dict[str, str]) -> str:
    """Names a dataset's alias table in the cache key (empty when there is none, as before aliases existed)."""
    if not aliases:
        return ""
    import hashlib
    import json

    return "+aliases:" + hashlib.sha256(json.dumps(sorted(aliases.items()), ensure_ascii=False).encode()).hexdigest()[:12]


@dataclass
class Dataset:
    """What a page or a job needs of a stored dataset: its load report, its tables and its inputs."""

    report: dict
    tables: Tables
    inputs: dict  # reference inputs by the names rules use for them, and the law library
    stamp: str  # names the files these were read from and the aliases applied (stale when they changed)
    raw: Tables | None = None  # the tables as loaded, before the dataset's department aliases


class Service:
    def __init__(self, store: Store, laws=None, workers: int = 2, cache: int = 4, sparql_slots: int = 2):
        self.store, self.laws = store, laws
        self.sparql_slots = sparql_slots
        self.jobs = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quanze-job")
        self._datasets: OrderedDict[str, Dataset] = OrderedDict()
        self._results: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._cache = cache

    # ---- datasets ------------------------------------------------------------------------

    def add_dataset(self, uploads: list[tuple], region: str | None = None) -> tuple[str, LoadResult]:
        """Keep the uploaded files (name, content[, role]) with their load report; raises NothingToLoad
        (and keeps nothing) when no list file holds a loadable item.  ``region`` names the government
        of the files that name none (the pipeline's ``region``); it is kept for every later reading.

        The lists and the reference inputs go through the pipeline once; the dataset enters the
        store only with its report (one transaction), and its tables are written after it.
        Until then its files are staged, and a crash in between leaves nothing listed.
        """
        lists = [u for u in uploads if len(u) < 3 or u[2] == LISTS]
        if not lists:
            raise NothingToLoad("请至少上传一个清单文件（参考文件须随清单一起上传，或上传到已有的数据集）。")
        name = lists[0][0] if len(lists) == 1 else f"{lists[0][0]} 等 {len(lists)} 个文件"
        ds, files = self.store.stage_dataset(uploads)
        try:
            roles = by_role(files)
            ready = prepare([f["path"] for f in roles[LISTS]], laws=self.laws, region=region or None)
            names = original_names(roles[LISTS])
            tables = with_names(ready.tables, names)
            loaded = _with_original_names(ready.load, names, tables)
            if not loaded.items:
                raise NothingToLoad("没有可导入的事项：" + "；".join(str(r) for r in loaded.rejected[:5]))
            inputs, rejected = load_inputs(files, loaded.region)
            report = {**loaded.report(), "inputs": inputs_report(files, inputs, rejected)}
            self.store.add_dataset(ds, name, files, report, region or "")
        except BaseException:
            self.store.discard_staged(ds)
            raise
        entry = self._persist(ds, files, report, tables, inputs, {})
        self._keep(ds, entry)
        return ds, loaded

    def add_inputs(self, ds: str, uploads: list[tuple[str, bytes, str]]) -> dict:
        """Attach reference files (name, content, role) to a stored dataset; its new report.

        Raises NothingToLoad (and keeps nothing) when none of them gives a row; store.NotFound
        when the dataset does not exist.
        """
        entry = self.load(ds)
        staged = self.store.stage_inputs(ds, uploads)
        try:
            files = self.store.dataset_files(ds) + staged
            inputs, rejected = load_inputs(files, entry.report.get("region", ""))
            given = inputs_report(staged, inputs, rejected)["files"]
            if not any(f["rows"] or f["role"] == "lineage" and not f["rejected"] for f in given):
                reasons = [f"{f['file']}：{x['reason']}" for f in given for x in f["rejected"]][:5]
                raise NothingToLoad("参考文件中没有可导入的内容" + ("：" + "；".join(reasons) if reasons else "。"))
            report = {**entry.report, "inputs": inputs_report(files, inputs, rejected)}
            self.store.add_inputs(ds, staged, report)
        except BaseException:
            self.store.discard_staged(ds, staged)
            raise
        self._keep(ds, self._persist(ds, files, report, entry.raw if entry.raw is not None else entry.tables, inputs, self.store.aliases(ds)))
        return report

    def set_aliases(self, ds: str, aliases: dict[str, str]) -> dict[str, str]:
        """Correct or merge department names of a dataset (name as loaded → new name); raises AliasError
        with the problems in Chinese, store.NotFound without the dataset.  Checks run after it see them."""
        from quanze.api.departments import check_aliases, department_names

        entry = self.load(ds)
        aliases = {k.strip(): v.strip() for k, v in aliases.items() if k.strip()}
        problems = check_aliases(aliases, department_names(entry.raw if entry.raw is not None else entry.tables))
        if problems:
            raise AliasError(problems)
        self.store.set_aliases(ds, aliases)
        self.forget(ds)
        return aliases

    def load(self, ds: str, progress=None) -> Dataset:
        """The dataset's report, tables and inputs: from the cache, else from its Parquet tables, else
        (a dataset kept by an older version, or tables another version wrote) read from its files once
        and written as tables for the next time.  Raises store.NotFound when there is no such dataset."""
        files = self.store.dataset_files(ds)
        aliases = self.store.aliases(ds)  # another process may have added inputs or aliases
        key = self._stamp(files) + _alias_stamp(aliases)
        with self._lock:
            cached = self._datasets.get(ds)
            if cached is not None and cached.stamp == key:
                self._datasets.move_to_end(ds)
                return cached
        row = self.store.dataset(ds)
        if row is None:
            raise NotFound(f"没有数据集 {ds}。")
        return self._keep(ds, self._open(ds, files, row["report"] or {}, progress, row.get("region") or "", aliases))

    def _keys(self, files: list[dict]) -> tuple[str, str]:
        """The stamps of the lists' tables and of the reference tables read from ``files``."""
        lists = [f for f in files if f.get("role", LISTS) == LISTS]
        return persist.stamp(lists, self.laws), persist.stamp([f for f in files if f.get("role", LISTS) != LISTS])

    def _stamp(self, files: list[dict]) -> str:
        return "".join(self._keys(files))

    def _open(self, ds: str, files: list[dict], report: dict, progress=None, region: str = "",
              aliases: dict | None = None) -> Dataset:
        root, roles = self.store.tables_folder(ds), by_role(files)
        lists_key, inputs_key = self._keys(files)
        tables = persist.read_lists(root, lists_key)
        if tables is None:  # first use of a dataset kept without tables: its files are read this once
            ready = prepare([f["path"] for f in roles[LISTS]], laws=self.laws, progress=progress,
                            region=region or None)
            tables = with_names(ready.tables, original_names(roles[LISTS]))
            persist.write_lists(root, lists_key, tables)
        inputs = persist.read_inputs(root, inputs_key)
        if inputs is None:
            inputs, _ = load_inputs(files, report.get("region", ""))  # rejections are in the report already
            persist.write_inputs(root, inputs_key, inputs)
        lineage = [f["path"] for f in checked_lineage(roles["lineage"])[0]]
        if lineage and "lineage" not in inputs:  # kept as its YAML file and read again (it is small)
            inputs = {**inputs, **reference_inputs(report.get("region", ""), lineage=lineage)[0]}
        return self._entry(report, tables, inputs, lists_key + inputs_key, aliases or {})

    def _entry(self, report: dict, raw: Tables, inputs: dict, stamp: str, aliases: dict) -> Dataset:
        """A cache entry: the tables with the dataset's department aliases applied, and as loaded."""
        from quanze.api.departments import apply_aliases

        return Dataset(report, apply_aliases(raw, aliases), {"laws": self.laws, **attached(inputs)},
                       stamp + _alias_stamp(aliases), raw)

    def _persist(self, ds: str, files: list[dict], report: dict, tables: Tables, inputs: dict,
                 aliases: dict) -> Dataset:
        """Write a dataset's tables (as loaded) and reference tables for the next start; its cache entry."""
        root = self.store.tables_folder(ds)
        lists_key, inputs_key = self._keys(files)
        if not persist.kept(root, "lists", lists_key):
            persist.write_lists(root, lists_key, tables)
        persist.write_inputs(root, inputs_key, inputs)
        return self._entry(report, tables, inputs, lists_key + inputs_key, aliases)

    def _keep(self, ds: str, entry: Dataset) -> Dataset:
        with self._lock:
            self._datasets[ds] = entry
            self._datasets.move_to_end(ds)
            while len(self._datasets) > self._cache:  # an evicted entry's views go with its tables
                self._datasets.popitem(last=False)
        return entry

    def forget(self, ds: str) -> None:
        with self._lock:
            self._datasets.pop(ds, None)

    # ---- analyses ------------------------------------------------------------------------

    def start_analysis(self, ds: str, rules=None, settings=None) -> str:
        """Queue a rule check; raises store.NotFound when the dataset does not exist."""
        run_id = self.store.add_run(ds, {"rules": rules, "settings": settings})
        self.jobs.submit(self._analyse, run_id, ds, rules, settings)
        return run_id

    def rerun_analysis(self, run_id: str) -> str:
        """The same check again (after 中断 or 失败), as a new job; raises StillRunning while it runs."""
        row = self.store.run(run_id)
        if row["status"] in RUNNING:
            raise StillRunning(f"分析任务 {run_id} 仍在运行，不能重新运行。")
        params = row["params"] or {}
        return self.start_analysis(row["dataset_id"], params.get("rules"), params.get("settings"))

    def _analyse(self, run_id: str, ds: str, rules, settings) -> None:
        store = self.store
        try:
            store.update_run(run_id, status="运行中", stage="导入清单", progress=0)
            entry = self.load(ds, progress=lambda stage, done, total: store.update_run(
                run_id, stage=stage, progress=round(30 * done / max(total, 1), 1)))

            def progress(stage, done, total):
                store.update_run(run_id, stage=stage, progress=round(30 + 70 * done / max(total, 1), 1))

            result = run_rules(entry.tables, selection=rules, settings=settings, progress=progress,
                               inputs=entry.inputs)
            store.add_findings(run_id, [f.to_dict() for f in result.findings])
            stage, failed = run_outcome(result)  # 部分完成 when a rule errored
            # the run remembers the files it read, so that a simulation knows whether it can start from it
            store.update_run(run_id, status="完成", stage=stage, error=failed, progress=100, finished=now(),
                             params={"rules": rules, "settings": settings, "inputs": entry.stamp},
                             stats={"runs": [r.to_dict() for r in result.runs], **result.stats})
        except Exception as e:  # the job's failure is shown to the client, in Chinese, without a trace
            store.update_run(run_id, status="失败", error=f"分析失败：{e}", finished=now())

    # ---- scenarios -----------------------------------------------------------------------

    def scenario_file(self, sid: str) -> Path:
        """The scenario as a YAML file (line numbers in messages refer to it)."""
        row = self.store.scenario(sid)
        path = self.store.folder / "scenarios" / f"{sid}.yaml"
        if row and not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_text(row["body"], encoding="utf-8")
        return path

    def _checked_scenario(self, body: str, ds: str = ""):
        """The scenario ``body`` describes; raises InputFileError (with lines) when it has mistakes, or, given a
        dataset, when its departments, target or selectors do not fit that dataset.  Each call reads its own
        draft file, so two analysts saving at once do not read each other's."""
        folder = self.store.folder / "scenarios"
        folder.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".draft-") as tmp:
            draft = Path(tmp) / "待检查.yaml"
            draft.write_text(body, encoding="utf-8")
            scenario = read_scenario(draft)
            if ds:
                from quanze.api.scenario_form import check_body

                try:
                    problems = check_body(scenario, self.load(ds).tables)
                except NotFound:
                    problems = [f"数据集：没有数据集 {ds}"]
                if problems:
                    raise InputFileError(draft, problems)
        return scenario

    def add_scenario(self, body: str, ds: str = "") -> str:
        """Check (see ``_checked_scenario``) and keep a scenario."""
        scenario = self._checked_scenario(body, ds)
        sid = self.store.add_scenario(scenario.name, body)
        (self.store.folder / "scenarios" / f"{sid}.yaml").write_text(body, encoding="utf-8")
        return sid

    def update_scenario(self, sid: str, body: str) -> None:
        """Replace a scenario's text after the same checks as add_scenario (nothing changes when it has mistakes)."""
        scenario = self._checked_scenario(body)
        self.store.update_scenario(sid, scenario.name, body)
        (self.store.folder / "scenarios" / f"{sid}.yaml").write_text(body, encoding="utf-8")

    def delete_scenario(self, sid: str) -> None:
        self.store.delete_scenario(sid)
        (self.store.folder / "scenarios" / f"{sid}.yaml").unlink(missing_ok=True)

    def start_simulation(self, sid: str, ds: str) -> str:
        sim = self.store.add_simulation(sid, ds)
        self.jobs.submit(self._simulate, sim, sid, ds)
        return sim

    def simulated(self, sim: str):
        """The SimulationResult of a finished simulation (recomputed without the catalogue if evicted)."""
        with self._lock:
            if sim in self._results:
                return self._results[sim]
        row = self.store.simulation(sim)
        entry = self.load(row["dataset_id"])
        result = simulate(entry.tables, read_scenario(self.scenario_file(row["scenario_id"])), inputs=entry.inputs,
                          catalogue=False)
        stored = row["result"] or {}
        result.findings_change = stored.get("findings_change", {})
        # new overlaps come from the rule run after the move, which the recomputation skips: keep the stored ones
        result.outputs["new_overlaps"] = stored.get("new_overlaps", [])
        return self._remember(sim, result)

    def _remember(self, sim: str, result):
        with self._lock:
            self._results[sim] = result
            while len(self._results) > self._cache:
                self._results.popitem(last=False)
        return result

    def _simulate(self, sim: str, sid: str, ds: str) -> None:
        store = self.store
        try:
            store.update_simulation(sim, status="运行中", stage="导入清单", progress=10)
            entry = self.load(ds)
            store.update_simulation(sim, stage="模拟划转并比较规则检查结果", progress=40)
            scenario = read_scenario(self.scenario_file(sid))
            result = simulate(entry.tables, scenario, inputs=entry.inputs, before=self.baseline(ds, entry))
            self._remember(sim, result)
            store.update_simulation(sim, status="完成", stage="完成", progress=100, finished=now(),
                                    result={**result.to_dict(), "summary": result.summary()})
        except InputFileError as e:  # the scenario does not fit this dataset: say why, not which stored file
            store.update_simulation(sim, status="失败", error="方案与数据集不符：" + "；".join(e.problems), finished=now())
        except Exception as e:
            store.update_simulation(sim, status="失败", error=f"模拟失败：{e}", finished=now())

    def baseline(self, ds: str, entry: Dataset) -> RunResult | None:
        """The dataset's latest finished analysis, when it is the one a simulation would run first: the whole
        catalogue with its default settings, over the same files (else None, and the simulation runs it)."""
        for row in self.store.runs(ds):
            params = row["params"] or {}
            if row["status"] != "完成" or row["error"] or params.get("rules") or params.get("settings"):
                continue
            if params.get("inputs") != entry.stamp:
                return None  # the latest whole-catalogue run read other files (inputs were added since)
            found = self.store.run_findings(row["id"])
            return RunResult.from_dict({"runs": (row["stats"] or {}).get("runs", []), "findings": found,
                                        "stats": row["stats"]})
        return None

    # ---- graph ---------------------------------------------------------------------------

    def sparql(self, ds: str, query: str, limit: int, timeout: float) -> list[dict]:
        """A read-only query in a worker process killed at ``timeout`` seconds; raises Busy when all slots are taken."""
        rdf = self.load(ds).tables.view("rdf")  # built once per cached dataset, with its tables
        with self._sparql_slot():
            return in_worker(_query, (rdf, query, limit), timeout)

    @contextmanager
    def _sparql_slot(self):
        """One of ``sparql_slots`` lock files in the data folder, shared by every process of the service."""
        folder = self.store.folder / "locks"
        for n in range(self.sparql_slots):
            handle = open(folder / f"sparql-{n}.slot", "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                handle.close()  # closing releases the lock
            return
        raise Busy(f"正在运行的 SPARQL 查询已达上限（{self.sparql_slots} 个），请稍后再试。")


def in_worker(target, args: tuple, timeout: float):
    """``target(*args)`` in a forked worker process, killed with its whole process group at ``timeout``.

    The worker leaves the server's signal handlers and process group, dies with its
    parent, is limited in CPU time and memory, and may not open a network connection,
    so no query outlives its request.  Raises TimeoutError, or ValueError with the
    worker's message.
    """
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, os.getpid(), timeout, target, args), daemon=True)
    proc.start()
    send.close()
    try:
        try:
            os.setpgid(proc.pid, proc.pid)  # also done by the worker; whichever runs first
        except OSError:
            pass
        if not receive.poll(timeout):
            raise TimeoutError(f"查询超过 {timeout:g} 秒，已停止")
        ok, value = receive.recv()
    except EOFError:  # the worker died: over its memory or CPU limit
        raise ValueError("查询占用的内存或时间超过上限，已停止") from None
    finally:
        _kill_group(proc.pid)
        proc.join()
        receive.close()
    if not ok:
        raise ValueError(value)
    return value


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _worker(send, parent: int, timeout: float, target, args: tuple) -> None:
    """The worker's side of ``in_worker``: confine itself, run, send ``(ok, value)``."""
    os.setpgid(0, 0)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)  # not the server's handlers
    _die_with_parent(parent)
    cpu = math.ceil(timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + SPARQL_MEMORY, size + SPARQL_MEMORY))
    except (OSError, ValueError):
        pass
    sys.addaudithook(_no_network)
    try:
        send.send((True, target(*args)))
    except MemoryError:
        send.send((False, "查询占用的内存超过上限，已停止"))
    except Exception as e:  # a parse error or a refused query, told to the client
        send.send((False, str(e)))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG); elsewhere the CPU limit ends it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _no_network(event: str, _args) -> None:
    if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
        raise PermissionError("SPARQL 查询不能访问网络")


def _query(rdf, query: str, limit: int) -> list[dict]:
    try:
        rows = sparql(rdf, query, limit=limit)
    except MemoryError:
        raise
    except Exception as e:
        raise ValueError(f"SPARQL 查询有误：{e}") from None
    return [{k: (v if isinstance(v, (int, float, bool)) or v is None else str(v)) for k, v in r.items()} for r in rows]


def _with_original_names(loaded: LoadResult, names: dict[str, str], tables: Tables) -> LoadResult:
    """Provenance and the load report name the files as the user uploaded them (``tables`` already do)."""
    loaded.items = Records(tables)
    if loaded.item_summary:
        for body in loaded.item_summary["unknown_bodies"]:
            body["files"] = sorted(names.get(f, f) for f in body["files"])
    for report in loaded.files:
        report.file = names.get(report.file, report.file)
        for r in report.rejected:
            r.file = names.get(r.file, r.file)
    return loaded
