"""What the finding page and the item page show: a finding's items side by side with their differences
marked, the provisions they share with the article's text from the law library, the evidence in Chinese
sentences, and the neighbouring findings in the list the analyst came from; an item with all its fields,
its source row and its findings.

The pages' routes (api/web.py) only call :func:`finding_context` and :func:`item_context`.
"""

from __future__ import annotations

import difflib
import html

from markupsafe import Markup

from quanze.tables import Tables

# the fields an analyst compares, in the order the page shows them: (field of the record, label)
COMPARED = [("name", "事项名称"), ("sub_name", "子项名称"), ("category", "权力类别"), ("department", "实施主体"),
            ("levels", "层级"), ("unit", "承办机构"), ("scope", "权限范围"), ("basis_text", "实施依据"),
            ("responsibilities_text", "责任事项"), ("accountability", "追责情形")]
# every field of an item as its page lists them
ITEM_FIELDS = [("seq", "序号"), ("code", "事项编码"), *COMPARED[:7], ("co_departments", "协办部门"),
               ("basis_text", "实施依据"), ("responsibilities_text", "责任事项"),
               ("responsibility_basis", "责任事项依据"), ("accountability", "追责情形"),
               ("accountability_scope", "追责对象范围"), ("accountability_basis", "追责依据"),
               ("duties", "部门职责"), ("remedy", "救济途径"), ("remarks", "备注")]
LONG_TEXT = 12  # characters from which differing cells are compared word by word, not as a whole


def _value(item, field: str) -> str:
    value = getattr(item, field, "")
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return "" if value is None else str(value)


def _tokens(text: str) -> list[str]:
    """Text cut for a comparison a reader follows: runs of Chinese characters one by one, other runs whole."""
    out, run = [], ""
    for ch in text:
        if ch.isascii() and ch.isalnum():
            run += ch
            continue
        if run:
            out.append(run)
            run = ""
        out.append(ch)
    if run:
        out.append(run)
    return out


def marked(text: str, others: list[str]) -> Markup:
    """``text`` as HTML with the parts the most similar other text lacks wrapped in ``<ins class="only">``
    (difflib)."""
    if not others:
        return Markup(html.escape(text))
    mine = _tokens(text)
    # the closest other text by the counts of shared tokens (linear), then one full comparison with it
    best = max(others, key=lambda o: difflib.SequenceMatcher(None, mine, _tokens(o), autojunk=False).quick_ratio())
    matcher = difflib.SequenceMatcher(None, mine, _tokens(best), autojunk=False)
    parts = []
    for op, a0, a1, _b0, _b1 in matcher.get_opcodes():
        chunk = html.escape("".join(mine[a0:a1]))
        if op == "equal" or not chunk.strip():
            parts.append(chunk)
        elif op in ("replace", "delete"):
            parts.append(f'<ins class="only" title="其他事项没有这部分">{chunk}</ins>')
    return Markup("".join(parts))


def compare(records: list) -> list[dict]:
    """One row per compared field: each item's value, whether they differ, and each value with the words
    the others lack marked (when the values are long enough to compare word by word)."""
    rows = []
    for field, label in COMPARED:
        values = [_value(r, field) for r in records]
        if not any(values):
            continue
        differs = len(set(v.strip() for v in values)) > 1
        cells = []
        for n, v in enumerate(values):
            others = [o for m, o in enumerate(values) if m != n and o]
            if differs and v and len(v) >= LONG_TEXT and others:
                cells.append(marked(v, others))
            else:
                cells.append(Markup(html.escape(v)) if v else Markup('<span class="meta">（未填写）</span>'))
        rows.append({"field": field, "label": label, "differs": differs, "cells": cells})
    return rows


def shared_provisions(tables: Tables, item_ids: list[str], laws) -> list[dict]:
    """The articles every one of the items cites (document, 第X条), each with the article's text from the
    law library when it has the document and the article; for a single item, the articles it cites."""
    c = tables.citations
    mine = c[c["item_id"].isin(set(item_ids)) & c["article"].notna()]
    if mine.empty:
        return []
    by_item = mine.groupby("item_id")["article_key"].agg(set)
    keys = set.intersection(*(by_item.get(i, set()) for i in dict.fromkeys(item_ids)))
    out = []
    for key in sorted(keys, key=lambda k: (k.split("#")[0], int(k.split("#")[1]))):
        rows = mine[mine["article_key"] == key]
        document, article = key.split("#")[0], int(key.split("#")[1])
        entry = {"document": document, "article": article, "title": document, "text": "", "expired": None,
                 "cited_as": sorted(set(rows["article_text"]) - {""})}
        doc = laws.lookup(document) if laws is not None else None
        if doc is not None:
            entry.update(title=doc.name, expired=doc.expired, publish=doc.publish, text=doc.article(article))
        out.append(entry)
    return out


def _records(tables: Tables, subjects: list[dict]) -> list:
    """The records of a finding's items that the tables still hold (None for one they do not)."""
    return [tables.item(s["id"]) if s.get("id") in tables.position else None for s in subjects]


def finding_context(f: dict, tables: Tables | None, laws, neighbours: dict | None) -> dict:
    """What the finding page shows of ``f``, its dataset's tables (None when the dataset is gone) and its
    neighbours in the list it was opened from."""
    records = _records(tables, f.get("subjects") or []) if tables is not None else []
    present = [r for r in records if r is not None]
    return {"records": records, "compare": compare(present) if len(present) > 1 else [],
            "single": present[0] if len(present) == 1 else None,
            "provisions": shared_provisions(tables, [r.id for r in present], laws) if present else [],
            "neighbours": neighbours}


def item_context(tables: Tables, item_id: str, laws) -> dict | None:
    """An item's page: every field that has a value, its source, its citations (with the article's text)."""
    if item_id not in tables.position:
        return None
    it = tables.item(item_id)
    fields = [(label, _value(it, f)) for f, label in ITEM_FIELDS if _value(it, f)]
    fields = list(dict((label, (label, v)) for label, v in fields).values())
    return {"item": it, "fields": fields, "citations": shared_provisions(tables, [item_id], laws),
            "all_citations": it.citations}


def finding_page(svc, fingerprint: str, args, query: dict) -> dict | None:
    """The finding page's context: the finding as the run ``args["run"]`` found it (else as the latest run
    did), its dataset's items compared, the shared provisions, the evidence in Chinese, and its neighbours in
    that run's findings list filtered and sorted by ``query`` (api/web.py ``finding_query``); None when there
    is no such finding."""
    from quanze.api.reports import evidence_text
    from quanze.api.web import PER_PAGE, query_args

    store = svc.store
    f = store.run_finding(args["run"], fingerprint) if args.get("run") else None
    f = f or store.finding(fingerprint)
    if f is None:
        return None
    run = store.run(f["run_id"])
    dataset_id = run["dataset_id"] if run else None
    tables = svc.load(dataset_id).tables if dataset_id and store.dataset(dataset_id) is not None else None
    filters = {k: query[k] for k in ("rule", "severity", "department", "status", "q")}
    neighbours = store.neighbours(f["run_id"], fingerprint, sort=query["sort"], order=query["order"], **filters)
    state = query_args(query)
    per_page = PER_PAGE
    if args.get("per_page", "").isdigit() and 1 <= int(args["per_page"]) <= 500:
        per_page = int(args["per_page"])
        state["per_page"] = per_page
    if neighbours:
        neighbours["page"] = (neighbours["position"] - 1) // per_page + 1
    lines = [line for line in evidence_text(f.get("evidence") or {}).splitlines() if line.strip()]
    return {"f": f, "run_id": f["run_id"], "dataset_id": dataset_id, "state": state, "evidence": lines,
            "filtered": any(filters.values()), "laws_configured": svc.laws is not None,
            **finding_context(f, tables, svc.laws, neighbours)}
