"""Defect: a simulation's findings_change listed added and removed findings in the order of a set of
fingerprints, which changes with Python's string hashing from one process to the next, so the same
scenario gave differently ordered reports.  They are now in the order of their fingerprints."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json
from quanze.pipeline import EXAMPLES, prepare
from quanze.reform import read_scenario, simulate
ready = prepare([EXAMPLES / "mingchuan"])
sim = simulate(ready.tables, read_scenario(EXAMPLES / "scenarios" / "approval-bureau.yaml"), inputs=ready.inputs)
print(json.dumps(sim.findings_change, ensure_ascii=False))
"""


def change_with_seed(seed: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                          env={"PYTHONHASHSEED": seed, "PATH": ""})
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_findings_change_is_in_fingerprint_order_in_every_process():
    a, b = change_with_seed("1"), change_with_seed("2")
    assert a == b
    for kind in ("added", "removed"):
        for entries in a[kind].values():
            assert [e["fingerprint"] for e in entries] == sorted(e["fingerprint"] for e in entries)
    assert sum(map(len, a["added"].values())) > 1
