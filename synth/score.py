"""Precision and recall of each rule against the planted problems (``truth.json``).

A planted problem with items is found when one finding of its rule names all
of them (a group finding may name more: every department sharing the article).
One without items (a 缺位 item, a department's count) is found by the key the
rule gives such a finding.  A finding is correct when it finds a planted problem.
"""

from __future__ import annotations

from collections import defaultdict

from quanze.rules.model import fingerprint


def _findings(findings) -> dict[str, list[tuple[frozenset, str]]]:
    out: dict[str, list[tuple[frozenset, str]]] = defaultdict(list)
    for f in findings:
        d = f if isinstance(f, dict) else f.to_dict()
        out[d["rule"]].append((frozenset(s["id"] for s in d["subjects"] if s.get("id")), d["fingerprint"]))
    return out


def score(truth: list[dict], findings, rules=None) -> dict[str, dict]:
    """Per rule: planted, found, findings, correct findings, recall and precision (None when undefined)."""
    by_rule = _findings(findings)
    planted: dict[str, list[dict]] = defaultdict(list)
    for entry in truth:
        planted[entry["rule"]].append(entry)
    out = {}
    for rule in sorted(set(rules or []) | set(planted) | set(by_rule)):
        fs = by_rule.get(rule, [])
        containing: dict[str, list[int]] = defaultdict(list)
        for i, (ids, _) in enumerate(fs):
            for item in ids:
                containing[item].append(i)
        by_print = {fp: i for i, (_, fp) in enumerate(fs)}
        correct: set[int] = set()
        found = 0
        for entry in planted.get(rule, []):
            if entry["items"]:
                want = set(entry["items"])
                hits = [i for i in containing.get(entry["items"][0], []) if want <= fs[i][0]]
            else:
                i = by_print.get(fingerprint(rule, [], entry["key"]))
                hits = [] if i is None else [i]
            found += bool(hits)
            correct.update(hits)
        n_planted = len(planted.get(rule, []))
        out[rule] = {
            "planted": n_planted, "found": found, "findings": len(fs), "correct": len(correct),
            "recall": round(found / n_planted, 4) if n_planted else None,
            "precision": round(len(correct) / len(fs), 4) if fs else None,
        }
    return out
