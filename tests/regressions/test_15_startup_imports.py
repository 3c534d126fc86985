"""Defect 15: "a 4-item list takes 3–4 s through quanze load/analyze: imports alone ~1.8 s (flask, rdflib, networkx, scikit-learn, pandas, jieba …)"."""

import json
import subprocess
import sys

from helpers import HEADER, row, workbook

from quanze.rules.catalogue import load_catalogue

NOT_FOR_LOADING = ("flask", "rdflib", "sklearn", "networkx", "jieba", "gunicorn", "pandas")
NOT_FOR_ANALYZING = ("flask", "gunicorn")

# One command in a fresh process: what it returned, and which of the watched modules it imported.
PROBE = r"""
import json, sys
import quanze.api.cli
from quanze.api.cli import main
watched = sys.argv[1].split(",")
rc = main(sys.argv[2:])
print(json.dumps({"rc": rc, "imported": [m for m in watched if m in sys.modules]}))
"""

NAMES = ["对未按照规定设置安全生产管理机构的处罚", "对生产经营单位未建立事故隐患排查治理制度的处罚",
         "对特种作业人员未持证上岗的处罚", "对危险化学品生产企业的安全检查"]


def _four(tmp_path):
    return workbook(tmp_path / "四项.xlsx", {"行政处罚": [HEADER] + [row(i, n) for i, n in enumerate(NAMES, 1)]})


def _run(watched, *argv) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, ",".join(watched), *argv],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_load_imports_only_what_loading_needs(tmp_path):
    items = tmp_path / "items.jsonl"
    done = _run(NOT_FOR_LOADING, "load", str(_four(tmp_path)), "--export-items", str(items))
    assert done["rc"] == 0
    assert len(items.read_text(encoding="utf-8").splitlines()) == len(NAMES)
    assert done["imported"] == []


def test_analyze_imports_no_web_service(tmp_path):
    out = tmp_path / "findings.json"
    # rdflib is for the RDF view: only a catalogue rule built on the sparql check needs it
    watched = NOT_FOR_ANALYZING + (() if any(r.check == "sparql" for r in load_catalogue()) else ("rdflib",))
    done = _run(watched, "analyze", str(_four(tmp_path)), "--out", str(out))
    assert done["rc"] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["rules"]
    assert done["imported"] == []
