"""``analyze --engine dask`` against the single process on synthetic presets (county, city, nations of K provinces).

Each preset is written by ``quanze synth``; then, each in a child process of its own (so that peak memory is
the run's own): the single process's ``pipeline.analyze``, and the Dask engine on a LocalCluster of
``--workers`` processes started in that child (the time to start the cluster is given apart).  Recorded:
seconds, the peak memory of the client process and of each worker, the Parquet written for the workers,
the bytes workers sent each other, the tasks, and whether the findings are the same (rule, fingerprint,
subjects, sources).  ``--nation 1 2 3`` adds the nation-small preset with 1, 2 and 3 provinces: the scaling
of memory per worker as provinces are added.

    python benchmarks/bench_dask.py --presets county city --real --nation 1 2 3 --write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_shared, replace_section

HEADING = "## Dask 引擎与单进程"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _inputs(out: Path) -> dict:
    if not (out / "synth.json").exists():  # the real lists: no reference inputs
        return {}
    summary = json.loads((out / "synth.json").read_text(encoding="utf-8"))
    return {k: [out / v] for k, v in summary["inputs"].items()}


def _keys(result) -> list:
    dump = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    return sorted((f.rule, f.fingerprint, dump(f.subjects), dump(f.sources)) for f in result.findings)


def single(out: Path, laws: str | None) -> dict:
    from quanze.pipeline import analyze

    t = time.perf_counter()
    done = analyze([out / "lists"], laws=laws, **_inputs(out))
    seconds = time.perf_counter() - t
    (out / "single.json").write_text(json.dumps(_keys(done.result), ensure_ascii=False), encoding="utf-8")
    return {"seconds": round(seconds, 1), "peak_mb": round(_peak_mb()), "findings": len(done.result.findings),
            "items": len(done.tables)}


def _worker_log(folder: Path):
    """A worker plugin noting, after each task, the worker's peak memory and the bytes it has sent, per
    worker process: a worker lost mid-run is replaced, so the processes at the end of a run may not be all
    that ran it."""
    from distributed import WorkerPlugin

    class Log(WorkerPlugin):
        def setup(self, worker):
            self.worker = worker

        def transition(self, key, start, finish, **kwargs):
            if start == "executing":
                # VmHWM, the process's own peak: ru_maxrss of a spawned process counts the process it was
                # spawned from, and a replaced worker is spawned from the client, which holds the tables
                status = Path("/proc/self/status")
                peak = [int(x.split()[1]) / 1024 for x in (status.read_text().splitlines() if status.exists() else [])
                        if x.startswith("VmHWM:")] or [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
                note = {"worker": str(self.worker.name), "peak_mb": peak[0],
                        "sent": self.worker.transfer_outgoing_bytes_total}
                (folder / f"{os.getpid()}.json").write_text(json.dumps(note))

    return Log()


def _worker_figures(folder: Path) -> tuple[list[float], float]:
    """Each worker's peak (the largest of its processes), and the bytes all of them sent."""
    notes = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    peaks: dict[str, float] = {}
    for n in notes:
        peaks[n["worker"]] = max(peaks.get(n["worker"], 0.0), n["peak_mb"])
    return list(peaks.values()), sum(n["sent"] for n in notes)


def on_dask(out: Path, laws: str | None, workers: int, memory_limit: str) -> dict:
    from distributed import Client, LocalCluster

    from quanze.cluster.engine import analyze

    t = time.perf_counter()
    log = Path(tempfile.mkdtemp(prefix="quanze-workers-"))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.register_plugin(_worker_log(log))
        started = time.perf_counter() - t
        work = out / "dask-work"
        t = time.perf_counter()
        done = analyze([out / "lists"], laws=laws, client=client, work_dir=work, **_inputs(out))
        seconds = time.perf_counter() - t
    worker_peaks, sent = _worker_figures(log)
    shutil.rmtree(log, ignore_errors=True)
    parquet = sum(p.stat().st_size for p in (work / "tables").rglob("*.parquet"))
    # compared as JSON on both sides (the single run's keys were written as JSON)
    # None: no single run to compare with (``--dask-only`` on a run too large for one process)
    same = json.loads(json.dumps(_keys(done.result), ensure_ascii=False)) == \
        json.loads((out / "single.json").read_text(encoding="utf-8")) if (out / "single.json").exists() else None
    return {"seconds": round(seconds, 1), "cluster_seconds": round(started, 1), "peak_mb": round(_peak_mb()),
            "worker_peak_mb": sorted(round(v) for v in worker_peaks),
            "parquet_mb": round(parquet / 2**20, 1), "sent_mb": round(sent / 2**20, 1), "same": same,
            "items": len(done.tables), "findings": len(done.result.findings),
            **{k: done.engine[k] for k in ("partitions", "tasks")},
            "stages": done.engine["seconds"]}


def child(kind: str, out: Path, laws: str | None, workers: int, memory_limit: str) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_dask as b; "
            f"from pathlib import Path; r = b.{kind}(Path({str(out)!r}), {laws!r}"
            + (f", {workers}, {memory_limit!r}" if kind == "on_dask" else "") + "); print(json.dumps(r))")
    res = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True,
                         cwd=tempfile.gettempdir())
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="*", default=["county"], choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="6GB")
    ap.add_argument("--workdir", help="where the presets are written (a temporary folder when not given)")
    add_shared(ap)
    ap.add_argument("--real", action="store_true", help="also the 16 real lists (<shared>/data/klmy)")
    ap.add_argument("--nation", nargs="*", type=int, default=[], metavar="K",
                    help="also a nation with K provinces, for each K given")
    ap.add_argument("--nation-preset", default="nation-small", choices=["nation-small", "nation"],
                    help="the nation's preset: small provinces, or provinces the size of the province preset")
    ap.add_argument("--dask-only", action="store_true",
                    help="only the Dask run (compared with an earlier single run of the same folder, if any)")
    ap.add_argument("--write", action="store_true", help=f"replace the section «{HEADING}» of results.md")
    args = ap.parse_args()
    laws = Path(args.shared) / "data" / "laws"
    laws = str(laws) if laws.is_dir() else None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-dask-"))
    rows = []
    presets = list(args.presets)
    if args.real:
        klmy = Path(args.shared) / "data" / "klmy"
        real = workdir / "klmy"
        real.mkdir(parents=True, exist_ok=True)
        if not (real / "lists").exists():
            (real / "lists").symlink_to(klmy)  # read in place: nothing of the real lists is copied
        presets.append("klmy")
    presets += [f"{args.nation_preset}-{k}" for k in args.nation]
    for preset in presets:
        out = workdir / preset
        if preset != "klmy" and not (out / "synth.json").exists():
            nation, _, provinces = preset.rpartition("-") if preset.startswith("nation") else ("", "", "")
            options = ["--preset", nation, "--provinces", provinces] if nation else ["--preset", preset]
            subprocess.run([sys.executable, "-W", "ignore", "-m", "quanze.api.cli", "synth", *options,
                            "--seed", str(args.seed), "--out", str(out)], check=True, cwd=tempfile.gettempdir())
        one = None if args.dask_only else child("single", out, laws, args.workers, args.memory_limit)
        two = child("on_dask", out, laws, args.workers, args.memory_limit)
        print(preset, one, two, flush=True)
        rows.append((preset, one, two))
    load = os.getloadavg()
    lines = [f"{HEADING} · {time.strftime('%Y-%m-%d')} · {os.cpu_count()} 核 · Python {platform.python_version()}", "",
             f"`python benchmarks/bench_dask.py --presets {' '.join(args.presets)}{' --real' if args.real else ''}"
             f"{' --nation ' + ' '.join(map(str, args.nation)) if args.nation else ''}"
             f"{' --nation-preset ' + args.nation_preset if args.nation and args.nation_preset != 'nation-small' else ''} "
             f"{'--dask-only ' if args.dask_only else ''}--workers {args.workers} "
             f"--memory-limit {args.memory_limit}`："
             + ("只跑 `--engine dask`，与同一文件夹此前单进程运行的结果（single.json，若有）比较（本机 LocalCluster，"
                if args.dask_only else "单进程 `pipeline.analyze` 与 `--engine dask`（本机 LocalCluster，")
             + f"{args.workers} 个工作进程，各 1 线程），各在独立子进程中运行；法律库{'已用' if laws else '未用'}。"
             f"机器为多人共用的 2 核（测量结束时负载 {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}），"
             "时间只可作量级参考。集群启动时间单列，不计入 Dask 时间。", "",
             "| 规模 | 事项 | 单进程 秒 | 单进程 峰值 MB | Dask 秒（读取 / 规则） | 集群启动 秒 | 客户端峰值 MB | 各工作进程峰值 MB | Parquet MB | 工作进程间传输 MB | 分区 | 任务 | 结果相同 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for preset, one, two in rows:
        tasks = "、".join(f"{k} {v}" for k, v in two["tasks"].items())
        same = {True: "是", False: "**否**", None: "未比较"}[two["same"]]
        single_columns = f"{one['seconds']} | {one['peak_mb']:,}" if one else "– | –"
        lines.append(f"| {preset} | {two['items']:,} | {single_columns} | {two['seconds']}"
                     f"（{two['stages']['load']} / {two['stages']['rules']}） | {two['cluster_seconds']} | "
                     f"{two['peak_mb']:,} | {' / '.join(f'{v:,}' for v in two['worker_peak_mb'])} | {two['parquet_mb']} | {two['sent_mb']} | "
                     f"{two['partitions']} | {tasks} | {same}（{two['findings']} 个） |")
    lines += ["", "What the figures say: the client still loads every list and holds the whole tables (the per-file parse "
              "runs on the workers, the cross-file steps and the law library here), so its peak is the single "
              "process's load peak. Every rule runs in parallel on the workers, in batches of whole governments, "
              "territories or provinces of at most about 100,000 items: the rules that read the whole run are "
              "given it as counts every batch adds its share to first (the «statistics» tasks: term counts for "
              "R01b/R03, R10, R06 and R05a/R05b, the classifier's examples for R13, fitted once on their sum, "
              "the peers' counts for R16/R23, each matter's values per province for R21), so no task holds "
              "every item. No shuffle: partitions go to workers as Parquet files in the work folder; what "
              "workers send each other is the added-up counts and the tasks' results."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        replace_section(text, HEADING)


if __name__ == "__main__":
    main()
