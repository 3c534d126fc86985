"""Defect 14-16: "several reasons carry English library text ("File is not a zip file", "BadZipFile: Bad CRC-32 …")"."""

import re
import sys
from pathlib import Path

import pytest

from quanze.loaders import load_files

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from badinput.make_corpus import build  # noqa: E402

# format and product names a Chinese reason may carry
ALLOWED = {"xlsx", "xlsm", "xlsb", "xls", "csv", "json", "html", "xml", "utf", "gbk", "big5", "excel", "wps"}
WORD = re.compile(r"[A-Za-z]{3,}")
QUOTED = re.compile(r"「[^」]*」")  # names of files, sheets, columns and cells as published


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad")
    build(out)
    return sorted(p for p in out.iterdir() if not p.name.startswith("."))


def test_every_reason_over_the_corpus_is_chinese(corpus):
    res = load_files(corpus, workers=1)
    reasons = [r.reason for r in res.rejected] + [w for f in res.files for s in f.sheets for w in s.warnings]
    assert len(res.rejected) >= 30
    english = {(r, w) for r in reasons for w in WORD.findall(QUOTED.sub("", r)) if w.lower() not in ALLOWED}
    assert not english


def test_damaged_zip_reasons_say_what_happened(corpus):
    res = load_files([p for p in corpus if p.name in ("不是压缩包.xlsx", "校验错误.xlsx", "截断.xlsx")], workers=1)
    reasons = {f.file: f.rejected[0].reason for f in res.files}
    assert all("已损坏" in r for r in reasons.values())
    assert "不是完整的压缩包" in reasons["不是压缩包.xlsx"]
