"""The example's 明川县文化和旅游局 publishes in a second template and loads without a mapping file.

Its workbook (examples/build_example.py, examples/mingchuan-second-template.yaml) has one
sheet per category and no 权力类型 column, headers in other wordings (法律法规依据 is not in
headers.yaml) and another column order.  Every item must load with its category, its
department and its 实施依据.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE

from quanze.loaders import LawLibrary, load_files
from quanze.loaders.text import normalise

SPEC = Path(__file__).resolve().parents[1] / "examples" / "mingchuan-second-template.yaml"


def _published():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    [dept] = spec["departments"]
    return dept, [(category, item) for category, items in dept["sheets"].items() for item in items]


@pytest.fixture(scope="module")
def loaded():
    dept, _ = _published()
    return load_files([EXAMPLE / f"{dept['name']}2024年权责清单.xlsx"])


def test_the_list_is_written_in_another_template():
    dept, items = _published()
    assert 8 <= len(items) <= 12 and len(dept["sheets"]) >= 4
    headers = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["header"]
    assert "category" not in {f for _label, f in headers}


def test_every_item_loads_with_its_category_and_department(loaded):
    dept, items = _published()
    assert loaded.rejected == []
    got = Counter((it.name, it.category, it.department) for it in loaded.items)
    assert got == Counter((normalise(item["name"]), category, dept["name"]) for category, item in items)


def test_every_column_is_recognised(loaded):
    warnings = [w for s in loaded.files[0].sheets for w in s.warnings]
    assert warnings == []
    assert all({"name", "department", "basis", "responsibilities", "accountability"} <= set(s.columns.values())
               for s in loaded.files[0].sheets)


def test_every_item_keeps_its_basis_and_cites_its_law(loaded):
    _, items = _published()
    basis = {normalise(item["name"]): item["basis"] for _c, item in items}
    for it in loaded.items:
        assert it.basis_text == normalise(basis[it.name]), it.name
        title = re.search(r"《(.+?)》", basis[it.name]).group(1)
        assert any(c.title == title and c.article for c in it.citations), (it.name, it.citations)


def test_every_citation_is_to_an_article_in_force(laws_dir):
    dept, items = _published()
    done = load_files([EXAMPLE / f"{dept['name']}2024年权责清单.xlsx"], laws=LawLibrary(laws_dir))
    citations = [c for it in done.items for c in it.citations]
    assert len(done.items) == len(items) and len(citations) >= len(items)
    assert [(c.title, c.article) for c in citations if not (c.resolved and c.article_exists) or c.expired] == []
