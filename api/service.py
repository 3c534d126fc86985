"""What the HTTP layer asks of the library: load a stored dataset, run an analysis as a job.

Kept apart from the Flask code so that notebooks and tests can call the same
operations; the job runner is a small thread pool (a 编办 runs one service on one
machine), and a job's stage and progress are written to the store as it goes.
A SPARQL query runs in a worker process of its own that is killed at its time limit,
and only a few run at once (over all the service's processes).
"""

from __future__ import annotations

import ctypes
import dataclasses
import fcntl
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from quanze.api.store import RUNNING, Store, now
from quanze.api.summary import run_outcome
from quanze.graph import PowerGraph, build_graph, sparql, to_rdf
from quanze.loaders import LoadResult, load_files
from quanze.reform import read_scenario, simulate
from quanze.rules.engine import run as run_rules


SPARQL_MEMORY = 2 << 30  # bytes a query's worker may allocate beyond what it inherits


class NothingToLoad(ValueError):
    """An upload in which no file holds a loadable item."""


class Busy(RuntimeError):
    """As many SPARQL queries as allowed are running; the client should try again later."""


class StillRunning(RuntimeError):
    """A job cannot be run again while it runs."""


class Service:
    def __init__(self, store: Store, laws=None, workers: int = 2, cache: int = 4, sparql_slots: int = 2):
        self.store, self.laws = store, laws
        self.sparql_slots = sparql_slots
        self.jobs = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quanze-job")
        self._graphs: OrderedDict[str, tuple[LoadResult, PowerGraph]] = OrderedDict()
        self._results: OrderedDict = OrderedDict()
        self._rdf: dict = {}
        self._briefs: dict[str, list[dict]] = {}
        self._lock = threading.Lock()
        self._cache = cache

    # ---- datasets ------------------------------------------------------------------------

    def add_dataset(self, uploads: list[tuple[str, bytes]]) -> tuple[str, LoadResult]:
        """Keep the uploaded files with their load report; raises NothingToLoad (and keeps nothing) when no item loads.

        The dataset enters the store only with its report (one transaction); until then its
        files are staged, and a crash in between leaves nothing listed.
        """
        name = uploads[0][0] if len(uploads) == 1 else f"{uploads[0][0]} 等 {len(uploads)} 个文件"
        ds, files = self.store.stage_dataset(uploads)
        try:
            entry = self._read(files)
            loaded = entry[0]
            if not loaded.items:
                raise NothingToLoad("没有可导入的事项：" + "；".join(str(r) for r in loaded.rejected[:5]))
            self.store.add_dataset(ds, name, files, loaded.report())
        except BaseException:
            self.store.discard_staged(ds)
            raise
        self._keep(ds, entry)
        return ds, loaded

    def load(self, ds: str, progress=None) -> tuple[LoadResult, PowerGraph]:
        """The dataset's lists loaded and built into a graph (cached for the most recent datasets)."""
        with self._lock:
            if ds in self._graphs:
                self._graphs.move_to_end(ds)
                return self._graphs[ds]
        return self._keep(ds, self._read(self.store.dataset_files(ds), progress))

    def _read(self, files: list[dict], progress=None) -> tuple[LoadResult, PowerGraph]:
        """Load stored files (each kept under its client's name made safe) and build their graph."""
        loaded = _with_original_names(load_files([f["path"] for f in files], laws=self.laws, progress=progress),
                                      {Path(f["stored"]).name: f["name"] for f in files})
        return loaded, build_graph(loaded.items)

    def _keep(self, ds: str, entry: tuple[LoadResult, PowerGraph]) -> tuple[LoadResult, PowerGraph]:
        with self._lock:
            self._graphs[ds] = entry
            while len(self._graphs) > self._cache:
                evicted, _ = self._graphs.popitem(last=False)
                self._rdf.pop(evicted, None)  # what was derived from an evicted graph goes with it
                self._briefs.pop(evicted, None)
        return entry

    def briefs(self, ds: str, brief) -> list[dict]:
        """Every item of a dataset as the short dict list endpoints return, built once per dataset."""
        with self._lock:
            if ds in self._briefs:
                return self._briefs[ds]
        found = [brief(it) for it in self.load(ds)[1].items()]
        with self._lock:
            self._briefs[ds] = found
        return found

    def forget(self, ds: str) -> None:
        with self._lock:
            self._graphs.pop(ds, None)
            self._rdf.pop(ds, None)
            self._briefs.pop(ds, None)

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
            _, graph = self.load(ds, progress=lambda stage, done, total: store.update_run(
                run_id, stage=stage, progress=round(30 * done / max(total, 1), 1)))

            def progress(stage, done, total):
                store.update_run(run_id, stage=stage, progress=round(30 + 70 * done / max(total, 1), 1))

            result = run_rules(graph, selection=rules, settings=settings, progress=progress,
                               inputs={"laws": self.laws})
            store.add_findings(run_id, [f.to_dict() for f in result.findings])
            stage, failed = run_outcome(result)  # 部分完成 when a rule errored
            store.update_run(run_id, status="完成", stage=stage, error=failed, progress=100, finished=now(),
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

    def add_scenario(self, body: str) -> str:
        """Check and keep a scenario; raises InputFileError (with lines) when it has mistakes."""
        folder = self.store.folder / "scenarios"
        folder.mkdir(exist_ok=True)
        draft = folder / "待检查.yaml"
        draft.write_text(body, encoding="utf-8")
        scenario = read_scenario(draft)
        sid = self.store.add_scenario(scenario.name, body)
        draft.rename(folder / f"{sid}.yaml")
        return sid

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
        _, graph = self.load(row["dataset_id"])
        result = simulate(graph, read_scenario(self.scenario_file(row["scenario_id"])), catalogue=False)
        result.findings_change = (row["result"] or {}).get("findings_change", {})
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
            _, graph = self.load(ds)
            store.update_simulation(sim, stage="模拟划转并比较规则检查结果", progress=40)
            scenario = read_scenario(self.scenario_file(sid))
            result = simulate(graph, scenario, inputs={"laws": self.laws})
            self._remember(sim, result)
            store.update_simulation(sim, status="完成", stage="完成", progress=100, finished=now(),
                                    result={**result.to_dict(), "summary": result.summary()})
        except Exception as e:
            store.update_simulation(sim, status="失败", error=f"模拟失败：{e}", finished=now())

    # ---- graph ---------------------------------------------------------------------------

    def sparql(self, ds: str, query: str, limit: int, timeout: float) -> list[dict]:
        """A read-only query in a worker process killed at ``timeout`` seconds; raises Busy when all slots are taken."""
        _, graph = self.load(ds)
        with self._lock:
            rdf = self._rdf.get(ds)
        if rdf is None:
            rdf = to_rdf(graph)
            with self._lock:
                self._rdf[ds] = rdf
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


def _with_original_names(loaded: LoadResult, names: dict[str, str]) -> LoadResult:
    """Provenance and the load report name the files as the user uploaded them."""
    for i, it in enumerate(loaded.items):
        original = names.get(it.source.file)
        if original:
            loaded.items[i] = dataclasses.replace(it, source=dataclasses.replace(it.source, file=original))
    for report in loaded.files:
        report.file = names.get(report.file, report.file)
        for r in report.rejected:
            r.file = names.get(r.file, r.file)
    return loaded
