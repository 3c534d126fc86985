"""The load report page: what each sheet said while loading, how its columns were read, why rows read
exceed items, and how the citations fare against the law library.

Everything here reads a dataset's stored load report (``LoadResult.report``) and its tables; nothing
is loaded again.  The row reconciliation is the loaders' own count (``SheetReport.row_fates``): for every
sheet, rows read = items + each reason's count.
"""

from __future__ import annotations

import re

import pandas as pd

from quanze.loaders.model import ROW_FATES
from quanze.tables import Tables

FOLD_FROM = 10  # a group of warnings longer than this is folded (every line stays on the page)
_ROW = re.compile(r"^第(\d+)行(?:起)?的?")


def _where(message: str) -> tuple[int | None, str]:
    """The row a warning names at its start, and the rest of it."""
    m = _ROW.match(message)
    return (int(m.group(1)), message[m.end():]) if m else (None, message)


def _kind(message: str) -> str:
    """What a message says without its particulars (row numbers, quoted names): the group it goes in."""
    text = re.sub(r"「[^」]*」", "「…」", message)
    text = re.sub(r"“[^”]*”", "“…”", text)
    text = re.sub(r"[A-Z]{1,3}列", "X列", text)
    return re.sub(r"\d+", "N", text)


def grouped(lines: list[dict]) -> list[dict]:
    """Lines (file, sheet, row, message) grouped by what they say, largest group first, each with its count,
    an example message and every line (folded on the page when there are many)."""
    groups: dict[str, dict] = {}
    for line in lines:
        g = groups.setdefault(_kind(line["message"]), {"example": line["message"], "lines": []})
        g["lines"].append(line)
    out = [{**g, "count": len(g["lines"]), "fold": len(g["lines"]) > FOLD_FROM,
            "alike": len({x["message"] for x in g["lines"]}) == 1} for g in groups.values()]
    return sorted(out, key=lambda g: -g["count"])


def _sheet_view(file: str, sheet: dict) -> dict:
    fates = sheet.get("row_fates")
    reasons = None
    if fates is not None:  # a dataset loaded before rows were accounted for has none
        reasons = [(key, label, fates[key]) for key, label in ROW_FATES.items() if fates.get(key)]
        reasons += [(key, key, n) for key, n in fates.items() if key not in ROW_FATES and n]
    tables = sheet.get("tables") or [{"header_row": sheet.get("header_row"), "mapping": sheet.get("mapping") or []}]
    return {"sheet": sheet["sheet"], "rows_read": sheet.get("rows_read", 0), "items": sheet.get("items", 0),
            "main_items": sheet.get("main_items", 0), "header_row": sheet.get("header_row"),
            "tables": tables, "fates": fates, "ignored": sheet.get("ignored") or [], "reasons": reasons,
            "adds_up": reasons is not None and sheet.get("items", 0) + sum(n for *_, n in reasons)
            == sheet.get("rows_read", 0)}


def file_views(report: dict) -> list[dict]:
    """Each file of a load report with its sheets, its warnings and its rejections, grouped."""
    out = []
    for f in report.get("files", []):
        warnings = [{"file": f["file"], "sheet": "", "row": None, "message": w} for w in f.get("warnings", [])]
        for sh in f.get("sheets", []):
            for w in sh.get("warnings", []):
                row, rest = _where(w)
                warnings.append({"file": f["file"], "sheet": sh["sheet"], "row": row, "message": rest if row else w})
        rejected = [{"file": f["file"], "sheet": x.get("sheet") or "", "row": x.get("row"), "message": x["reason"]}
                    for x in f.get("rejected", [])]
        sheets = [_sheet_view(f["file"], sh) for sh in f.get("sheets", [])]
        out.append({"file": f["file"], "format": f.get("format", ""), "region": f.get("region", ""),
                    "items": f.get("items", 0), "main_items": f.get("main_items", 0),
                    "rows_read": f.get("rows_read", 0), "sheets": sheets,
                    "warnings": grouped(warnings), "n_warnings": len(warnings),
                    "rejected": grouped(rejected), "n_rejected": len(rejected)})
    return out


def reconciliation(report: dict) -> dict | None:
    """Rows read over every file, the items, and each reason's count (None when a reason was not counted)."""
    sheets = [sh for f in report.get("files", []) for sh in f.get("sheets", [])]
    if any("row_fates" not in sh for sh in sheets):
        return None
    totals = {key: sum(sh["row_fates"].get(key, 0) for sh in sheets) for key in ROW_FATES}
    return {"rows_read": sum(sh.get("rows_read", 0) for sh in sheets),
            "items": sum(sh.get("items", 0) for sh in sheets),
            "main_items": sum(sh.get("main_items", 0) for sh in sheets),
            "reasons": [(key, ROW_FATES[key], n) for key, n in totals.items() if n]}


def _item_refs(items: pd.DataFrame, ids) -> list[dict]:
    """The items named by ``ids`` (in the lists' order): id, title, department, source row."""
    chosen = items[items["id"].isin(set(ids))]
    return [{"id": i, "title": t, "department": d, "department_id": di, "file": f, "sheet": s, "row": r}
            for i, t, d, di, f, s, r in zip(chosen["id"], chosen["title"], chosen["department"],
                                            chosen["department_id"], chosen["file"], chosen["sheet"], chosen["row"])]


def law_check(tables: Tables, laws) -> dict:
    """The citations against the law library: the share resolved, expired or repealed documents cited (with
    their items), cited articles the document does not have (with their items), titles not found."""
    c = tables.citations
    checked = c[c["resolved"].notna()] if "resolved" in c else c.iloc[:0]
    if laws is None and checked.empty:
        return {"available": False}
    resolved = checked[checked["resolved"].astype(bool)]
    documents = checked["document"].nunique()
    expired = []
    for doc, rows in resolved[resolved["expired"].fillna(False).astype(bool)].groupby("document", sort=True):
        expired.append({"document": doc, "citations": len(rows), "items": _item_refs(tables.items, rows["item_id"])})
    missing = []
    gone = resolved[resolved["article_exists"].notna() & ~resolved["article_exists"].fillna(True).astype(bool)]
    for (doc, article), rows in gone.groupby(["document", "article"], sort=True):
        missing.append({"document": doc, "article": int(article), "items": _item_refs(tables.items, rows["item_id"])})
    unresolved = checked[~checked["resolved"].astype(bool)]["document"].value_counts()
    return {"available": True, "citations": len(checked), "resolved": len(resolved),
            "share": len(resolved) / len(checked) if len(checked) else None,
            "documents": documents, "documents_resolved": resolved["document"].nunique(),
            "articles_checked": int(resolved["article_exists"].notna().sum()),
            "expired": expired, "missing": missing,
            "unresolved": [{"document": d, "count": int(n)} for d, n in unresolved.items()]}


def context(report: dict, tables: Tables, laws) -> dict:
    """What the load report page shows."""
    return {"files": file_views(report), "totals": reconciliation(report), "laws": law_check(tables, laws),
            "fold_from": FOLD_FROM}
