"""The graph view: a PowerGraph built from the tables (or from items), a pure function of them."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from quanze.graph.model import PowerGraph
from quanze.loaders.citations import canonical_title
from quanze.loaders.model import PowerItem
from quanze.tables import Tables, item_key


@functools.lru_cache(maxsize=65536)
def _label(text: str) -> str:
    """A clause's first 60 characters, made once per distinct clause (many items share one)."""
    return text[:60]


def graph_of(tables: Tables, ids: Iterable[str] | None = None) -> PowerGraph:
    """The graph of the tables' items (or of ``ids`` only: one department, one item's neighbourhood)."""
    pg = build_graph(tables.records(ids))
    if ids is None:
        pg.tables = tables
    return pg


def build_graph(items: Iterable[PowerItem]) -> PowerGraph:
    pg = PowerGraph()
    for it in items:
        _add_item(pg, it, has_main=it.main_id != it.id)
    return pg


def _add_item(pg: PowerGraph, it: PowerItem, has_main: bool) -> None:
    src = it.source
    key = pg.add_node(
        item_key(it.id), "item", record=it, name=it.name, sub_name=it.sub_name, label=it.title,
        category=it.category or "", department=it.department,
        source_file=src.file, source_sheet=src.sheet, source_rows=f"{src.rows[0]}-{src.rows[1]}")
    region, level, short = it.department_id.split("|", 2)
    dept = pg.add_node(f"dept:{it.department_id}", "department", name=it.department, short_name=short,
                       region=region, admin_level=level)
    pg.add_edge(key, dept, "exercised_by")
    if region:
        pg.add_edge(dept, pg.add_node(f"region:{region}", "region", name=region), "in_region")
    for lv in it.levels:
        pg.add_edge(key, pg.add_node(f"level:{lv}", "level", name=lv), "at_level")
    if has_main:
        main = pg.add_node(f"main:{it.main_id}", "main_item", name=it.name, department=it.department,
                           source_file=src.file, source_sheet=src.sheet)
        pg.add_edge(key, main, "sub_item_of")
    for c in it.citations:
        title = canonical_title(c.title)
        doc = pg.add_node(f"doc:{title}", "document", name=title, level=c.level, doc_no=c.doc_no,
                          resolved="" if c.resolved is None else c.resolved,
                          expired="" if c.expired is None else c.expired)
        if c.article is None:
            pg.add_edge(key, doc, "based_on")
            continue
        prov = pg.add_node(f"prov:{c.provision_key}", "provision", name=f"《{title}》{c.article_text}",
                           article=c.article, paragraph=c.paragraph or 0,
                           exists="" if c.article_exists is None else c.article_exists)
        pg.add_edge(prov, doc, "part_of")
        pg.add_edge(key, prov, "based_on")
    for n, r in enumerate(it.responsibilities):
        resp = pg.add_node(f"resp:{it.id}:{n}", "responsibility", name=_label(r.text), stage=r.stage, kind=r.kind,
                           text=r.text, source_file=src.file, source_sheet=src.sheet)
        pg.add_edge(key, resp, "has_responsibility")
