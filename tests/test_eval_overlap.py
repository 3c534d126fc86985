"""Precision and recall of 多头执法 and 职能交叉 on the labelled pairs (tests/eval), at the
default parameters: the targets of the requirements (skipped without ../shared)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from eval_overlap import evaluate  # noqa: E402


def test_overlap_rules_meet_their_targets(klmy_dir):
    out = evaluate(klmy_dir)
    assert out["missing"] == 0, "labelled item ids no longer exist: the loader changed item identity"
    assert out["pairs"] >= 150 and out["positives"] >= 40
    for name, s in out["scores"].items():
        assert s.precision >= 0.85 and s.recall >= 0.8, (name, s.to_dict())
