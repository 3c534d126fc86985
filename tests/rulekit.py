"""Small hand-made inputs for rule tests: power items written in a line each."""

from __future__ import annotations

import itertools

from quanze.graph import build_graph
from quanze.loaders.citations import parse_basis
from quanze.loaders.departments import resolve_department
from quanze.loaders.model import PowerItem, Provenance
from quanze.loaders.responsibilities import split_responsibilities
from quanze.loaders.sheet import stable_id
from quanze.rules.engine import run

RESP = {
    "行政处罚": "1.立案责任：立案。2.调查取证责任：调查。3.审理责任：审理。4.告知责任：告知。5.决定责任：作出决定。"
               "6.送达责任：送达。7.执行责任：执行。",
    "行政许可": "1.受理责任：受理。2.审查责任：审查。3.决定责任：作出决定。4.送达责任：送达。5.事后监管责任：监督检查。",
}
ACC = "1.滥用职权的。2.玩忽职守的。"
_rows = itertools.count(3)


def item(name, category="行政处罚", dept="明川县应急管理局", basis="", sub="", level="县", resp=None,
         acc=ACC, scope="", remarks="", duties="", code="", file="测试清单.xlsx", province="") -> PowerItem:
    """A PowerItem as the loader would make it from one row of a list."""
    d = resolve_department(dept)
    citations = parse_basis(basis)
    text = RESP.get(category, "1.受理责任：受理。2.决定责任：作出决定。") if resp is None else resp
    row = next(_rows)
    item_id = stable_id(dept, name, sub, basis)
    return PowerItem(
        id=item_id, main_id=stable_id(dept, name) if sub else item_id, name=name, sub_name=sub, category=category,
        category_raw=category, department=d.display, department_id=d.id, department_raw=dept, levels=[level],
        source=Provenance(file, d.short_name, (row, row)), code=code, scope=scope, remarks=remarks,
        basis_text=basis, citations=citations, responsibilities=split_responsibilities(text),
        responsibilities_text=text, accountability=acc, duties=duties, province=province)


def findings(items, rule: str, settings=None, **inputs):
    """Findings of one rule (by exact id) over the items."""
    result = run(build_graph(items), selection=[rule], settings=settings, inputs=inputs)
    (rr,) = [r for r in result.runs if r.rule.id == rule]
    assert rr.status == "ok", rr.reason
    return [f for f in result.findings if f.rule == rule]


def subjects(found) -> list[set[str]]:
    return [{s["name"] for s in f.subjects} for f in found]
