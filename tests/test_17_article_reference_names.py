"""Regression (issue 17): names that are only an article reference to two different documents were
claimed as one matter by their wording (《新疆维吾尔自治区建设工程造价管理办法》第十四条禁止行为的处罚
vs 电梯安全监督管理办法第十四条…, shown red with similarity 0.80).  The pair score compares such names
by document and article, never by the words 第十四条: this pair must score low, far below the
threshold, while a reference name and an item citing the very article it names must not."""


import numpy as np
import pandas as pd
import pytest

from quanze.loaders import LawLibrary
from quanze.pipeline import prepare
from quanze.rules import pairfeatures
from quanze.rules.pairscore import PairModel


@pytest.fixture(scope="module")
def scored(klmy_dir, laws_dir):
    library = LawLibrary(laws_dir)
    tables = prepare([klmy_dir], laws=library).tables
    return tables, pairfeatures.item_signals(tables, library), PairModel.load()


def _one(items, *parts):
    hit = items[np.logical_and.reduce([items["name"].str.contains(p, regex=False) for p in parts])]
    assert len(hit) == 1, parts
    return hit.index[0]


def test_two_documents_article_fourteen_score_low(scored):
    tables, signals, model = scored
    items = tables.items
    a = _one(items, "建设工程造价管理办法》第十四条")
    b = _one(items, "电梯安全监督管理办法》第十四条")
    assert items.at[a, "department_id"] != items.at[b, "department_id"]
    x = pairfeatures.pair_features(signals, [a], [b])[0]
    col = pairfeatures.FEATURES.index
    assert x[col("ref_name")] == 1 and x[col("ref_match")] == 0
    assert x[col("name_sim")] == 0 and x[col("name_char_sim")] == 0  # the words 第十四条 … are not compared
    p = float(model.probability(x)[0])
    assert p < 0.1 and p < model.threshold / 2, p
    assert "共用条款" not in model.reason(x)


def test_a_reference_name_and_an_item_citing_that_article_do_match(scored):
    tables, signals, model = scored
    items = tables.items
    refs = [k for k, n in enumerate(items["name"]) if pairfeatures.reference_of(n)]
    by_article = {}
    c = tables.citations
    for item_id, doc, art in zip(c["item_id"], c["document"], c["article"]):
        if not pd.isna(art):
            by_article.setdefault(f"{doc}#{int(art)}", set()).add(signals.position[item_id])
    pairs = [(r, o) for r in refs for o in sorted(by_article.get(pairfeatures.reference_of(items.at[r, "name"]), ()))
             if items.at[o, "department_id"] != items.at[r, "department_id"]]
    assert pairs, "no reference name whose article another department's item cites"
    X = pairfeatures.pair_features(signals, [r for r, _ in pairs], [o for _, o in pairs])
    assert (X[:, pairfeatures.FEATURES.index("ref_match")] == 1).all()
    fp = pairfeatures.pair_features(signals, [_one(items, "建设工程造价管理办法》第十四条")],
                                    [_one(items, "电梯安全监督管理办法》第十四条")])
    assert np.median(model.probability(X)) > 3 * model.probability(fp)[0]
