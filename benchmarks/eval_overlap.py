"""Precision and recall of 多头执法 (R01b) and 职能交叉 (R03) on the labelled pairs,
and the cross-validated accuracy of the R13 category classifier, on the real lists.

    python benchmarks/eval_overlap.py [--shared ../shared] [--set R03.threshold=0.7 …]

Prints a Markdown table; the figures are copied into benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quanze.graph import build_graph
from quanze.loaders import load_files
from quanze.rules.engine import run
from quanze.rules.evaluation import predicted_pairs, read_pairs, score

from common import add_shared, real_lists  # a sibling module of these scripts

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "tests" / "eval" / "overlap_pairs.csv"
# what each figure counts: R03 (职能交叉) covers R01 and R02 (docs/rules.md)
MEASURED = {"R01 多头执法 (R01b)": {"R01b"}, "R03 职能交叉 (R01b ∪ R02 ∪ R03)": {"R01b", "R02", "R03"}}


def evaluate(klmy: Path, settings: list[str] | None = None) -> dict:
    items = load_files([klmy]).items
    result = run(build_graph(items), selection=["R01b", "R02", "R03", "R13"], settings=settings)
    pairs = read_pairs(PAIRS)
    known = {it.id for it in items}
    missing = [p for p in pairs if p["a_id"] not in known or p["b_id"] not in known]
    scores = {name: score(pairs, predicted_pairs(result.findings, rules)) for name, rules in MEASURED.items()}
    return {"pairs": len(pairs), "positives": sum(p["same_matter"] for p in pairs), "missing": len(missing),
            "scores": scores, "classifier": result.stats.get("category_classifier", {}),
            "params": {r.rule.id: r.rule.params for r in result.runs}}


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    out = evaluate(klmy, args.set)
    print(f"{out['pairs']} labelled pairs ({out['positives']} same matter); ids not found: {out['missing']}\n")
    print("| rule | precision | recall | TP | FP | FN |\n|---|---|---|---|---|---|")
    for name, s in out["scores"].items():
        print(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} | {s.fn} |")
    c = out["classifier"]
    print(f"\nR13 classifier: {c.get('items')} items, {len(c.get('classes', []))} categories, "
          f"{c.get('folds')}-fold cross-validated accuracy {c.get('accuracy')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
