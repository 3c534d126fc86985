"""category_check: items whose category disagrees with their name and basis (R13).

Two signals: keywords in the name (``rules/data/category_signals.yaml``) and a
scikit-learn classifier (logistic loss, SGD) trained on the loaded lists
themselves, from the name and the cited documents.  The classifier's opinion of an item comes from the folds
that did not see it (cross-validation), so an item cannot vouch for itself; its
cross-validated accuracy is reported in the run's statistics.  Folds are assigned by
a hash of the item ids, never by position, so the order of the lists changes nothing.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import PredefinedSplit, cross_val_predict

from quanze.rules.catalogue import data_table
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register
from quanze.rules.textsim import vectorise


@register
class CategoryCheck(Primitive):
    name = "category_check"
    cost = 16
    whole_run = True
    schema = {
        "signals": Param("text", "category_signals", "名称关键词表（rules/data 下的文件名）"),
        "min_probability": Param("number", 0.9, "模型认定另一类别的最低概率", min=0, max=1),
        "max_given_probability": Param("number", 0.05, "模型给现列类别的最高概率", min=0, max=1),
        "folds": Param("integer", 5, "交叉验证折数", min=2, max=20),
        "min_class_size": Param("integer", 8, "类别至少有多少事项才参与训练", min=2),
        "seed": Param("integer", 0, "随机种子（结果可复现）", min=0),
    }

    def evaluate(self, ctx, scope, params):
        table = data_table(params["signals"])
        signals = [(re.compile(s["pattern"]), s) for s in table["signals"]]
        requires = table.get("model_requires", {})
        model = ctx.cached(("category_model", params["folds"], params["min_class_size"], params["seed"]),
                           lambda: cross_validated(ctx.items, params))
        ctx.stats["category_classifier"] = model["report"]
        proba, classes = model["proba"], model["classes"]
        for row in scope.itertuples(index=False):
            pos = ctx.position[row.id]
            p = proba.get(pos)
            signal = next((s for rx, s in signals if rx.search(row.name)), None)
            suggested, why = None, ""
            if signal and row.category not in signal["fits"]:
                suggested = signal["suggests"]
                why = signal.get("why") or f"名称{_matched(signal, row.name)}，与“{suggested}”相符"
            elif p is not None:
                top = int(np.argmax(p))
                given = p[classes.index(row.category)] if row.category in classes else 0.0
                if classes[top] != row.category and p[top] >= params["min_probability"] and \
                        given <= params["max_given_probability"] and not signal and \
                        re.search(requires.get(classes[top], ""), row.name):
                    suggested, why = classes[top], f"分类模型依名称和依据判断为“{classes[top]}”"
            if suggested is None:
                continue
            ev = {"suggested": suggested, "why": why}
            if p is not None and suggested in classes:
                ev["model_probability"] = round(float(p[classes.index(suggested)]), 3)
                ev["model_says"] = classes[int(np.argmax(p))]
            yield Hit([row.id], ev, fields={"suggested": suggested, "why": why})


def _matched(signal: dict, name: str) -> str:
    m = re.search(signal["pattern"], name)
    return f"含“{m.group(m.lastindex or 0)}”" if m else ""


def features(items) -> list[str]:
    return [f"{n} {d}" for n, d in zip(items["name"], items["documents"])]


def _digest(item_id: str, seed: int) -> str:
    return hashlib.sha1(f"{seed}|{item_id}".encode("utf-8")).hexdigest()


def _folds(labels: np.ndarray, folds: int) -> np.ndarray:
    """Each example's fold: dealt round-robin within its class, in the (hashed) order of the examples,
    so every fold holds every class, as stratified folds would."""
    out = np.empty(len(labels), dtype=int)
    for c in np.unique(labels):
        at = np.flatnonzero(labels == c)
        out[at] = np.arange(len(at)) % folds
    return out


def cross_validated(items, params: dict) -> dict:
    """Out-of-fold class probabilities for the items of well-populated categories, and the accuracy.

    The model learns from distinct (name and basis, category) pairs: a name that a hundred
    counties repeat is one example, so its copies in other folds cannot vouch for it, and a
    province trains in seconds.
    """
    counts = items["category"].value_counts()
    classes = sorted(c for c, n in counts.items() if c and n >= params["min_class_size"])
    train = items[items["category"].isin(classes)]
    report = {"items": int(len(train)), "classes": classes, "folds": 0, "accuracy": None}
    pairs = list(zip(features(train), train["category"]))
    lowest: dict[tuple[str, str], str] = {}  # each example's smallest item id: what its place is drawn from
    for pair, item_id in zip(pairs, train["id"]):
        if pair not in lowest or item_id < lowest[pair]:
            lowest[pair] = item_id
    distinct = sorted(lowest, key=lambda pair: _digest(lowest[pair], params["seed"]))
    index = {pair: n for n, pair in enumerate(distinct)}
    example_of = [index[pair] for pair in pairs]
    labels = np.asarray([c for _, c in distinct])
    folds = int(min([params["folds"], *(np.sum(labels == c) for c in classes)]))
    if len(classes) < 2 or folds < 2:
        return {"proba": {}, "classes": classes, "report": report}
    # term weights are fitted on all names (no labels involved); the model only ever sees other folds
    X = vectorise([t for t, _ in distinct])
    model = SGDClassifier(loss="log_loss", alpha=1e-5, class_weight="balanced", random_state=params["seed"])
    proba = cross_val_predict(model, X, labels, cv=PredefinedSplit(_folds(labels, folds)),
                              method="predict_proba")[example_of]
    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    report.update(folds=folds, accuracy=round(float((predicted == train["category"].to_numpy()).mean()), 4))
    positions = [items.index.get_loc(i) for i in train.index]
    return {"proba": dict(zip(positions, proba)), "classes": classes, "report": report}
