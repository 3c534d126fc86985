"""The pair scorer of issue 17 (rules/pairfeatures.py, rules/pairscore.py, benchmarks/train_pair_model.py).

- The features are those of a pair, not of an ordered pair, and every one has its Chinese label.
- The artefact in the repository is what the one command rebuilds from the labelled set (real lists,
  skipped without ../shared), and its figures file is the one written with it.
- The artefact, read back without sklearn, gives the probabilities it claims and a reason in Chinese.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from quanze.pipeline import prepare
from quanze.rules import pairfeatures
from quanze.rules.pairscore import MODEL_PATH, PairModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mingchuan"


def test_every_feature_has_a_chinese_label():
    assert set(pairfeatures.LABELS) == set(pairfeatures.FEATURES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in pairfeatures.LABELS[f]) for f in pairfeatures.FEATURES)


def test_features_do_not_depend_on_the_order_of_the_pair():
    tables = prepare([EXAMPLE]).tables
    signals = pairfeatures.item_signals(tables)
    rng = np.random.default_rng(17)
    i = rng.integers(0, len(tables.items), 400)
    j = rng.integers(0, len(tables.items), 400)
    X, Y = pairfeatures.pair_features(signals, i, j), pairfeatures.pair_features(signals, j, i)
    assert X.shape == (400, len(pairfeatures.FEATURES))
    assert np.allclose(X, Y)
    # one power-type pair per row
    pt = [k for k, f in enumerate(pairfeatures.FEATURES) if f.startswith("pt_")]
    assert (X[:, pt].sum(axis=1) == 1).all()
    # an item with itself: the same name, object and articles
    same = pairfeatures.pair_features(signals, i, i)
    names = tables.items["name"].to_numpy()[i]
    refs = np.array([pairfeatures.reference_of(n) != "" for n in names])
    col = pairfeatures.FEATURES.index
    assert np.allclose(same[~refs, col("name_sim")], 1.0)
    assert (same[:, col("adjacent_article")] == 0).all()


def test_the_artefact_loads_and_scores_in_range():
    model = PairModel.load()
    assert model.kind in ("logistic", "boosting") and 0 < model.threshold < 1
    X = np.zeros((2, len(pairfeatures.FEATURES)))
    X[1, pairfeatures.FEATURES.index("shared_article")] = 1
    X[1, pairfeatures.FEATURES.index("name_sim")] = 1
    X[1, pairfeatures.FEATURES.index("name_char_sim")] = 1
    p = model.probability(X)
    assert ((p > 0) & (p < 1)).all()
    assert p[1] > p[0]  # the same name and a shared article say more than nothing at all
    assert "共用条款" in model.reason(X[1])


def test_the_artefact_rebuilds_identically_from_the_labelled_set(klmy_dir, laws_dir):
    from train_pair_model import FIGURES_PATH, dump, train

    artefact, figures = train(klmy_dir.parent.parent)
    assert MODEL_PATH.read_text(encoding="utf-8") == dump(artefact)
    assert FIGURES_PATH.read_text(encoding="utf-8") == figures


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_either_kind_read_back_gives_sklearns_probabilities(kind):
    """Whichever kind training keeps, the artefact evaluated without sklearn (boosted trees walked
    all at once) gives the calibrated model's own probabilities."""
    from train_pair_model import base_model, export
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(5)
    X = rng.random((300, len(pairfeatures.FEATURES))) * (rng.random((300, len(pairfeatures.FEATURES))) > 0.5)
    y = (X[:, 0] + X[:, 3] + rng.normal(0, 0.3, 300) > 0.8).astype(int)
    fitted = CalibratedClassifierCV(base_model(kind), method="sigmoid", cv=KFold(3)).fit(X, y)
    model = PairModel(kind, pairfeatures.FEATURES, export(kind, fitted), 0.5, {})
    assert np.allclose(model.probability(X), fitted.predict_proba(X)[:, 1], atol=1e-6)
    # all rows at once, as by definition: the fall of the log-odds when the feature is set to 0
    batched = model.contributions(X[:20])
    for k in range(20):
        base = np.mean([model.decision(m, X[k:k + 1])[0] for m in model.members])
        for j in np.flatnonzero(X[k]):
            off = X[k:k + 1].copy()
            off[0, j] = 0.0
            alone = base - np.mean([model.decision(m, off)[0] for m in model.members])
            assert batched[k, j] == pytest.approx(alone, abs=1e-9)
