"""Train the pair scorer (rules/pairscore.py) on the labelled overlap pairs and write it with its figures.

    python benchmarks/train_pair_model.py [--shared ../shared] [--check]

Reads tests/eval/overlap_pairs.csv, computes the features of rules/pairfeatures.py for every
labelled pair from the real lists (and the law library), and uses the **tuning part only** for
every decision: which model, the calibration, the probability threshold.  The holdout (a fifth,
grouped by item, tests/eval/README.md) is scored once at the end with the model trained on the whole
tuning part, and reported separately.

Grouping.  The pairs of the tuning part share items (one item is in several pairs), and most of
them hang together in one large connected component, so folds of whole components would be very
unequal.  Instead the *items* are split into ``FOLDS`` folds by a seeded hash of their id; fold k
tests every pair that touches an item of fold k and trains on the pairs that touch none, so no item
of a test pair is in any training pair.  A pair whose two items are in two folds is tested twice
(by two models) and its out-of-fold probability is the mean of the two.  The same item folds, taken
inside a training set, are the splits of ``CalibratedClassifierCV`` (sigmoid), so the calibration
too is fitted on decision values of items the model did not see.

Models: logistic regression and gradient boosting, each calibrated; gradient boosting is kept only
when its weighted F1 in grouped cross-validation (at its own threshold) exceeds the logistic one's by
more than ``BOOSTING_MARGIN`` (its trees make an artefact some hundred times larger, its evidence is
less direct, and scoring a province's candidate pairs with them takes about a minute), else the
logistic regression.
Threshold: on the out-of-fold probabilities of the tuning part, the lowest probability at which the
weighted precision is ≥ ``TARGET_PRECISION`` with the highest weighted recall; if no threshold reaches
it, the one with the highest weighted F1.

Weights: precision and recall are weighted by the sampling weights as benchmarks/eval_overlap.py does
(Horvitz–Thompson over the strata, stratified bootstrap 95 % intervals); the models are fitted
unweighted (the weights of the random strata are in the tens of thousands and would leave a handful
of pairs deciding the fit).

Writes rules/data/pair_model.json (features, coefficients / trees, calibration, threshold; no pickle)
and rules/data/pair_model.md (the figures).  With ``--check`` it writes nothing and fails when the
artefact in the repository differs from the rebuilt one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from quanze.loaders import LawLibrary
from quanze.pipeline import prepare
from quanze.rules import pairfeatures
from quanze.rules.pairscore import MODEL_PATH, PairModel

from common import add_shared, real_lists  # a sibling module of these scripts
from eval_overlap import PAIRS, bootstrap, labelled_pairs, part_weights, weighted

FIGURES_PATH = MODEL_PATH.with_suffix(".md")
FOLDS = 5
SEED = 17
TARGET_PRECISION = 0.92
# boosting must beat the logistic model's grouped-CV F1 by more than this: its artefact is some hundred
# times larger, its evidence (the effect of removing a feature) less direct than a coefficient, and it
# costs far more where it runs: scoring the 393 k candidate pairs of the province preset took about
# 50 s with 750 trees against well under a second for the coefficients (benchmarks/results.md,
# 配对模型的代价), while its F1 gain was 0.016, inside both models' intervals
BOOSTING_MARGIN = 0.03
TARGET_RECALL = 0.90
GRID = np.round(np.arange(0.02, 0.981, 0.01), 2)


def seeded(key: str) -> str:
    return hashlib.sha1(f"{SEED}|{key}".encode()).hexdigest()


def item_folds(pairs: list[dict], folds: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) positions in ``pairs``: fold k tests the pairs touching an item of fold k and
    trains on those touching none (items to folds by a seeded hash of their id)."""
    fold_of = {}
    for p in pairs:
        for item in (p["a_id"], p["b_id"]):
            fold_of.setdefault(item, int(seeded("fold|" + item), 16) % folds)
    a = np.array([fold_of[p["a_id"]] for p in pairs])
    b = np.array([fold_of[p["b_id"]] for p in pairs])
    out = []
    for k in range(folds):
        touch = (a == k) | (b == k)
        out.append((np.flatnonzero(~touch), np.flatnonzero(touch)))
    return out


def base_model(kind: str):
    if kind == "logistic":
        return LogisticRegression(C=1.0, max_iter=5000)
    return GradientBoostingClassifier(n_estimators=150, max_depth=2, learning_rate=0.05, subsample=1.0,
                                      random_state=SEED)


def fit(kind: str, X: np.ndarray, y: np.ndarray, pairs: list[dict]) -> CalibratedClassifierCV:
    """The calibrated model on these pairs, calibration splits by item folds inside them."""
    splits = [(tr, te) for tr, te in item_folds(pairs) if len(set(y[tr])) == 2 and len(set(y[te])) == 2]
    model = CalibratedClassifierCV(base_model(kind), method="sigmoid", cv=splits, ensemble=True)
    return model.fit(X, y)


def out_of_fold(kind: str, X: np.ndarray, y: np.ndarray, pairs: list[dict]) -> np.ndarray:
    """Each pair's probability from the model(s) of the fold(s) that test it (the mean when two do)."""
    total, count = np.zeros(len(y)), np.zeros(len(y))
    for train, test in item_folds(pairs):
        sub = [pairs[k] for k in train]
        model = fit(kind, X[train], y[train], sub)
        total[test] += model.predict_proba(X[test])[:, 1]
        count[test] += 1
    return total / count


def choose_threshold(prob: np.ndarray, pairs: list[dict]) -> float:
    y = np.array([p["same_matter"] for p in pairs])
    w = part_weights(pairs)
    best, best_f1 = None, (-1.0, 0.0)
    reaching = []
    for t in GRID:
        p, r = weighted(y, prob >= t, w)
        if np.isnan(p) or np.isnan(r):
            continue
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if p >= TARGET_PRECISION:
            reaching.append((r, -t, t))
        if f1 > best_f1[0]:
            best_f1, best = (f1, t), t
    if reaching:
        return float(max(reaching)[2])
    return float(best)


def f1_of(s: dict) -> float:
    p, r = s["precision"], s["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def export(kind: str, model: CalibratedClassifierCV) -> list[dict]:
    members = []
    for cc in model.calibrated_classifiers_:
        est, cal = cc.estimator, cc.calibrators[0]
        member = {"calibration": {"a": round(float(cal.a_), 12), "b": round(float(cal.b_), 12)}}
        if kind == "logistic":
            member["coef"] = [round(float(v), 12) for v in est.coef_[0]]
            member["intercept"] = round(float(est.intercept_[0]), 12)
        else:
            member["init"] = round(float(est._raw_predict_init(np.zeros((1, est.n_features_in_)))[0, 0]), 12)
            member["learning_rate"] = est.learning_rate
            member["trees"] = []
            for tree in est.estimators_[:, 0]:
                t = tree.tree_
                member["trees"].append({"feature": t.feature.tolist(), "threshold": [round(float(v), 9) for v in t.threshold],
                                        "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                                        "value": [round(float(v), 12) for v in t.value[:, 0, 0]]})
        members.append(member)
    return members


def compute_features(shared: Path, pairs: list[dict]) -> np.ndarray:
    library = LawLibrary(shared / "data" / "laws")
    prep = prepare([shared / "data" / "klmy"], laws=library)
    return pairfeatures.features_of(prep.tables, [(p["a_id"], p["b_id"]) for p in pairs], library)


def train(shared: Path) -> tuple[dict, str]:
    pairs = labelled_pairs()
    X_all = compute_features(shared, pairs)
    y_all = np.array([p["same_matter"] for p in pairs])
    tune = np.array([p["holdout"] == 0 for p in pairs])
    t_pairs = [p for p in pairs if not p["holdout"]]
    h_pairs = [p for p in pairs if p["holdout"]]
    X, y = X_all[tune], y_all[tune]
    candidates = {}
    for kind in ("logistic", "boosting"):
        prob = out_of_fold(kind, X, y, t_pairs)
        t = choose_threshold(prob, t_pairs)
        candidates[kind] = {"prob": prob, "threshold": t, "cv": bootstrap(t_pairs, prob >= t)}
    gain = f1_of(candidates["boosting"]["cv"]) - f1_of(candidates["logistic"]["cv"])
    kind = "boosting" if gain > BOOSTING_MARGIN else "logistic"
    chosen = candidates[kind]
    model = fit(kind, X, y, t_pairs)
    members = export(kind, model)
    artefact = {
        "kind": kind, "features": pairfeatures.FEATURES,
        "labels": [pairfeatures.LABELS[f] for f in pairfeatures.FEATURES],
        "threshold": chosen["threshold"], "members": members,
        "trained_on": {"pairs": int(tune.sum()), "positives": int(y.sum()),
                       "labelled_set_sha1": hashlib.sha1(PAIRS.read_bytes()).hexdigest()},
        "grouping": f"{FOLDS} item folds by seeded hash (seed {SEED}); a fold tests the pairs touching its items",
    }
    # the artefact, evaluated by rules/pairscore.py, must give sklearn's probabilities
    check = PairModel(kind, pairfeatures.FEATURES, members, chosen["threshold"], artefact)
    assert np.allclose(check.probability(X_all), model.predict_proba(X_all)[:, 1], atol=1e-6)
    h_prob = check.probability(X_all[~tune])
    holdout = bootstrap(h_pairs, h_prob >= chosen["threshold"])
    return artefact, figures(artefact, candidates, holdout, X, check)


def _ci(ci) -> str:
    return f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "—"


def figures(artefact: dict, candidates: dict, holdout: dict, X: np.ndarray, model: PairModel) -> str:
    t = artefact["threshold"]
    chosen = artefact["kind"]
    names = {"logistic": "逻辑回归", "boosting": "梯度提升"}
    lines = ["# 配对模型（同一事项概率）的交叉验证与留出结果", "",
             "由 `benchmarks/train_pair_model.py` 从 `tests/eval/overlap_pairs.csv` 重建；模型见同目录 "
             "`pair_model.json`，特征见 `rules/pairfeatures.py`。只用调优部分做一切选择（模型、校准、阈值），"
             "留出部分最后评一次。", "",
             f"- 分组交叉验证：事项按种子哈希分为 {FOLDS} 折，第 k 折检验所有含该折事项的事项对，"
             "只用不含该折事项的事项对训练（同一事项不会同时出现在训练与检验中）；两端事项分属两折的事项对被检验两次，"
             "取两次概率的平均。",
             "- 校准：CalibratedClassifierCV（sigmoid），校准所用的划分同样按事项分折。",
             f"- 阈值：在调优部分的折外概率上选取：加权精确率 ≥ {TARGET_PRECISION} 时召回率最高的阈值，"
             "否则加权 F1 最高的阈值。",
             "- 精确率、召回率按抽样权重加权（Horvitz–Thompson），95 % 区间为分层自助法（与 "
             "`benchmarks/eval_overlap.py` 相同）；模型本身不加权拟合。", "",
             f"选用：**{names[chosen]}**，概率阈值 **{t:.2f}**（梯度提升须在分组交叉验证中 F1 高出逻辑回归 {BOOSTING_MARGIN} 以上才选用：其模型文件大得多，依据也不如系数直接，为一个省的候选对打分也慢得多，见 `benchmarks/results.md`「配对模型的代价」）。", "",
             "| 模型 | 部分 | 阈值 | 对数 | 同一事项 | 精确率 | 95 % 区间 | 召回率（加权） | 95 % 区间 | TP | FP | FN | 召回率（未加权） |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def row(name, part, thr, s):
        return (f"| {name} | {part} | {thr:.2f} | {s['pairs']} | {s['positives']} | {s['precision']:.3f} | "
                f"{_ci(s['precision_ci'])} | {s['recall']:.3f} | {_ci(s['recall_ci'])} | {s['tp']} | {s['fp']} | {s['fn']} | "
                f"{s['tp'] / max(s['tp'] + s['fn'], 1):.3f} |")

    for kind, c in candidates.items():
        lines.append(row(names[kind], "调优部分（分组交叉验证）", c["threshold"], c["cv"]))
    lines.append(row(names[chosen], "留出部分", t, holdout))
    cv = candidates[chosen]["cv"]
    reached = {"交叉验证": cv["precision"] >= TARGET_PRECISION and cv["recall"] >= TARGET_RECALL,
               "留出部分": holdout["precision"] >= TARGET_PRECISION and holdout["recall"] >= TARGET_RECALL}
    lines += ["", f"目标（精确率 ≥ {TARGET_PRECISION}、召回率 ≥ {TARGET_RECALL}）："
              + "；".join(f"{k}{'达到' if v else '未达到'}" for k, v in reached.items()) + "。",
              "加权召回率由少数权重很大的随机层正例决定（一对代表上百对总体事项对）：这些正例多为措辞不同、"
              "不共用条款的同一行为（一般法与行业法规各罚一次、处罚与查封扣押各引一条），名称与条文特征都弱；"
              "未加权召回率（已标注正例中找到的比例）见最后一列。", ""]
    if chosen == "logistic":
        coef = np.mean([m["coef"] for m in artefact["members"]], axis=0)
        spread = X.std(axis=0)
        lines += ["各特征的系数（各折模型的平均；对数几率，特征取 1 或相似度 1 时的贡献）与调优部分的标准差：", "",
                  "| 特征 | 名称 | 系数 | 系数 × 标准差 |", "|---|---|---|---|"]
        for k in np.argsort(-np.abs(coef * spread), kind="stable"):
            f = artefact["features"][k]
            lines.append(f"| {pairfeatures.LABELS[f]} | `{f}` | {coef[k]:+.3f} | {coef[k] * spread[k]:+.3f} |")
    else:
        base = model.probability(X)
        lines += ["各特征的作用（将该特征置 0 后调优部分概率的平均绝对变化）：", "",
                  "| 特征 | 名称 | 平均绝对变化 |", "|---|---|---|"]
        effects = []
        for k, f in enumerate(artefact["features"]):
            off = X.copy()
            off[:, k] = 0.0
            effects.append(float(np.abs(model.probability(off) - base).mean()))
        for k in np.argsort(-np.array(effects), kind="stable"):
            f = artefact["features"][k]
            lines.append(f"| {pairfeatures.LABELS[f]} | `{f}` | {effects[k]:.3f} |")
    return "\n".join(lines) + "\n"


def dump(artefact: dict) -> str:
    return json.dumps(artefact, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--check", action="store_true", help="write nothing; fail if the artefact in the repo differs")
    args = ap.parse_args()
    if real_lists(args) is None:
        return 2
    artefact, text = train(Path(args.shared))
    if args.check:
        same = MODEL_PATH.exists() and MODEL_PATH.read_text(encoding="utf-8") == dump(artefact)
        print("配对模型与重建结果一致" if same else "配对模型与重建结果不一致")
        return 0 if same else 1
    MODEL_PATH.write_text(dump(artefact), encoding="utf-8")
    FIGURES_PATH.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
