"""Measure pair-finding rules against labelled pairs (tests/eval/overlap_pairs.csv)."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

from quanze.rules.model import Finding


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3)}


def read_pairs(path: str | Path, labelled: bool = True) -> list[dict]:
    """The pairs of the file, ``same_matter`` an int; with ``labelled``, only those that have a label.

    ``weight`` (how many population pairs a pair stands for) defaults to 1 and ``holdout`` to 0."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        label = (row.get("same_matter") or "").strip()
        if labelled and not label:
            continue
        out.append({**row, "same_matter": int(label) if label else None,
                    "weight": float(row.get("weight") or 1), "holdout": int(row.get("holdout") or 0)})
    return out


def predicted_pairs(findings: list[Finding], rules: set[str]) -> set[frozenset[str]]:
    """Pairs of items of different departments that findings of ``rules`` put together."""
    out = set()
    for f in findings:
        if f.rule in rules:
            for a, b in itertools.combinations(f.subjects, 2):
                if a["department"] != b["department"]:
                    out.add(frozenset((a["id"], b["id"])))
    return out


def score(pairs: list[dict], predicted: set[frozenset[str]]) -> Score:
    tp = fp = fn = tn = 0
    for p in pairs:
        hit = frozenset((p["a_id"], p["b_id"])) in predicted
        if p["same_matter"]:
            tp, fn = tp + hit, fn + (not hit)
        else:
            fp, tn = fp + hit, tn + (not hit)
    return Score(tp, fp, fn, tn)
