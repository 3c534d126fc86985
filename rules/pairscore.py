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

In a rule run, ``probabilities(ctx, i, j)`` scores pairs of item positions with the run's signals
(computed once per run, shared by the rules that score pairs).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quanze.rules.pairfeatures import FEATURES, LABELS, item_signals, pair_features

MODEL_PATH = Path(__file__).with_name("data") / "pair_model.json"


def _sigmoid_calibrated(decision: np.ndarray, a: float, b: float) -> np.ndarray:
    """sklearn's sigmoid calibration: 1 / (1 + exp(a·f + b))."""
    return 1.0 / (1.0 + np.exp(a * decision + b))


def _packed(member: dict) -> tuple[np.ndarray, ...]:
    """A boosted member's trees as (trees × nodes) arrays, padded with leaves, so all trees are walked at once."""
    if "_packed" not in member:
        trees = member["trees"]
        width = max(len(t["feature"]) for t in trees)

        def stack(key: str, fill, dtype):
            out = np.full((len(trees), width), fill, dtype=dtype)
            for k, t in enumerate(trees):
                out[k, :len(t[key])] = t[key]
            return out

        member["_packed"] = (stack("feature", 0, np.int64), stack("threshold", 0.0, np.float64),
                             stack("left", -1, np.int64), stack("right", -1, np.int64), stack("value", 0.0, np.float64))
    return member["_packed"]


def _boosted(member: dict, X: np.ndarray, rows: int = 8192) -> np.ndarray:
    """init + learning_rate · Σ trees(X), the trees added in their order (as sklearn adds them)."""
    feature, threshold, left, right, value = _packed(member)
    trees = np.arange(len(feature))[:, None]
    raw = np.full(len(X), member["init"], dtype=np.float64)
    for start in range(0, len(X), rows):
        part = X[start:start + rows]
        node = np.zeros((len(feature), len(part)), dtype=np.int64)
        cols = np.arange(len(part))[None, :]
        while True:
            inner = left[trees, node] >= 0
            if not inner.any():
                break
            go_left = part[cols, feature[trees, node]] <= threshold[trees, node]
            node = np.where(inner, np.where(go_left, left[trees, node], right[trees, node]), node)
        leaves = value[trees, node]
        acc = raw[start:start + rows]
        for t in range(len(feature)):
            acc += member["learning_rate"] * leaves[t]
    return raw


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
        return _boosted(member, X)

    def probability(self, X: np.ndarray) -> np.ndarray:
        """The calibrated probability of each row of ``X`` (pairs × ``FEATURES``), the ensemble's mean."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return np.mean([_sigmoid_calibrated(self.decision(m, X), m["calibration"]["a"], m["calibration"]["b"])
                        for m in self.members], axis=0)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """What each feature adds to the log-odds of each row of ``X`` (pairs × ``FEATURES``).

        For a logistic model a feature's contribution is its coefficient times its value (the absent
        feature, 0, contributes nothing); for a boosted one, how much the log-odds fall when the
        feature is set to 0.  Computed for all rows at once, one feature at a time."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if self.kind == "logistic":
            return X * np.mean([m["coef"] for m in self.members], axis=0)

        def log_odds(Z: np.ndarray) -> np.ndarray:
            return np.mean([self.decision(m, Z) for m in self.members], axis=0)

        base = log_odds(X)
        out = np.zeros_like(X)
        for k in np.flatnonzero(X.any(axis=0)):
            rows = np.flatnonzero(X[:, k])
            off = X[rows].copy()
            off[:, k] = 0.0
            out[rows, k] = base[rows] - log_odds(off)
        return out

    def evidence(self, x: np.ndarray, least: float = 0.05, contributions: np.ndarray | None = None
                 ) -> list[tuple[str, float]]:
        """What carried the score of one pair: (Chinese label, contribution to the log-odds), strongest
        first, positive (for one matter) and negative (against) alike, those of magnitude ≥ ``least``."""
        contrib = self.contributions(x)[0] if contributions is None else contributions
        order = np.argsort(-np.abs(contrib), kind="stable")
        return [(LABELS[self.features[k]], round(float(contrib[k]), 3)) for k in order if abs(contrib[k]) >= least]

    def reasons(self, x: np.ndarray, contributions: np.ndarray | None = None) -> dict[str, list[str]]:
        """What spoke for one matter and what against it, by the features' Chinese labels."""
        ev = self.evidence(x, contributions=contributions)
        return {"for": [label for label, c in ev if c > 0], "against": [label for label, c in ev if c < 0]}

    def reason(self, x: np.ndarray) -> str:
        """The evidence as one Chinese sentence an analyst can read."""
        r = self.reasons(x)
        parts = [f"支持：{'、'.join(r['for'])}" if r["for"] else "", f"反对：{'、'.join(r['against'])}" if r["against"] else ""]
        return "；".join(p for p in parts if p) or "无明显依据"


@functools.cache
def default_model() -> PairModel:
    return PairModel.load()


def probabilities(ctx, i, j) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, features) of the pairs of item positions ``i[k]``, ``j[k]`` of a run
    (``ctx``: its RunContext; the law library's article texts when the run has the library)."""
    # the signals of the pairs' items only, weighed as the whole run's: a task's candidate pairs touch a few
    # hundred of its items, and the signals of all of them were most of the task's memory
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    at = np.unique(np.concatenate([i, j]))
    signals = item_signals(ctx.tables, ctx.inputs.get("laws"), ctx, whole=ctx.run_statistic("pair-signals"),
                           positions=at)
    features = pair_features(signals, np.searchsorted(at, i), np.searchsorted(at, j))
    return default_model().probability(features), features
