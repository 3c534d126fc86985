"""Precision and recall of R05a (职责缺失) and R05b (职责偏离) on the labelled item ↔ duty links
(tests/eval/duty_links.csv), on the bundled example and its 三定 texts (examples/mingchuan-sanding).

    python benchmarks/eval_duties.py [--set R05a.threshold=0.3 …] [--shared ../shared] [--write]

R05a claims that a duty is served by no item: a claim is right when the labels link no item to
that duty.  R05b claims that an item serves no duty: right when the labels link the item to none.
Closing duties (交办的其他任务, 职能转变, 有关职责分工) are neither labelled nor claimed.  The 95 %
intervals are percentiles of a seeded bootstrap resampling the labelled duties (R05a) or items
(R05b).  Needs no real data: the lists and texts are the bundled example's.

With the real lists at hand (``--shared``), the case issue 17 reports is measured as well: the
real 克拉玛依市应急管理局 list against a two-duty table (负责安全生产综合监督管理和工矿商贸行业安全生产
监督管理工作。 and a duty of 防震减灾), written here; how many items R05b calls unmatched.

Prints Markdown; with ``--write`` the section of benchmarks/results.md is replaced by it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

import numpy as np

from quanze.pipeline import EXAMPLES, prepare
from quanze.rules.engine import run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, emit, interval  # noqa: E402  (a sibling module of these scripts)

REPO = Path(__file__).resolve().parent.parent
LINKS = REPO / "tests" / "eval" / "duty_links.csv"
TEXTS = EXAMPLES / "mingchuan-sanding"
BOOTSTRAP = 2000
SEED = 17
SECTION = "## 三定职责匹配准确率"
# measured once with the matching before sector matching (commit dc25f71, same texts and labels): a record
BEFORE = ("按字词匹配的旧方法（dc25f71 的 duty_match，同一文本与标注）：R05a 报出 38 项、精确率 0.921、召回率 0.583；"
          "R05b 报出 2 项，均为误报，3 项无职责对应的事项一项未报。")
REAL_LIST = "克拉玛依市应急管理局2024年权责清单.xls"
TWO_DUTIES = ["负责安全生产综合监督管理和工矿商贸行业安全生产监督管理工作。",
              "负责全市防震减灾工作的统筹协调和监督管理，组织开展地震监测预报和震害防御工作。"]


def labels(path: Path = LINKS) -> tuple[dict, dict]:
    """(duty → served, item → covered) from the links: duty = (department, number), item = (department, name, 子项)."""
    served: dict = {}
    covered: dict = {}
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            yes = r["covered"] == "yes"
            if r["duty"]:
                key = (r["department"], int(r["duty"]))
                served[key] = served.get(key, False) or yes
            if r["item"]:
                key = (r["department"], r["item"], r["sub_item"])
                covered[key] = covered.get(key, False) or yes
    return served, covered


def predictions(settings: list[str] | None = None) -> tuple[set, set, object]:
    """(duties R05a calls unserved, items R05b calls uncovered, the prepared data) on the example and texts."""
    ready = prepare(sorted((EXAMPLES / "mingchuan").glob("*.xlsx")), duties=sorted(TEXTS.glob("*.txt")))
    if ready.input_rejections:
        raise SystemExit(f"三定文本读取失败：{ready.input_rejections}")
    result = run(ready.tables, selection=["R05a", "R05b"], settings=settings, inputs=ready.inputs)
    items = ready.tables.items.set_index("id")
    unserved, uncovered = set(), set()
    for f in result.findings:
        if f.rule == "R05a":
            unserved.add((f.departments[0], f.evidence["duty_number"]))
        elif f.rule == "R05b":
            for s in f.subjects:
                it = items.loc[s["id"]]
                uncovered.add((it["department"], it["name"], it["sub_name"] or ""))
    return unserved, uncovered, (ready, result)


def scores(truth: dict, claimed: set, reps: int = BOOTSTRAP, seed: int = SEED) -> dict:
    """Precision and recall of ``claimed`` (keys called negative: unserved / uncovered) against ``truth``."""
    keys = sorted(truth)
    y = np.array([not truth[k] for k in keys])  # positive: the duty is unserved / the item uncovered
    hit = np.array([k in claimed for k in keys])

    def pr(yy, hh):
        tp = float((yy & hh).sum())
        return (tp / hh.sum() if hh.sum() else float("nan")), (tp / yy.sum() if yy.sum() else float("nan"))

    precision, recall = pr(y, hit)
    rng = np.random.default_rng(seed)
    samples = [pr(y[i], hit[i]) for i in (rng.integers(0, len(keys), len(keys)) for _ in range(reps))]

    def ci(values):
        v = np.array(values)
        v = v[~np.isnan(v)]
        return [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)] if len(v) else None

    return {"labelled": len(keys), "positives": int(y.sum()), "claimed": int(hit.sum()),
            "tp": int((y & hit).sum()), "fp": int((~y & hit).sum()), "fn": int((y & ~hit).sum()),
            "precision": round(precision, 3), "precision_ci": ci([s[0] for s in samples]),
            "recall": round(recall, 3), "recall_ci": ci([s[1] for s in samples]),
            "wrong": sorted(k for k in claimed if k in truth and truth[k]),
            "missed": sorted(k for k in keys if not truth[k] and k not in claimed),
            "unlabelled": sorted(k for k in claimed if k not in truth)}


def evaluate(settings: list[str] | None = None) -> dict:
    served, covered = labels()
    unserved, uncovered, _ = predictions(settings)
    return {"R05a": scores(served, unserved), "R05b": scores(covered, uncovered),
            "departments": len({k[0] for k in served})}


def real_case(shared: Path, settings: list[str] | None = None) -> dict | None:
    """Issue 17's case on the real list: items R05b calls unmatched against the two-duty table (None without it)."""
    import csv as _csv
    import tempfile

    path = Path(shared) / "data" / "klmy" / REAL_LIST
    if not path.is_file():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "duties-三定职责.csv"
        with table.open("w", encoding="utf-8", newline="") as f:
            w = _csv.writer(f)
            w.writerow(["部门", "职责"])
            w.writerows([["克拉玛依市应急管理局", d] for d in TWO_DUTIES])
        ready = prepare([path], duties=[table])
    result = run(ready.tables, selection=["R05a", "R05b"], settings=settings, inputs=ready.inputs)
    return {"items": len(ready.tables.items),
            "unmatched": sum(len(f.subjects) for f in result.findings if f.rule == "R05b"),
            "unserved": [f.evidence["duty"] for f in result.findings if f.rule == "R05a"]}


def _fmt(v: float) -> str:
    return "—" if v != v else f"{v:.3f}"


def report(out: dict) -> str:
    lines = [f"{SECTION} · {date.today().isoformat()}", "",
             "由 `benchmarks/eval_duties.py` 生成：内置示例明川县 "
             f"{out['departments']} 个部门的三定规定全文（`examples/mingchuan-sanding/`）与其清单事项，"
             "`tests/eval/duty_links.csv` 逐项人工标注事项与职责的对应（标注办法见 `tests/eval/README_duties.md`），"
             f"规则取默认参数。95 % 置信区间为自助法（{BOOTSTRAP} 次，种子 {SEED}），"
             "R05a 按职责重抽样，R05b 按事项重抽样。兜底职责（交办的其他任务、职能转变、有关职责分工）不计。"
             "标注在规则运行之前写定，但匹配方法是在看过本集结果之后调整的：这些数字是样本内的，不是留出集上的；"
             "R05b 只有 3 个阳性，区间很宽。", "",
             "| 规则 | 判断 | 已标注 | 实为阳性 | 报出 | 精确率 | 95 % 区间 | 召回率 | 95 % 区间 | TP | FP | FN |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    what = {"R05a": "职责无事项承接", "R05b": "事项无职责对应"}
    for rule in what:
        s = out[rule]
        lines.append(f"| {rule} | {what[rule]} | {s['labelled']} | {s['positives']} | {s['claimed']} | "
                     f"{_fmt(s['precision'])} | {interval(s['precision_ci'])} | {_fmt(s['recall'])} | "
                     f"{interval(s['recall_ci'])} | {s['tp']} | {s['fp']} | {s['fn']} |")
    for rule in what:
        s = out[rule]
        for label, keys in (("误报", s["wrong"]), ("漏报", s["missed"])):
            if keys:
                lines.append("")
                lines.append(f"{rule} {label}：" + "；".join("·".join(str(x) for x in k if x != "") for k in keys))
    lines += ["", BEFORE]
    real = out.get("real")
    if real:
        lines += ["", f"真实清单（{REAL_LIST}，{real['items']} 个事项）对两项职责的三定表（“{TWO_DUTIES[0]}”与一项"
                      f"防震减灾职责）：R05b 报出无职责对应的事项 {real['unmatched']} 项（议题 17 记录的旧方法为 107 项）；"
                      f"R05a 报出无事项承接的职责 {len(real['unserved'])} 项。此项无逐项标注，只是计数。"]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--shared", default=str(SHARED), help="the folder holding data/klmy (optional)")
    ap.add_argument("--write", action="store_true", help="replace the section of benchmarks/results.md")
    args = ap.parse_args()
    out = evaluate(args.set)
    out["real"] = real_case(Path(args.shared), args.set)
    text = report(out)
    emit(text, SECTION, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
