"""Draw the labelled category items (tests/eval/category_items.csv) for measuring R13 on real lists.

    python benchmarks/eval_category_sample.py [--shared ../shared] [--seed 13] [--write]

The population is every item of the 16 real lists (``quanze.pipeline.prepare``).  R13 (类别疑似错误)
runs at its defaults; the out-of-fold prediction of its classifier (``category_check``'s
``cross_validated``, the same folds and seed R13 uses) says for each item whether the model agrees
with the listed category.

What is drawn:

1. every item R13 flags, stratum ``R13``, inclusion probability 1;
2. the items already labelled (kept, in the stratum they fall in);
3. a random sample of the other items, stratified by listed category × (model agrees / disagrees /
   no model opinion), each stratum's first ``n`` items in the order of a seeded hash of the item id
   (so drawing again with the labelled file in place gives the same set).  Disagreements are taken
   at a high rate (``DISAGREE_RATE``, all of a small stratum), agreements in proportion to their size
   with at least ``MIN_STRATUM`` each, until ``TARGET`` items are drawn in all.

A stratum's inclusion probability is (drawn items in it) / (items in it); ``weight`` is its inverse,
the number of population items each labelled item stands for.  Without ``--write`` the strata are
printed; with it the CSV is rewritten, keeping every existing label and note (by item id).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from quanze.pipeline import prepare
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.engine import run
from quanze.rules.primitives import REGISTRY
from quanze.rules.primitives.classifier import cross_validated, examples, probabilities

from common import add_shared, real_lists  # a sibling module of these scripts

REPO = Path(__file__).resolve().parent.parent
ITEMS = REPO / "tests" / "eval" / "category_items.csv"
TARGET = 320
DISAGREE_RATE = 0.6
MIN_STRATUM = 4
SEED = 13
FIELDS = ["item_id", "source", "listed_category", "stratum", "inclusion_prob", "weight",
          "model_says", "category_right", "true_category", "note"]
LABELS = ("category_right", "true_category", "note")


def r13_params(settings: list[str] | None = None) -> dict:
    """R13's parameters: the primitive's defaults, the catalogue's values, then ``settings``."""
    rule = select(load_catalogue(), ["R13"])[0]
    override([rule], settings)
    return {**REGISTRY[rule.check].defaults, **rule.params}


def population(klmy: Path, settings: list[str] | None = None) -> tuple[list[dict], dict[str, dict]]:
    """Every item with its source, listed category and the model's out-of-fold opinion; R13's flags
    (item id → the finding's evidence, with the suggested category)."""
    ready = prepare([klmy])
    items = ready.tables.items
    result = run(ready.tables, selection=["R13"], settings=settings)
    flagged = {s["id"]: f.evidence for f in result.findings if f.rule == "R13" for s in f.subjects}
    params = r13_params(settings)
    model = cross_validated(examples(items), params)
    classes = model["classes"]
    out = []
    for row, p in zip(items.itertuples(index=False), probabilities(items, model)):
        says = classes[int(np.argmax(p))] if p is not None else ""
        out.append({"item_id": row.id, "source": f"{row.file}|{row.sheet}|{row.row}", "name": row.name,
                    "listed_category": row.category, "model_says": says,
                    "agreement": "无模型" if p is None else ("一致" if says == row.category else "不一致")})
    return out, flagged


def _order(item_id: str, seed: int) -> str:
    return hashlib.sha1(f"{seed}|{item_id}".encode("utf-8")).hexdigest()


def stratum(item: dict, flagged) -> str:
    return "R13" if item["item_id"] in flagged else f"{item['listed_category']}/{item['agreement']}"


def draw(items: list[dict], flagged, labelled: set[str], seed: int = SEED,
         target: int = TARGET) -> list[dict]:
    strata = defaultdict(list)
    for it in items:
        strata[stratum(it, flagged)].append(it)
    for members in strata.values():
        members.sort(key=lambda it: (it["item_id"] not in labelled, _order(it["item_id"], seed)))
    take = {}
    for h, members in strata.items():
        kept = sum(it["item_id"] in labelled for it in members)
        if h == "R13":
            n = len(members)
        elif h.endswith("/一致"):
            n = min(len(members), MIN_STRATUM)
        else:
            n = min(len(members), max(MIN_STRATUM, math.ceil(DISAGREE_RATE * len(members))))
        take[h] = max(n, kept)
    agree = [h for h in strata if h.endswith("/一致")]
    rest = target - sum(take.values())
    pool = sum(len(strata[h]) - take[h] for h in agree)
    if rest > 0 and pool:
        for h in agree:  # the rest in proportion to what each agreeing stratum has left
            take[h] = min(len(strata[h]), take[h] + round(rest * (len(strata[h]) - take[h]) / pool))
    drawn = []
    for h, members in sorted(strata.items()):
        prob = take[h] / len(members)
        for it in members[:take[h]]:
            drawn.append({**it, "stratum": h, "inclusion_prob": round(prob, 6), "weight": round(1 / prob, 6)})
    return drawn


def read(path: Path = ITEMS) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(drawn: list[dict], path: Path = ITEMS) -> None:
    old = {r["item_id"]: r for r in read(path)}
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, extrasaction="ignore")
        w.writeheader()
        for it in drawn:
            w.writerow({**it, **{k: old.get(it["item_id"], {}).get(k, "") for k in LABELS}})


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--write", action="store_true", help="rewrite tests/eval/category_items.csv")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    items, flagged = population(klmy)
    labelled = {r["item_id"] for r in read() if r.get("category_right", "") != ""}
    drawn = draw(items, flagged, labelled, args.seed)
    sizes = defaultdict(int)
    for it in items:
        sizes[stratum(it, flagged)] += 1
    counts = defaultdict(int)
    for it in drawn:
        counts[it["stratum"]] += 1
    print(f"{len(items)} 个事项，R13 标出 {len(flagged)} 个，抽取 {len(drawn)} 个")
    for h in sorted(sizes):
        print(f"{h}\t{counts[h]}/{sizes[h]}")
    if args.write:
        write(drawn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
