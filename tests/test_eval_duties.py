"""The labelled item ↔ duty links (tests/eval/duty_links.csv) and R05a/R05b's figures on them
(benchmarks/eval_duties.py), on the bundled example and its 三定 texts: no real data needed.

The set must be what tests/eval/README_duties.md says: every item of the labelled departments
labelled, every duty number one of the department's non-closing duties, every such duty labelled.
The figures in benchmarks/results.md must be the ones the script computes now, and must not fall
below regression floors.
"""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from eval_duties import SECTION, TEXTS, evaluate, labels, predictions  # noqa: E402
from common import RESULTS  # noqa: E402

from quanze.loaders.duties import load_duties  # noqa: E402

PRECISION_FLOOR = {"R05a": 0.9, "R05b": 0.5}
RECALL_FLOOR = {"R05a": 0.85, "R05b": 0.66}  # R05b: 3 labelled positives, at most one missed


@pytest.fixture(scope="module")
def out():
    return evaluate()


def test_the_set_labels_every_item_and_duty_of_its_departments():
    served, covered = labels()
    duties, rejected = load_duties(sorted(TEXTS.glob("*.txt")))
    assert rejected == [] and len(set(duties["department"])) >= 3
    real = {(r.department, int(r.number)) for r in duties.itertuples() if r.kind == "duty"}
    assert set(served) == real  # each non-closing duty, and no other number
    assert duties.groupby("department").size().between(10, 20).all()
    _, _, (ready, _) = predictions()
    items = ready.tables.items
    labelled_departments = {d for d, _ in served}
    mine = items[items["department"].isin(labelled_departments)]
    assert {(r.department, r.name, r.sub_name or "") for r in mine.itertuples()} == set(covered)


def test_the_figures_hold_their_floors(out):
    for rule in ("R05a", "R05b"):
        s = out[rule]
        assert s["positives"] > 0 and s["unlabelled"] == [], (rule, s)
        assert s["precision"] >= PRECISION_FLOOR[rule] and s["recall"] >= RECALL_FLOOR[rule], (rule, s)
        lo, hi = s["precision_ci"]
        assert lo <= s["precision"] <= hi


def test_results_md_holds_what_the_script_computes(out):
    text = RESULTS.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    for rule in ("R05a", "R05b"):
        s = out[rule]
        row = re.search(rf"^\| {rule} \|.*$", section, re.M).group(0)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:6] == [str(s["labelled"]), str(s["positives"]), str(s["claimed"]), f"{s['precision']:.3f}"]
        assert cells[7] == f"{s['recall']:.3f}" and cells[9:12] == [str(s["tp"]), str(s["fp"]), str(s["fn"])]
