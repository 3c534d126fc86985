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
