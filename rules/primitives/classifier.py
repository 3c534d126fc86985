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
from collections import Counter
from dataclasses import dataclass, field

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
    schema = {
        "signals": Param("text", "category_signals", "名称关键词表（rules/data 下的文件名）"),
        "min_probability": Param("number", 0.9, "模型认定另一类别的最低概率", min=0, max=1),
        "max_given_probability": Param("number", 0.05, "模型给现列类别的最高概率", min=0, max=1),
        "folds": Param("integer", 5, "交叉验证折数", min=2, max=20),
        "min_class_size": Param("integer", 8, "类别至少有多少事项才参与训练", min=2),
        "seed": Param("integer", 0, "随机种子（结果可复现）", min=0),
    }

    shares = True  # the distinct examples of every partition, added up: the model is fitted once on their sum

    def evaluate(self, ctx, scope, params):
        model = ctx.cached(("category_model", params["folds"], params["min_class_size"], params["seed"]),
                           lambda: self.complete(self.share(ctx, scope, params), params, ctx.inputs))
        return self.evaluate_given(ctx, scope, params, model)

    def share(self, ctx, scope, params):
        return examples(ctx.items)

    def complete(self, whole, params, inputs):
        return cross_validated(whole, params)

    def evaluate_given(self, ctx, scope, params, model):
        table = data_table(params["signals"])
        signals = [(re.compile(s["pattern"]), s) for s in table["signals"]]
        requires = table.get("model_requires", {})
        ctx.stats["category_classifier"] = model["report"]
        classes = model["classes"]
        for row, p in zip(scope.itertuples(index=False), probabilities(scope, model)):
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


def probabilities(items, model: dict) -> list:
    """Each item's out-of-fold class probabilities (in ``model["classes"]`` order) from ``cross_validated``,
    or None for an item of a category the model did not learn."""
    proba = model["proba"]
    return [proba.get(pair) for pair in zip(features(items), items["category"])]


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


@dataclass
class Examples:
    """What the classifier learns from, of some items: each distinct (name and basis, category) pair with its
    smallest item id (what its fold is drawn from) and its number of items, and the items per category."""

    categories: Counter = field(default_factory=Counter)
    pairs: dict = field(default_factory=dict)  # (text, category) → (smallest item id, items)

    def __add__(self, other: Examples) -> Examples:
        pairs = dict(self.pairs)
        for pair, (lowest, n) in other.pairs.items():
            mine = pairs.get(pair)
            pairs[pair] = (lowest, n) if mine is None else (min(mine[0], lowest), mine[1] + n)
        return Examples(self.categories + other.categories, pairs)


def examples(items) -> Examples:
    """The classifier's examples of ``items`` (a part of a run's; the parts' add up to the whole run's)."""
    out = Examples(Counter(dict(items["category"].value_counts())))
    labelled = items["category"].fillna("") != ""
    for pair, item_id in zip(zip(features(items[labelled]), items["category"][labelled]), items["id"][labelled]):
        mine = out.pairs.get(pair)
        out.pairs[pair] = (item_id, 1) if mine is None else (min(mine[0], item_id), mine[1] + 1)
    return out


def cross_validated(whole: Examples, params: dict) -> dict:
    """Out-of-fold class probabilities of each (name and basis, category) example of the well-populated
    categories, and the accuracy over their items.

    The model learns from distinct (name and basis, category) pairs: a name that a hundred
    counties repeat is one example, so its copies in other folds cannot vouch for it, and a
    province trains in seconds.
    """
    classes = sorted(c for c, n in whole.categories.items() if c and n >= params["min_class_size"])
    chosen = {pair: v for pair, v in whole.pairs.items() if pair[1] in classes}
    report = {"items": int(sum(n for _, n in chosen.values())), "classes": classes, "folds": 0, "accuracy": None}
    distinct = sorted(chosen, key=lambda pair: _digest(chosen[pair][0], params["seed"]))
    labels = np.asarray([c for _, c in distinct])
    folds = int(min([params["folds"], *(np.sum(labels == c) for c in classes)]))
    if len(classes) < 2 or folds < 2:
        return {"proba": {}, "classes": classes, "report": report}
    # term weights are fitted on all names (no labels involved); the model only ever sees other folds
    X = vectorise([t for t, _ in distinct])
    model = SGDClassifier(loss="log_loss", alpha=1e-5, class_weight="balanced", random_state=params["seed"])
    proba = cross_val_predict(model, X, labels, cv=PredefinedSplit(_folds(labels, folds)), method="predict_proba")
    right = np.asarray(classes)[proba.argmax(axis=1)] == labels
    items = np.asarray([chosen[pair][1] for pair in distinct])
    report.update(folds=folds, accuracy=round(float((right * items).sum() / items.sum()), 4))
    return {"proba": dict(zip(distinct, proba)), "classes": classes, "report": report}
