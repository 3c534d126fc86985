"""What the HTTP layer asks of the library: load a stored dataset, run an analysis as a job.

Kept apart from the Flask code so that notebooks and tests can call the same
operations; the job runner is a small thread pool (a 编办 runs one service on one
machine), and a job's stage and progress are written to the store as it goes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from quanze.api.store import Store
from quanze.graph import PowerGraph, build_graph
from quanze.loaders import LoadResult, load_files
from quanze.rules.engine import run as run_rules


class Service:
    def __init__(self, store: Store, laws=None, workers: int = 2, cache: int = 4):
        self.store, self.laws = store, laws
        self.jobs = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quanze-job")
        self._graphs: OrderedDict[str, tuple[LoadResult, PowerGraph]] = OrderedDict()
        self._lock = threading.Lock()
        self._cache = cache

    # ---- datasets ------------------------------------------------------------------------

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
                self._graphs.popitem(last=False)
        return entry

    def forget(self, ds: str) -> None:
        with self._lock:
            self._graphs.pop(ds, None)

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
            store.update_run(run_id, status="完成", stage="完成", progress=100, finished=_now(),
                             stats={"runs": [r.to_dict() for r in result.runs], **result.stats})
        except Exception as e:  # the job's failure is shown to the client, in Chinese, without a trace
            store.update_run(run_id, status="失败", error=f"分析失败：{e}", finished=_now())


def _now() -> str:
    from quanze.api.store import now

    return now()


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
