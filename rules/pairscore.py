"""The learned pair score: the probability that two items of two departments are one matter.

The model is a small JSON artefact (``data/pair_model.json``, rebuilt from the labelled pairs by
``benchmarks/train_pair_model.py``; its cross-validated figures are in ``data/pair_model.md``):
the names of the features of ``rules/pairfeatures.py``, the members of a calibrated ensemble (one per
training fold: a logistic regression's coefficients and intercept, or a boosted model's trees, and
the sigmoid calibration of its decision value) and the probability threshold chosen on the tuning
part.  Nothing is unpickled: the artefact is read as numbers and evaluated here.

    model = PairModel.load()
    p = model.probability(features)          # pairs × FEATURES → probabilities
    model.evidence(features[k])              # [(label, contribution)], what carried the score
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quanze.rules.pairfeatures import FEATURES, LABELS

MODEL_PATH = Path(__file__).with_name("data") / "pair_model.json"


def _sigmoid_calibrated(decision: np.ndarray, a: float, b: float) -> np.ndarray:
    """sklearn's sigmoid calibration: 1 / (1 + exp(a·f + b))."""
    return 1.0 / (1.0 + np.exp(a * decision + b))


def _tree_values(tree: dict, X: np.ndarray) -> np.ndarray:
    feature, threshold = np.asarray(tree["feature"]), np.asarray(tree["threshold"])
    left, right, value = np.asarray(tree["left"]), np.asarray(tree["right"]), np.asarray(tree["value"])
    node = np.zeros(len(X), dtype=np.int64)
    while True:
        inner = left[node] >= 0
        if not inner.any():
            return value[node]
        k = np.flatnonzero(inner)
        go_left = X[k, feature[node[k]]] <= threshold[node[k]]
        node[k] = np.where(go_left, left[node[k]], right[node[k]])


@dataclass
class PairModel:
    kind: str  # "logistic" or "boosting"
    features: list[str]
    members: list[dict]
    threshold: float
    meta: dict

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> PairModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data["features"] != FEATURES:
            raise ValueError(f"配对模型 {path} 的特征与 rules/pairfeatures.py 不一致，请重新训练")
        return cls(data["kind"], data["features"], data["members"], float(data["threshold"]), data)

    def decision(self, member: dict, X: np.ndarray) -> np.ndarray:
        if self.kind == "logistic":
            return X @ np.asarray(member["coef"]) + member["intercept"]
        raw = np.full(len(X), member["init"])
        for tree in member["trees"]:
            raw += member["learning_rate"] * _tree_values(tree, X)
        return raw

    def probability(self, X: np.ndarray) -> np.ndarray:
        """The calibrated probability of each row of ``X`` (pairs × ``FEATURES``), the ensemble's mean."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return np.mean([_sigmoid_calibrated(self.decision(m, X), m["calibration"]["a"], m["calibration"]["b"])
                        for m in self.members], axis=0)

    def evidence(self, x: np.ndarray, least: float = 0.05) -> list[tuple[str, float]]:
        """What carried the score of one pair: (Chinese label, contribution to the log-odds), strongest
        first, positive (for one matter) and negative (against) alike, those of magnitude ≥ ``least``.

        For a logistic model the contribution of a feature is its coefficient times its value (the
        absent feature, 0, contributes nothing); for a boosted one, how much the log-odds fall when
        the feature is set to 0."""
        x = np.asarray(x, dtype=np.float64)
        if self.kind == "logistic":
            coef = np.mean([m["coef"] for m in self.members], axis=0)
            contrib = coef * x
        else:
            base = np.mean([self.decision(m, x[None, :])[0] for m in self.members])
            contrib = np.zeros(len(x))
            for k in np.flatnonzero(x):
                off = x.copy()
                off[k] = 0.0
                contrib[k] = base - np.mean([self.decision(m, off[None, :])[0] for m in self.members])
        order = np.argsort(-np.abs(contrib), kind="stable")
        return [(LABELS[self.features[k]], round(float(contrib[k]), 3)) for k in order if abs(contrib[k]) >= least]

    def reason(self, x: np.ndarray) -> str:
        """The evidence as one Chinese sentence an analyst can read."""
        ev = self.evidence(x)
        pro = "、".join(label for label, c in ev if c > 0)
        con = "、".join(label for label, c in ev if c < 0)
        parts = [f"支持：{pro}" if pro else "", f"反对：{con}" if con else ""]
        return "；".join(p for p in parts if p) or "无明显依据"
