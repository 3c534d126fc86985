"""14-09: "findings depend on the order of the files: R13's findings and the classifier's accuracy change when the
same lists are given in another order; R01a/R01b/R03 keep fingerprints but change message, evidence and source order"."""

import json
import random

import pytest

from conftest import EXAMPLE

from quanze.pipeline import example_inputs, prepare
from quanze.graph import build_graph
from quanze.loaders import load_files
from quanze.rules.engine import run


def outcome(items, inputs) -> tuple[str, dict]:
    """Every finding as JSON, in fingerprint order, and the run's statistics."""
    result = run(build_graph(items), inputs=inputs)
    assert all(r.status != "error" for r in result.runs), [(r.rule.id, r.reason) for r in result.runs]
    found = sorted((f.to_dict() for f in result.findings), key=lambda f: f["fingerprint"])
    return json.dumps(found, ensure_ascii=False, indent=1, default=str), result.stats


def orders(items):
    shuffled = list(items)
    random.Random(14_09).shuffle(shuffled)
    return {"reversed": list(reversed(items)), "shuffled": shuffled}


def assert_same_in_any_order(items, inputs):
    expected, stats = outcome(items, inputs)
    assert expected.count('"fingerprint"') > 20
    for name, permuted in orders(items).items():
        got, got_stats = outcome(permuted, inputs)
        if got != expected:
            a, b = json.loads(expected), json.loads(got)
            first = next((x, y) for x, y in zip(a, b) if x != y) if len(a) == len(b) else (len(a), len(b))
            pytest.fail(f"items {name}: findings differ, first difference {first}")
        assert got_stats == stats, f"items {name}: run statistics differ"


def test_the_bundled_example_in_any_order():
    ready = prepare([EXAMPLE], **example_inputs())
    assert_same_in_any_order(ready.load.items, ready.inputs)


@pytest.mark.slow
def test_the_real_lists_in_any_order(klmy_dir):
    assert_same_in_any_order(load_files([klmy_dir]).items, {})


def test_the_classifier_folds_do_not_depend_on_position(example):
    from quanze.rules.primitives import REGISTRY
    from quanze.rules.primitives.classifier import cross_validated, examples
    from quanze.tables import build_tables

    table = build_tables(example.items).items
    params = REGISTRY["category_check"].defaults
    shuffled = table.sample(frac=1, random_state=14).reset_index(drop=True)
    a, b = cross_validated(examples(table), params), cross_validated(examples(shuffled), params)
    assert a["report"]["folds"] >= 2 and a["report"] == b["report"]
    by_example = [{pair: p.round(12).tolist() for pair, p in m["proba"].items()} for m in (a, b)]
    assert by_example[0] == by_example[1] and len(by_example[0]) > 50
