"""What the pages and endpoints show of a dataset, read from its tables (no graph is built for them).

The neighbourhood of an item is answered from the items and citations tables with the
same content, in the same order, as the graph view's ``PowerGraph.neighbourhood``; the
RDF view (for SPARQL, ``Tables.view("rdf")``) is the only graph the service keeps, built when a query asks.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from quanze.tables import Tables, item_key

LEVELS = ("国家", "省", "市", "县", "乡")


def brief_rows(items: pd.DataFrame) -> list[dict]:
    """Rows of the items table as the short dicts list endpoints return."""
    cols = [items[c].tolist() for c in ("id", "name", "sub_name", "title", "category", "category_unset",
                                        "department", "levels", "file", "sheet", "row", "row_last")]
    return [{"id": i, "name": n, "sub_name": s, "title": t, "category": None if unset else c, "department": d,
             "levels": lv.split("、") if lv else [], "source": {"file": f, "sheet": sh, "rows": [r0, r1]}}
            for i, n, s, t, c, unset, d, lv, f, sh, r0, r1 in zip(*cols)]


def matching(items: pd.DataFrame, department=None, category=None, level=None, q=None) -> pd.DataFrame:
    """The items a list query selects: department name containing ``department``, the category,
    a level among the item's levels, ``q`` in the item's title."""
    keep = pd.Series(True, index=items.index)
    if department:
        keep &= items["department"].str.contains(department, regex=False)
    if category:
        keep &= (items["category"] == category) & ~items["category_unset"]
    if level:
        keep &= items["levels"].map(lambda text: level in text.split("、"))
    if q:
        keep &= items["title"].str.contains(q, regex=False)
    return items[keep]


def departments(tables: Tables) -> list[dict]:
    """Each department with its item count by category, most items first (ties in the order of the lists)."""
    items = tables.items
    if items.empty:
        return []
    category = items["category"].where(~items["category_unset"] & (items["category"] != ""), "未分类")
    counts: dict[str, Counter] = {}
    for dept, cat in zip(items["department_id"], category):
        counts.setdefault(dept, Counter())[cat] += 1
    names = dict(zip(tables.departments["id"], tables.departments["name"]))
    return [{"id": d, "name": names[d], "items": sum(c.values()), "categories": dict(c)}
            for d, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))]


def department_page(tables: Tables, department_id: str) -> dict | None:
    """A department's name, item count, the levels it acts at and its items by category and level."""
    items = tables.items[tables.items["department_id"] == department_id]
    if items.empty:
        return None
    name = tables.departments.loc[tables.departments["id"] == department_id, "name"].iloc[0]
    table: dict[str, Counter] = {}
    seen: set[str] = set()
    for cat, unset, levels in zip(items["category"], items["category_unset"], items["levels"]):
        for lv in filter(None, levels.split("、")):
            seen.add(lv)
            table.setdefault("未分类" if unset or not cat else cat, Counter())[lv] += 1
    return {"name": name, "total": len(items), "levels": [lv for lv in LEVELS if lv in seen],
            "table": sorted(table.items())}


def neighbourhood(tables: Tables, item_id: str) -> dict:
    """An item with its department, levels, bases, responsibilities, main item and sibling sub-items,
    by their graph-view keys (as ``PowerGraph.neighbourhood``); raises KeyError for an unknown item."""
    pos = tables.position[item_id]
    row = tables.items.iloc[pos]
    has_main = row["main_id"] != item_id
    items = tables.items
    siblings = []
    if has_main:
        same = items[(items["main_id"] == row["main_id"]) & (items["main_id"] != items["id"])]
        siblings = list(dict.fromkeys(item_key(i) for i in same["id"] if i != item_id))
    n_resp = int((tables.clauses["item_id"] == item_id).sum())
    return {
        "item": tables.item(item_id),
        "department": [f"dept:{row['department_id']}"],
        "levels": list(dict.fromkeys(f"level:{lv}" for lv in row["levels"].split("、") if lv)),
        "bases": list(dict.fromkeys(key for key, _ in _bases(tables, item_id))),
        "responsibilities": [f"resp:{item_id}:{n}" for n in range(n_resp)],
        "main_item": f"main:{row['main_id']}" if has_main else None,
        "siblings": siblings,
    }


def _bases(tables: Tables, item_id: str) -> list[tuple[str, str]]:
    """(graph key, provision) of each citation of the item: ``doc:<title>`` without an article, else ``prov:<key>``."""
    c = tables.citations
    mine = c[c["item_id"] == item_id]
    return [(f"doc:{doc}", "") if pd.isna(article) else (f"prov:{prov}", prov)
            for doc, article, prov in zip(mine["document"], mine["article"], mine["provision"])]


def base_names(tables: Tables, keys: list[str]) -> list[str]:
    """The names the graph view gives base nodes: a document's title; a provision's 《title》article text,
    as written by the last item (in table order) citing it."""
    c = tables.citations
    wanted = {k[len("prov:"):] for k in keys if k.startswith("prov:")}
    cited = c[c["provision"].isin(wanted) & c["article"].notna()]
    last = {p: f"《{doc}》{text}" for p, doc, text in zip(cited["provision"], cited["document"], cited["article_text"])}
    return [last[k[len("prov:"):]] if k.startswith("prov:") else k[len("doc:"):] for k in keys]


def related(tables: Tables, item_id: str, hood: dict) -> list[str]:
    """Ids of the items citing the same provisions as the item, and of its sibling sub-items (sorted, without it)."""
    c = tables.citations
    provisions = {k[len("prov:"):] for k in hood["bases"] if k.startswith("prov:")}
    citing = c.loc[c["provision"].isin(provisions) & c["article"].notna(), "item_id"]
    found = set(citing) | {k[len("item:"):] for k in hood["siblings"]}
    found.discard(item_id)
    return sorted(found)
