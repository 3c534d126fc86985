"""What the HTTP layer asks of the library: load a stored dataset, run an analysis as a job.

Kept apart from the Flask code so that notebooks and tests can call the same
operations; the job runner is a small thread pool (a 编办 runs one service on one
machine), and a job's stage and progress are written to the store as it goes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Empty

from quanze.api.store import Store, now
from quanze.api.summary import run_outcome
from quanze.graph import PowerGraph, build_graph, sparql, to_rdf
from quanze.loaders import LoadResult, load_files
from quanze.reform import read_scenario, simulate
from quanze.rules.engine import run as run_rules


class NothingToLoad(ValueError):
    """An upload in which no file holds a loadable item."""


class Service:
    def __init__(self, store: Store, laws=None, workers: int = 2, cache: int = 4):
        self.store, self.laws = store, laws
        self.jobs = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quanze-job")
        self._graphs: OrderedDict[str, tuple[LoadResult, PowerGraph]] = OrderedDict()
        self._results: OrderedDict = OrderedDict()
        self._rdf: dict = {}
        self._briefs: dict[str, list[dict]] = {}
        self._lock = threading.Lock()
        self._cache = cache

    # ---- datasets ------------------------------------------------------------------------

    def add_dataset(self, uploads: list[tuple[str, bytes]]) -> tuple[str, LoadResult]:
        """Keep the uploaded files and load them; raises NothingToLoad (and keeps nothing) when no item loads."""
        name = uploads[0][0] if len(uploads) == 1 else f"{uploads[0][0]} 等 {len(uploads)} 个文件"
        ds = self.store.add_dataset(name, uploads)
        loaded, _ = self.load(ds)
        if not loaded.items:
            self.store.delete_dataset(ds)
            self.forget(ds)
            raise NothingToLoad("没有可导入的事项：" + "；".join(str(r) for r in loaded.rejected[:5]))
        self.store.set_report(ds, loaded.report())
        return ds, loaded

    def load(self, ds: str, progress=None) -> tuple[LoadResult, PowerGraph]:
        """The dataset's lists loaded and built into a graph (cached for the most recent datasets)."""
        with self._lock:
            if ds in self._graphs:
                self._graphs.move_to_end(ds)
                return self._graphs[ds]
        files = self.store.dataset_files(ds)
        loaded = _with_original_names(load_files([f["path"] for f in files], laws=self.laws, progress=progress),
                                      {f["stored"]: f["name"] for f in files})
        entry = (loaded, build_graph(loaded.items))
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
        run_id = self.store.add_run(ds, {"rules": rules, "settings": settings})
        self.jobs.submit(self._analyse, run_id, ds, rules, settings)
        return run_id

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
        """A read-only query in a child process that is stopped at ``timeout`` seconds."""
        _, graph = self.load(ds)
        with self._lock:
            rdf = self._rdf.get(ds)
        if rdf is None:
            rdf = to_rdf(graph)
            with self._lock:
                self._rdf[ds] = rdf
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        proc = ctx.Process(target=_query, args=(rdf, query, limit, queue), daemon=True)
        proc.start()
        try:
            ok, value = queue.get(timeout=timeout)
        except Empty:
            proc.terminate()
            raise TimeoutError(f"查询超过 {timeout:g} 秒，已停止") from None
        finally:
            proc.join(1)
        if not ok:
            raise ValueError(value)
        return value


def _query(rdf, query: str, limit: int, queue) -> None:
    try:
        rows = sparql(rdf, query, limit=limit)
        queue.put((True, [{k: (v if isinstance(v, (int, float, bool)) or v is None else str(v)) for k, v in r.items()}
                          for r in rows]))
    except Exception as e:  # a parse error or a refused update, told to the client
        queue.put((False, f"SPARQL 查询有误：{e}"))


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
