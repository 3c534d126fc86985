"""Tables: the loaded lists as columns — what the rules, the reform, the reports and the service read.

Four pandas tables, one row per item, per cited provision, per responsibility clause
and per department.  Every derived field (government, territory, canonical document
title, the parts of a department id, the article key …) is computed here, once, when
the tables are built; nothing downstream derives it again.  Rows are in the order of
their source (file, sheet, row, then id), never in the order the lists were given:
the same items in any order give the same tables.

The tables hold everything a :class:`~quanze.loaders.model.PowerItem` holds, so a row
becomes a record again when a caller needs one (``Tables.item``), and the tables can be
written to Parquet and read back unchanged (``write`` / ``read``).  The networkx graph
and the RDF graph are views built from them on demand (``quanze.graph``).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from quanze.loaders.citations import canonical_title
from quanze.loaders.model import Citation, PowerItem, Provenance, Responsibility

ITEM_COLUMNS = [
    "id", "main_id", "name", "sub_name", "title", "category", "category_raw", "department", "department_id",
    "region", "admin_level", "short_name", "government", "territory", "province", "levels", "levels_raw", "scope", "remarks", "exercise_text", "unit",
    "basis_text", "n_citations", "n_articles", "top_level", "basis_levels", "documents", "responsibilities_text", "stages", "accountability",
    "accountability_basis", "duties", "code", "file", "sheet", "row", "row_last",
    # kept so that a row is the whole record again
    "department_raw", "seq", "co_departments", "responsibility_basis", "accountability_scope", "remedy",
    "category_source", "category_unset",
]
CITATION_COLUMNS = ["item_id", "document", "article", "paragraph", "item_no", "provision", "article_key", "level",
                    "resolved", "expired", "article_exists", "doc_no", "title", "article_text", "level_tag", "law_id"]
CLAUSE_COLUMNS = ["item_id", "stage", "text", "kind"]
DEPARTMENT_COLUMNS = ["id", "name", "short_name", "region", "admin_level", "items"]

# how a column is named to a user (messages, the Excel report)
FIELD_LABELS = {
    "id": "事项ID", "name": "事项名称", "sub_name": "子项名称", "title": "事项", "category": "权力类别",
    "department": "实施主体", "levels": "行使层级", "scope": "权限范围", "remarks": "备注", "unit": "承办机构",
    "basis_text": "实施依据", "responsibilities_text": "责任事项", "accountability": "追责情形",
    "accountability_basis": "追责依据", "duties": "部门职责", "code": "事项编码", "file": "文件", "sheet": "工作表",
    "row": "行", "top_level": "最高依据层级", "documents": "依据文件", "government": "本级政府",
    "territory": "地域", "province": "省份", "admin_level": "机构层级", "department_id": "部门", "article_key": "条款", "core": "事项核心",
    "provision_name": "条款", "short_name": "部门简称", "region": "区域",
}
# columns whose many equal values are one string object (a township's region on every one of its rows)
_SHARED = frozenset({"region", "admin_level", "short_name", "government", "territory", "province", "levels", "exercise_text",
                     "basis_levels", "documents", "stages", "top_level", "file", "sheet", "department",
                     "department_id", "category", "category_raw", "category_source"})
# the relations the graph view draws (its edge types), named here because rules test them on the tables
RELATIONS = {
    "exercised_by": "由……实施（事项 → 部门）",
    "at_level": "在……层级行使（事项 → 层级）",
    "based_on": "依据（事项 → 条款或文件）",
    "part_of": "属于（条款 → 文件）",
    "has_responsibility": "责任事项（事项 → 责任）",
    "sub_item_of": "子项（子项 → 主项）",
    "in_region": "所在区域（部门 → 区域）",
}
# views built from the tables on demand, by name: the module and function that build each
VIEWS = {"graph": ("quanze.graph.build", "graph_of"), "rdf": ("quanze.graph.rdf", "rdf_of")}
_JOIN = "\x1f"  # joins a list field (co_departments); the loader removes control characters from cells
_LEGAL_LEVELS = Path(__file__).resolve().parent / "rules" / "data" / "legal_levels.yaml"


@dataclass
class Tables:
    """The items, citations, responsibility clauses and departments of one set of lists."""

    items: pd.DataFrame
    citations: pd.DataFrame
    clauses: pd.DataFrame
    departments: pd.DataFrame

    def __len__(self) -> int:
        return len(self.items)

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Item id → its row in ``items``."""
        return {item_id: pos for pos, item_id in enumerate(self.items["id"])}

    @functools.cached_property
    def _rows_of(self) -> tuple[dict, dict]:
        """Item id → the positions of its citations, and of its clauses."""
        return _positions(self.citations["item_id"]), _positions(self.clauses["item_id"])

    @functools.cached_property
    def _columns(self) -> dict[str, dict[str, np.ndarray]]:
        """Each table's columns as arrays, for making records: a pandas cell lookup costs 30 µs."""
        return {part: {c: getattr(self, part)[c].to_numpy(dtype=object) for c in getattr(self, part).columns}
                for part in ("items", "citations", "clauses")}

    def view(self, name: str):
        """The graph (``graph``) or RDF (``rdf``) view of these tables, built once when first asked for."""
        views = self.__dict__.setdefault("_views", {})
        if name not in views:
            module, function = VIEWS[name]
            views[name] = getattr(importlib.import_module(module), function)(self)
        return views[name]

    def has_relation(self, relation: str) -> pd.Series:
        """Per item (a boolean column): whether the graph view gives it an edge of ``relation``."""
        items = self.items
        if relation == "exercised_by":
            return pd.Series(True, index=items.index)
        if relation == "at_level":
            return items["levels"] != ""
        if relation == "based_on":
            return items["n_citations"] > 0
        if relation == "has_responsibility":
            return items["id"].isin(self.clauses["item_id"])
        if relation == "sub_item_of":
            return items["main_id"] != items["id"]
        if relation in RELATIONS:  # relations between other nodes: an item never has one
            return pd.Series(False, index=items.index)
        raise ValueError(f"未知的关系类型：{relation}")

    def stages_of(self) -> dict[str, set[str]]:
        """Item id → the stages of its responsibility clauses (items without clauses are absent)."""
        if "_stages" not in self.__dict__:
            self.__dict__["_stages"] = sets_by(self.clauses["item_id"], self.clauses["stage"])
        return self.__dict__["_stages"]

    def source(self, item_id: str) -> dict:
        """Where an item came from: file, sheet and first and last rows, as findings cite it."""
        return row_source(self.items.iloc[self.position[item_id]])

    def item(self, item_id: str) -> PowerItem:
        """One row as its record again, with its citations and responsibilities."""
        return self._record(self.position[item_id])

    def records(self, ids: Iterable[str] | None = None) -> list[PowerItem]:
        """Rows as records (all, in table order, or those of ``ids``): for exports and views, not for rules."""
        positions = range(len(self.items)) if ids is None else [self.position[i] for i in ids]
        return [self._record(p) for p in positions]

    def subset(self, ids: Iterable[str]) -> Tables:
        """The tables of some items only (one department, one item's neighbourhood)."""
        wanted = set(ids)
        items = self.items[self.items["id"].isin(wanted)].reset_index(drop=True)
        return Tables(items, self.citations[self.citations["item_id"].isin(wanted)].reset_index(drop=True),
                      self.clauses[self.clauses["item_id"].isin(wanted)].reset_index(drop=True),
                      department_table(items))

    def _record(self, pos: int) -> PowerItem:
        columns = self._columns
        r = {c: v[pos] for c, v in columns["items"].items()}
        cits, clauses = self._rows_of
        c, k = columns["citations"], columns["clauses"]
        citations = [Citation(title=c["title"][n], article=_int(c["article"][n]), paragraph=_int(c["paragraph"][n]),
                              item=_int(c["item_no"][n]), article_text=c["article_text"][n], doc_no=c["doc_no"][n],
                              level=c["level"][n], level_tag=c["level_tag"][n], resolved=_flag(c["resolved"][n]),
                              article_exists=_flag(c["article_exists"][n]), law_id=c["law_id"][n],
                              expired=_flag(c["expired"][n]))
                     for n in cits.get(r["id"], ())]
        responsibilities = [Responsibility(k["stage"][n], k["text"][n], k["kind"][n]) for n in clauses.get(r["id"], ())]
        return PowerItem(
            id=r["id"], main_id=r["main_id"], name=r["name"], sub_name=r["sub_name"],
            category=None if r["category_unset"] else r["category"], category_raw=r["category_raw"],
            department=r["department"], department_id=r["department_id"], department_raw=r["department_raw"],
            levels=r["levels"].split("、") if r["levels"] else [],
            source=Provenance(r["file"], r["sheet"], (int(r["row"]), int(r["row_last"]))), seq=r["seq"],
            code=r["code"], levels_raw=r["levels_raw"], scope=r["scope"], unit=r["unit"],
            co_departments=r["co_departments"].split(_JOIN) if r["co_departments"] else [],
            basis_text=r["basis_text"], citations=citations, responsibilities=responsibilities,
            responsibilities_text=r["responsibilities_text"], responsibility_basis=r["responsibility_basis"],
            accountability=r["accountability"], accountability_scope=r["accountability_scope"],
            accountability_basis=r["accountability_basis"], duties=r["duties"], remedy=r["remedy"],
            remarks=r["remarks"], category_source=r["category_source"], province=r["province"])

    # ---- persistence -----------------------------------------------------------------------

    def write(self, folder: str | Path) -> Path:
        """Write the four tables as Parquet files into ``folder`` (made if absent)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in _PARTS:
            getattr(self, name).to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")
        return folder

    @classmethod
    def read(cls, folder: str | Path) -> Tables:
        """Tables written by ``write``: the same rows, columns and values."""
        folder = Path(folder)
        frames = {name: _restore(pd.read_parquet(folder / f"{name}.parquet", engine="pyarrow"), name)
                  for name in _PARTS}
        if "province" not in frames["items"]:  # written before the column was derived
            frames["items"].insert(ITEM_COLUMNS.index("province"), "province", pd.Series("", index=frames["items"].index, dtype=TEXT))
        return cls(**frames)


_PARTS = ("items", "citations", "clauses", "departments")


class Records(Sequence):
    """The rows of a Tables as records, each made when read.

    What a load keeps once its tables exist, instead of a second copy of every item (1.5 GB held
    through the province preset's rule run): reports and exports read records, rules read the tables.
    """

    def __init__(self, tables: Tables):
        self.tables = tables

    def __len__(self) -> int:
        return len(self.tables.items)

    def __getitem__(self, index):
        positions = range(len(self))
        if isinstance(index, slice):
            return [self.tables._record(p) for p in positions[index]]
        return self.tables._record(positions[index])

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and list(self) == list(other)

    __hash__ = None


def build_tables(items: Iterable[PowerItem]) -> Tables:
    """The tables of ``items``, in source order, every derived field computed once."""
    ordered = sorted(items, key=lambda it: (it.source.file, it.source.sheet, it.source.rows[0], it.id))
    frame = item_table(ordered)
    return Tables(frame, citation_table(ordered), clause_table(ordered), department_table(frame))


def in_source_order(items: pd.DataFrame, citations: pd.DataFrame,
                    clauses: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tables whose rows were changed or joined (files renamed, items moved) in source order again:
    items by file, sheet, row and id, and each item's citations and clauses in the items' order."""
    items = items.sort_values(["file", "sheet", "row", "id"], kind="stable").reset_index(drop=True)
    rank: dict[str, int] = {}
    for pos, item_id in enumerate(items["id"]):
        rank.setdefault(item_id, pos)

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        keys = frame["item_id"].map(rank).to_numpy()
        return frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)

    return items, ordered(citations), ordered(clauses)


def item_table(ordered: list[PowerItem]) -> pd.DataFrame:
    # built column by column: a list of row dicts would hold every value twice at province scale
    cols: dict[str, list] = {c: [] for c in ITEM_COLUMNS}
    shared: dict = {}  # one string object for the many rows with the same value
    for it in ordered:
        region, admin_level, short = it.department_id.split("|", 2)
        row = {
            "id": it.id, "main_id": it.main_id, "name": it.name, "sub_name": it.sub_name, "title": it.title,
            "category": it.category or "", "category_raw": it.category_raw, "department": it.department,
            "department_id": it.department_id, "region": region, "admin_level": admin_level, "short_name": short,
            # one government = one region at one administrative level
            "government": f"{region}|{admin_level}",
            "territory": territory(region, admin_level), "province": it.province,
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
            "department_raw": it.department_raw, "seq": it.seq, "co_departments": _JOIN.join(it.co_departments),
            "responsibility_basis": it.responsibility_basis, "accountability_scope": it.accountability_scope,
            "remedy": it.remedy, "category_source": it.category_source, "category_unset": it.category is None,
        }
        for c, v in row.items():
            cols[c].append(shared.setdefault(v, v) if c in _SHARED else v)
    return _frame(cols)


def citation_table(ordered: list[PowerItem]) -> pd.DataFrame:
    cols: dict[str, list] = {c: [] for c in CITATION_COLUMNS}
    for it in ordered:
        for c in it.citations:
            doc = canonical_title(c.title)
            row = {
                "item_id": it.id, "document": doc, "article": c.article, "paragraph": c.paragraph,
                "item_no": c.item, "provision": c.provision_key,
                "article_key": f"{doc}#{c.article}" if c.article is not None else "",
                "level": c.level, "resolved": c.resolved, "expired": c.expired,
                "article_exists": c.article_exists, "doc_no": c.doc_no, "title": c.title,
                "article_text": c.article_text, "level_tag": c.level_tag, "law_id": c.law_id,
            }
            for k, v in row.items():
                cols[k].append(v)
    return _restore(_frame(cols), "citations")


def clause_table(ordered: list[PowerItem]) -> pd.DataFrame:
    """One row per responsibility clause, in the order of its item's cell."""
    cols: dict[str, list] = {c: [] for c in CLAUSE_COLUMNS}
    for it in ordered:
        for r in it.responsibilities:
            cols["item_id"].append(it.id)
            cols["stage"].append(r.stage)
            cols["text"].append(r.text)
            cols["kind"].append(r.kind)
    return _frame(cols)


def department_table(items: pd.DataFrame) -> pd.DataFrame:
    """One row per department of the items: its id's parts, the name its lists use first, and its item count."""
    if items.empty:
        return pd.DataFrame({c: [] for c in DEPARTMENT_COLUMNS}, columns=DEPARTMENT_COLUMNS)
    g = items.groupby("department_id", sort=True)
    first = g[["department", "short_name", "region", "admin_level"]].first()
    out = first.rename(columns={"department": "name"}).assign(items=g.size()).reset_index()
    return _restore(out.rename(columns={"department_id": "id"})[DEPARTMENT_COLUMNS], "departments")


# Text is kept as Python strings in object columns, not in Arrow buffers: the many equal values of a column
# (a template's 责任事项 in every government, a region on each of its rows) are then one string object each,
# shared with the records they came from, where Arrow would copy every one; and rules that walk a column
# get the strings themselves (pandas' string arrays box every element they yield, a cost rules paid 17
# million times on the city preset).
TEXT = object


def _is_text(values: list) -> bool:
    """A column of strings (some cells may be None)."""
    return isinstance(next((v for v in values if v is not None), None), str)


def _frame(cols: dict[str, list]) -> pd.DataFrame:
    """A table from its columns, text columns in ``TEXT``."""
    return pd.DataFrame({c: pd.Series(v, dtype=TEXT) if v and _is_text(v) else v for c, v in cols.items()},
                        columns=list(cols))


def _restore(df: pd.DataFrame, part: str) -> pd.DataFrame:
    """The column types a table has when built, whether it was built or read from Parquet."""
    for col in df.columns:
        if isinstance(df[col].dtype, pd.StringDtype):
            shared: dict = {}  # equal values read back as one object, as when the tables were built
            values = df[col].to_numpy(dtype=object, na_value=None)
            df[col] = pd.Series([v if v is None else shared.setdefault(v, v) for v in values], dtype=TEXT,
                                index=df.index)
    if part == "citations":
        for col in ("article", "paragraph", "item_no"):
            df[col] = df[col].astype("Int64")
        for col in ("resolved", "expired", "article_exists"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def row_source(row) -> dict:
    """Where an items row came from (a pandas row or a dict of one): file, sheet, first and last rows."""
    return {"file": row["file"], "sheet": row["sheet"], "rows": [int(row["row"]), int(row["row_last"])]}


def item_key(item_id: str) -> str:
    """An item's node key in the graph and RDF views (and in findings' evidence paths)."""
    return f"item:{item_id}"


def sets_by(keys, values) -> dict:
    """key → the set of its values: a pandas groupby with a Python aggregate is far slower at province scale."""
    out: dict = {}
    for k, v in zip(keys, values):
        out.setdefault(k, set()).add(v)
    return out


def as_tables(data) -> Tables:
    """``data`` as Tables: Tables themselves, a view that knows its tables (a PowerGraph), or PowerItems."""
    if isinstance(data, Tables):
        return data
    if hasattr(data, "tables"):
        return data.tables
    return build_tables(data)


def _positions(keys: pd.Series) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for pos, key in enumerate(keys.to_numpy(dtype=object)):
        out.setdefault(key, []).append(pos)
    return out


def _int(value) -> int | None:
    return None if value is pd.NA or value is None else int(value)


def _flag(value) -> bool | None:
    return None if value is None or value is pd.NA else bool(value)


# ---- derived fields ----------------------------------------------------------------------------


@functools.cache
def legal_order() -> tuple[str, ...]:
    """Legal levels in the order of force, highest first (``rules/data/legal_levels.yaml``)."""
    with _LEGAL_LEVELS.open(encoding="utf-8") as f:
        return tuple(yaml.safe_load(f)["order"])


def level_rank(level: str) -> int | None:
    """Position in the order of force (0 = 法律); None for an unknown level."""
    order = legal_order()
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
