"""The graph's items and citations as pandas tables: what the primitives scan.

Rules evaluate over tables and the networkx graph, never over the RDF view on a
path that pairs items (architecture.md, "Scale").  One row per item; list-valued
fields are joined so that conditions can test them as text.  Rows are in the order
of their source (file, sheet, row, then id), never in the order the lists were
given: the same items in any order give the same findings, messages and evidence.
"""

from __future__ import annotations

import re

import pandas as pd

from quanze.graph.model import PowerGraph
from quanze.loaders.citations import canonical_title
from quanze.loaders.model import PowerItem
from quanze.rules.catalogue import data_table

ITEM_COLUMNS = [
    "id", "main_id", "name", "sub_name", "title", "category", "category_raw", "department", "department_id",
    "region", "admin_level", "short_name", "government", "territory", "levels", "levels_raw", "scope", "remarks", "exercise_text", "unit",
    "basis_text", "n_citations", "n_articles", "top_level", "basis_levels", "documents", "responsibilities_text", "stages", "accountability",
    "accountability_basis", "duties", "code", "file", "sheet", "row", "row_last",
]


def ordered_items(pg: PowerGraph) -> list[PowerItem]:
    """The graph's items by source file, sheet, row and id: an order of their content, not of their loading."""
    return sorted(pg.items(), key=lambda it: (it.source.file, it.source.sheet, it.source.rows[0], it.id))


def item_table(pg: PowerGraph) -> pd.DataFrame:
    # built column by column: a list of row dicts would hold every value twice at province scale
    cols: dict[str, list] = {c: [] for c in ITEM_COLUMNS}
    shared: dict = {}  # one string object for the many rows with the same joined value
    for it in ordered_items(pg):
        region, admin_level, short = it.department_id.split("|", 2)
        row = {
            "id": it.id, "main_id": it.main_id, "name": it.name, "sub_name": it.sub_name, "title": it.title,
            "category": it.category or "", "category_raw": it.category_raw, "department": it.department,
            "department_id": it.department_id, "region": region, "admin_level": admin_level, "short_name": short,
            # one government = one region at one administrative level
            "government": f"{region}|{admin_level}",
            "territory": territory(region, admin_level),
            "levels": "、".join(it.levels), "levels_raw": it.levels_raw, "scope": it.scope, "remarks": it.remarks,
            "exercise_text": " ".join(filter(None, (it.levels_raw, it.scope, it.remarks))),
            "unit": it.unit, "basis_text": it.basis_text, "n_citations": len(it.citations),
            "n_articles": sum(c.article is not None for c in it.citations),
            "top_level": top_level(c.level for c in it.citations),
            "basis_levels": "、".join(sorted({c.level or "未知" for c in it.citations})),
            "documents": "、".join(dict.fromkeys(canonical_title(c.title) for c in it.citations)),
            "responsibilities_text": it.responsibilities_text,
            "stages": "、".join(sorted({r.stage for r in it.responsibilities})),
            "accountability": it.accountability, "accountability_basis": it.accountability_basis,
            "duties": it.duties, "code": it.code,
            "file": it.source.file, "sheet": it.source.sheet, "row": it.source.rows[0],
            "row_last": it.source.rows[1],
        }
        for c, v in row.items():
            cols[c].append(shared.setdefault(v, v) if c in SHARED_COLUMNS else v)
    return pd.DataFrame(cols, columns=ITEM_COLUMNS)


SHARED_COLUMNS = frozenset({"region", "admin_level", "short_name", "government", "territory", "levels",
                            "exercise_text", "basis_levels", "documents", "stages", "top_level"})


# how a column is named to a user (messages, the Excel report)
FIELD_LABELS = {
    "id": "事项ID", "name": "事项名称", "sub_name": "子项名称", "title": "事项", "category": "权力类别",
    "department": "实施主体", "levels": "行使层级", "scope": "权限范围", "remarks": "备注", "unit": "承办机构",
    "basis_text": "实施依据", "responsibilities_text": "责任事项", "accountability": "追责情形",
    "accountability_basis": "追责依据", "duties": "部门职责", "code": "事项编码", "file": "文件", "sheet": "工作表",
    "row": "行", "top_level": "最高依据层级", "documents": "依据文件", "government": "本级政府",
    "territory": "地域", "admin_level": "机构层级", "department_id": "部门", "article_key": "条款", "core": "事项核心",
    "provision_name": "条款", "short_name": "部门简称", "region": "区域",
}

CITATION_COLUMNS = ["item_id", "document", "article", "paragraph", "item_no", "provision", "article_key", "level",
                    "resolved", "expired", "article_exists", "doc_no"]


def citation_table(pg: PowerGraph) -> pd.DataFrame:
    rows = []
    for it in ordered_items(pg):
        for c in it.citations:
            doc = canonical_title(c.title)
            rows.append({
                "item_id": it.id, "document": doc, "article": c.article, "paragraph": c.paragraph,
                "item_no": c.item, "provision": c.provision_key,
                "article_key": f"{doc}#{c.article}" if c.article is not None else "",
                "level": c.level, "resolved": c.resolved, "expired": c.expired,
                "article_exists": c.article_exists, "doc_no": c.doc_no,
            })
    df = pd.DataFrame(rows, columns=CITATION_COLUMNS)
    for col in ("article", "paragraph", "item_no"):
        df[col] = df[col].astype("Int64")
    return df


def sets_by(keys, values) -> dict:
    """key → the set of its values: a pandas groupby with a Python aggregate is far slower at province scale."""
    out: dict = {}
    for k, v in zip(keys, values):
        out.setdefault(k, set()).add(v)
    return out


def level_rank(level: str) -> int | None:
    """Position in the order of force (0 = 法律); None for an unknown level."""
    order = data_table("legal_levels")["order"]
    return order.index(level) if level in order else None


def top_level(levels) -> str:
    """The highest known legal level among ``levels``; "" when none is known."""
    ranked = [(level_rank(lv), lv) for lv in levels]
    known = [r for r in ranked if r[0] is not None]
    return min(known)[1] if known else ""


_TOWNSHIP = re.compile(r"^(.+?(?:县|市|区|旗))[^县市区旗]{1,10}(?:镇|乡|街道|苏木)$")


def territory(region: str, admin_level: str) -> str:
    """The county or city a government belongs to: a township's county, else its own region."""
    m = _TOWNSHIP.match(region) if admin_level == "乡" else None
    return m.group(1) if m else region
