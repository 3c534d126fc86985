"""Precision and recall of the overlap rules on the labelled pairs (tests/eval/overlap_pairs.csv),
on the tuning part and on the holdout separately, and the cross-validated accuracy of the R13
category classifier, on the real lists.

    python benchmarks/eval_overlap.py [--shared ../shared] [--set R03.threshold=0.7 …] [--write]

The pairs were drawn in strata (benchmarks/eval_sample.py): every pair the rules propose, and a
random sample of all other pairs.  Each labelled pair stands for ``weight`` pairs of the population,
so precision and recall are weighted (Horvitz–Thompson ratio estimates): a missed pair drawn from
a stratum of 80,000 pairs counts for the 80,000 pairs it stands for.  Inside a part (tuning,
holdout) a stratum's weight is its population over the part's pairs of that stratum.  The 95 %
intervals are percentiles of a seeded bootstrap that resamples pairs within each stratum.

Prints Markdown; with ``--write`` the eval section of benchmarks/results.md is replaced by it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from quanze.pipeline import analyze
from quanze.rules.evaluation import predicted_pairs, read_pairs, score

from common import add_shared, emit, interval, real_lists  # a sibling module of these scripts

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "tests" / "eval" / "overlap_pairs.csv"
# what each figure counts: R03 (职能交叉) covers R01 and R02 (docs/rules.md); R01a proposes candidates
MEASURED = {
    "R01b 多头执法": {"R01b"},
    "R01b ∪ R02 ∪ R03（认定重叠）": {"R01b", "R02", "R03"},
    "R01a 候选": {"R01a"},
    "R01a ∪ R01b ∪ R02 ∪ R03": {"R01a", "R01b", "R02", "R03"},
}
CLAIMS = "R01b ∪ R02 ∪ R03（认定重叠）"
PARTS = {"调优部分": 0, "留出部分": 1}
BOOTSTRAP = 2000
SEED = 17
SECTION = "## 规则准确率"


def part_weights(pairs: list[dict]) -> np.ndarray:
    """Each pair's weight inside ``pairs``: its stratum's population over the stratum's pairs here."""
    population = {}
    for p in pairs:
        population.setdefault(p["stratum"], p["population"])
    here = defaultdict(int)
    for p in pairs:
        here[p["stratum"]] += 1
    return np.array([population[p["stratum"]] / here[p["stratum"]] for p in pairs])


def weighted(y: np.ndarray, hit: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    tp = float((w * y * hit).sum())
    claimed, positive = float((w * hit).sum()), float((w * y).sum())
    return (tp / claimed if claimed else float("nan")), (tp / positive if positive else float("nan"))


def bootstrap(pairs: list[dict], hit: np.ndarray, reps: int = BOOTSTRAP, seed: int = SEED) -> dict:
    """Weighted precision and recall with percentile 95 % intervals (pairs resampled within strata)."""
    y = np.array([p["same_matter"] for p in pairs])
    w = part_weights(pairs)
    precision, recall = weighted(y, hit, w)
    groups = defaultdict(list)
    for k, p in enumerate(pairs):
        groups[p["stratum"]].append(k)
    groups = [np.array(g) for g in groups.values()]
    rng = np.random.default_rng(seed)
    ps, rs = [], []
    for _ in range(reps):
        idx = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        p, r = weighted(y[idx], hit[idx], w[idx])
        ps.append(p)
        rs.append(r)

    def ci(values):
        v = np.array(values)
        v = v[~np.isnan(v)]
        return [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)] if len(v) else None

    s = score(pairs, {frozenset((p["a_id"], p["b_id"])) for p, h in zip(pairs, hit) if h})
    return {"precision": round(precision, 3), "precision_ci": ci(ps), "recall": round(recall, 3),
            "recall_ci": ci(rs), "tp": s.tp, "fp": s.fp, "fn": s.fn, "pairs": len(pairs),
            "positives": int(y.sum())}


def labelled_pairs(path: Path = PAIRS) -> list[dict]:
    """The labelled pairs, each with its stratum's population (labelled pairs × weight)."""
    pairs = read_pairs(path)
    count = defaultdict(int)
    for p in pairs:
        count[p["stratum"]] += 1
    for p in pairs:
        p["population"] = count[p["stratum"]] * p["weight"]
    return pairs


def evaluate(klmy: Path, settings: list[str] | None = None, laws: Path | None = None) -> dict:
    """The rules over the real lists, with the law library when given (the pair score reads the
    cited articles' texts from it, as it did when trained)."""
    rules = sorted(set().union(*MEASURED.values()))
    analysis = analyze([klmy], laws=laws, selection=[*rules, "R13"], settings=settings)
    items, result = analysis.load.items, analysis.result
    pairs = labelled_pairs()
    known = {it.id for it in items}
    missing = [p for p in pairs if p["a_id"] not in known or p["b_id"] not in known]
    scores = {}
    for name, measured in MEASURED.items():
        predicted = predicted_pairs(result.findings, measured)
        scores[name] = {}
        for part, flag in {"全部": None, **PARTS}.items():
            subset = [p for p in pairs if flag is None or p["holdout"] == flag]
            hit = np.array([frozenset((p["a_id"], p["b_id"])) in predicted for p in subset])
            scores[name][part] = bootstrap(subset, hit)
    strata = defaultdict(lambda: [0, 0, 0.0])
    for p in pairs:
        s = strata[p["stratum"]]
        s[0 if p["same_matter"] else 1] += 1
        s[2] = p["population"]
    return {"pairs": len(pairs), "positives": sum(p["same_matter"] for p in pairs), "missing": len(missing),
            "holdout": sum(p["holdout"] for p in pairs), "scores": scores, "strata": dict(strata),
            "classifier": result.stats.get("category_classifier", {}),
            "params": {r.rule.id: r.rule.params for r in result.runs}}


def report(out: dict) -> str:
    lines = [f"{SECTION} · {date.today().isoformat()}", "",
             "由 `benchmarks/eval_overlap.py` 生成：`tests/eval/overlap_pairs.csv` 中逐对人工标注的跨部门事项对"
             "（抽样见 `benchmarks/eval_sample.py` 与 `tests/eval/README.md`），规则取默认参数。"
             "精确率、召回率按抽样权重加权（分层抽样的 Horvitz–Thompson 比率估计），"
             f"95 % 置信区间为分层自助法（{BOOTSTRAP} 次，种子 {SEED}）；留出部分不参与任何调参。", "",
             f"{out['pairs']} 对已标注（{out['positives']} 对为同一事项），其中留出 {out['holdout']} 对；"
             f"标注的事项 ID 找不到的：{out['missing']}。", "",
             "| 规则 | 部分 | 对数 | 同一事项 | 精确率 | 95 % 区间 | 召回率（加权） | 95 % 区间 | TP | FP | FN |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, parts in out["scores"].items():
        for part, s in parts.items():
            lines.append(f"| {name} | {part} | {s['pairs']} | {s['positives']} | {s['precision']:.3f} | "
                         f"{interval(s['precision_ci'])} | {s['recall']:.3f} | {interval(s['recall_ci'])} | "
                         f"{s['tp']} | {s['fp']} | {s['fn']} |")
    lines += ["", "各层标注（同一事项 / 不同事项）与总体对数：", "",
              "| 层 | 同一事项 | 不同事项 | 总体对数 |", "|---|---|---|---|"]
    for h, (pos, neg, population) in sorted(out["strata"].items()):
        lines.append(f"| {h} | {pos} | {neg} | {population:.0f} |")
    c = out["classifier"]
    lines += ["", f"R13 分类模型：{c.get('items')} 个事项，{len(c.get('classes', []))} 个类别，"
                  f"{c.get('folds')} 折交叉验证准确率 {c.get('accuracy')}", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--write", action="store_true", help="replace the eval section of benchmarks/results.md")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    laws = klmy.parent / "laws"
    text = report(evaluate(klmy, args.set, laws if laws.is_dir() else None))
    emit(text, SECTION, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
