"""R13 (类别疑似错误) measured on labelled real items (tests/eval/category_items.csv), and the accuracy
of its classifier against the true category.

    python benchmarks/eval_category.py [--shared ../shared] [--set R13.min_probability=0.8 …] [--write]

The items were drawn in strata (benchmarks/eval_category_sample.py): every item R13 flags, and a
random sample of the others stratified by listed category × whether the classifier's out-of-fold
prediction agrees with it.  Each labelled item stands for ``weight`` items of the population, so the
recall of wrong categories, their share and the classifier's accuracy are weighted (Horvitz–Thompson
ratio estimates).  R13's precision is over the items it flags, all of which are labelled (weight 1).
The 95 % intervals are percentiles of a seeded bootstrap that resamples items within each stratum.

Prints Markdown; with ``--write`` the R13 section of benchmarks/results.md is replaced by it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from eval_category_sample import ITEMS, population, read  # a sibling module of these scripts
from common import add_shared, emit, interval, real_lists

BOOTSTRAP = 2000
SEED = 13
SECTION = "## R13 类别准确率"


def labelled(path: Path = ITEMS) -> list[dict]:
    """The labelled items, with ``true`` (the category they should have) and their stratum's population."""
    items = read(path)
    count = defaultdict(int)
    for it in items:
        count[it["stratum"]] += 1
    for it in items:
        if it["category_right"] not in ("0", "1"):
            raise ValueError(f"{path.name}：事项 {it['item_id']} 未标注 category_right")
        it["right"] = it["category_right"] == "1"
        it["true"] = it["listed_category"] if it["right"] else it["true_category"]
        if not it["true"]:
            raise ValueError(f"{path.name}：事项 {it['item_id']} 标为类别错误，却没有 true_category")
        it["weight"] = float(it["weight"])
        it["population"] = count[it["stratum"]] * it["weight"]
    return items


def figures(wrong, flagged, suggested_ok, model_ok, has_model, w) -> dict:
    def ratio(num, den):
        return float(num) / float(den) if den else float("nan")
    return {
        "precision": ratio((wrong * flagged).sum(), flagged.sum()),
        "suggestion": ratio((wrong * flagged * suggested_ok).sum(), (wrong * flagged).sum()),
        "recall": ratio((w * wrong * flagged).sum(), (w * wrong).sum()),
        "wrong_share": ratio((w * wrong).sum(), w.sum()),
        "model_accuracy": ratio((w * has_model * model_ok).sum(), (w * has_model).sum()),
        "model_accuracy_unweighted": ratio((has_model * model_ok).sum(), has_model.sum()),
    }


def evaluate(klmy: Path, settings: list[str] | None = None) -> dict:
    population_items, flags = population(klmy, settings)
    by_id = {it["item_id"]: it for it in population_items}
    items = labelled()
    missing = [it["item_id"] for it in items if it["item_id"] not in by_id]
    items = [it for it in items if it["item_id"] in by_id]
    unlabelled_flags = sorted(set(flags) - {it["item_id"] for it in items})
    wrong = np.array([not it["right"] for it in items], dtype=float)
    flagged = np.array([it["item_id"] in flags for it in items], dtype=float)
    suggested_ok = np.array([flags.get(it["item_id"], {}).get("suggested") == it["true"] for it in items], dtype=float)
    says = [by_id[it["item_id"]]["model_says"] for it in items]
    has_model = np.array([bool(s) for s in says], dtype=float)
    model_ok = np.array([s == it["true"] for s, it in zip(says, items)], dtype=float)
    listed_ok = np.array([s == it["listed_category"] for s, it in zip(says, items)], dtype=float)
    w = np.array([it["weight"] for it in items])
    point = figures(wrong, flagged, suggested_ok, model_ok, has_model, w)
    point["model_vs_listed"] = float((w * has_model * listed_ok).sum() / (w * has_model).sum())
    groups = defaultdict(list)
    for k, it in enumerate(items):
        groups[it["stratum"]].append(k)
    groups = [np.array(g) for g in groups.values()]
    rng = np.random.default_rng(SEED)
    samples = defaultdict(list)
    for _ in range(BOOTSTRAP):
        idx = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        for k, v in figures(wrong[idx], flagged[idx], suggested_ok[idx], model_ok[idx], has_model[idx], w[idx]).items():
            samples[k].append(v)
    ci = {}
    for k, values in samples.items():
        v = np.array(values)
        v = v[~np.isnan(v)]
        ci[k] = (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) if len(v) else None
    strata = defaultdict(lambda: [0, 0, 0.0])
    for it in items:
        s = strata[it["stratum"]]
        s[0 if it["right"] else 1] += 1
        s[2] = it["population"]
    confusion = defaultdict(int)
    for it in items:
        if not it["right"]:
            confusion[(it["listed_category"], it["true"], it["item_id"] in flags)] += 1
    return {"items": len(items), "population": len(population_items), "wrong": int(wrong.sum()),
            "flagged": int(flagged.sum()), "flagged_wrong": int((wrong * flagged).sum()),
            "flagged_suggestion_ok": int((wrong * flagged * suggested_ok).sum()),
            "missing": missing, "unlabelled_flags": unlabelled_flags, "point": point, "ci": ci,
            "strata": dict(strata), "confusion": dict(confusion), "model_items": int(has_model.sum())}


def report(out: dict) -> str:
    p, ci = out["point"], out["ci"]
    lines = [f"{SECTION} · {date.today().isoformat()}", "",
             "由 `benchmarks/eval_category.py` 生成：`tests/eval/category_items.csv` 中逐项人工标注的真实事项"
             "（抽样见 `benchmarks/eval_category_sample.py`，标注规则见 `tests/eval/README_category.md`），"
             "R13 取默认参数。召回率、错误占比和模型准确率按抽样权重加权（分层抽样的 Horvitz–Thompson 比率估计），"
             f"95 % 置信区间为分层自助法（{BOOTSTRAP} 次，种子 {SEED}）。", "",
             f"总体 {out['population']} 个事项，标注 {out['items']} 个，其中类别错误 {out['wrong']} 个；"
             f"R13 标出 {out['flagged']} 个（均已标注；未标注的标出项：{len(out['unlabelled_flags'])}，"
             f"标注的事项 ID 找不到的：{len(out['missing'])}）。", "",
             "| 指标 | 值 | 95 % 区间 | 说明 |", "|---|---|---|---|",
             f"| R13 精确率 | {p['precision']:.3f} | {interval(ci['precision'])} | 标出的 {out['flagged']} 项中类别确实错误的 "
             f"{out['flagged_wrong']} 项 |",
             f"| R13 建议类别正确 | {p['suggestion']:.3f} | {interval(ci['suggestion'])} | 确实错误的标出项中建议类别即真实类别的 "
             f"{out['flagged_suggestion_ok']} 项 |",
             f"| R13 召回率（加权） | {p['recall']:.3f} | {interval(ci['recall'])} | 类别错误的事项中被 R13 标出的比例 |",
             f"| 类别错误占比（加权） | {p['wrong_share']:.3f} | {interval(ci['wrong_share'])} | 全部事项中类别错误的估计比例 |",
             f"| 分类模型准确率（对真实类别，加权） | {p['model_accuracy']:.3f} | {interval(ci['model_accuracy'])} | "
             f"{out['model_items']} 个有模型判断的标注事项，交叉验证的折外预测 |",
             f"| 分类模型准确率（对真实类别，不加权） | {p['model_accuracy_unweighted']:.3f} | "
             f"{interval(ci['model_accuracy_unweighted'])} | 同上，不加权（分歧项被多抽） |",
             f"| 分类模型与所列类别一致（加权） | {p['model_vs_listed']:.3f} | — | 对照：以所列类别为准的准确率 |",
             "", "模型准确率的区间窄：层按模型是否与所列类别一致划分，层内模型对错几乎不变，区间只反映"
             "类别错误事项（模型与所列相符而所列有误，或相反）的抽样不确定性。R13 的精确率只有 "
             f"{out['flagged']} 个标出项，区间宽。",
             "", "类别错误的事项（所列 → 应为）：", "", "| 所列类别 | 应为 | R13 标出 | 个数 |", "|---|---|---|---|"]
    for (listed, true, hit), n in sorted(out["confusion"].items()):
        lines.append(f"| {listed} | {true} | {'是' if hit else '否'} | {n} |")
    lines += ["", "各层标注（类别正确 / 错误）与总体事项数：", "",
              "| 层 | 正确 | 错误 | 总体事项 |", "|---|---|---|---|"]
    for h, (ok, bad, n) in sorted(out["strata"].items()):
        lines.append(f"| {h} | {ok} | {bad} | {n:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--write", action="store_true", help="replace the R13 section of benchmarks/results.md")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    text = report(evaluate(klmy, args.set))
    emit(text, SECTION, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
