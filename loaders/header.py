"""Find the tables of a sheet: their header rows and what each column holds.

Published sheets put title rows above the header (anywhere in the first
``SCAN_ROWS`` rows), write headers with line breaks (``事项\\n名称``), use
two-level headers (实施层级及权限 over 层级 | 权限), repeat the header on every
printed page, and sometimes put a second table with its own header (and its
own column order) below the first.  A header row is one whose cells read like
labels, not data; among the candidates, the one whose columns map best —
header and cells together (:mod:`quanze.loaders.columns`) — wins.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass, field

from quanze.loaders.columns import (FIELD_LABELS, SAMPLE_ROWS, ColumnEvidence, assign, cell_signs, column_cells,
                                    header_key, header_scores, sub_item_share, synonyms)
from quanze.loaders.reference import table
from quanze.loaders.text import compact

SCAN_ROWS = 60
CANDIDATES = 6  # label-like rows evaluated in full, in order from the top


@dataclass
class HeaderMap:
    """One table of a sheet: header rows ``first_row..row`` (0-based), data up to ``end``."""

    row: int  # 0-based index of the last header row; data starts below it
    columns: dict[int, str]  # column index → canonical field
    labels: dict[int, str] = field(default_factory=dict)  # column index → header as published
    warnings: list[str] = field(default_factory=list)
    first_row: int = -1
    end: int | None = None  # 0-based row where the next table's header starts
    evidence: dict[int, ColumnEvidence] = field(default_factory=dict)
    ignored: dict[int, str] = field(default_factory=dict)  # column → header of a column not imported
    title_start: int = 0  # first row of the titles above this table's header
    keys: dict[int, str] = field(default_factory=dict)  # mapped column → its header cell, compared form

    def column_of(self, name: str) -> int | None:
        return next((c for c, f in self.columns.items() if f == name), None)

    def mapping(self) -> list[dict]:
        """Which column became which field, on what evidence: for the load report."""
        return [{"column": column_letter(c), "header": self.labels.get(c, ""), "field": f,
                 "field_label": FIELD_LABELS[f], "evidence": self.evidence[c].kind,
                 "how": self.evidence[c].how, "score": self.evidence[c].score}
                for c, f in sorted(self.columns.items())]


def column_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def column_index(letter: str) -> int | None:
    if not re.fullmatch(r"[A-Za-z]{1,3}", letter):
        return None
    n = 0
    for ch in letter.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def field_of(text: object) -> str | None:
    """Canonical field an exact synonym names, or None (headers.yaml); cheap enough for every row."""
    key = header_key(text)
    if not key:
        return None
    syn = synonyms()
    return syn.get(key) or syn.get(re.sub(r"\(.*?\)", "", key))


@functools.cache
def _spanning() -> dict[str, list[str]]:
    return {header_key(k): v for k, v in table("headers")["spanning"].items()}


@functools.lru_cache(maxsize=16384)
def _label_like(text: str) -> bool:
    """A cell that reads like a column label: short, and not a value of any field."""
    if not text or len(text) > 24:
        return False
    s = cell_signs(text)
    return not (s.category or s.seq or s.code or s.cite or s.body or (s.levels and not header_scores(text)))


def _label_share(row: list) -> tuple[int, float]:
    texts = [t for t in (compact(c) for c in row if c is not None and c != "") if t]
    if len(set(texts)) < 2:
        return 0, 0.0
    like = sum(_label_like(t) for t in texts)
    return like, like / len(texts)


# ---- header labels over one or two rows ----------------------------------------------------

def _header_parts(rows, first: int, last: int, merged, width: int) -> list[list[tuple[str, int]]]:
    """Per column, the header texts of rows first..last with their position inside a merged span."""
    spans: dict[tuple[int, int], tuple[int, int, int]] = {}  # (row, col) → (top row, left col, index)
    for r0, r1, c0, c1 in merged:
        if r1 <= first or r0 > last:
            continue
        for r in range(max(r0, first), min(r1, last + 1)):
            for c in range(c0, min(c1, width)):
                spans[(r, c)] = (r0, c0, c - c0)
    out: list[list[tuple[str, int]]] = [[] for _ in range(width)]
    for r in range(first, last + 1):
        row = rows[r]
        for c in range(width):
            if (r, c) in spans:
                r0, c0, idx = spans[(r, c)]
                text = compact(rows[r0][c0]) if c0 < len(rows[r0]) else ""
            else:
                text, idx = (compact(row[c]) if c < len(row) else ""), 0
            if text and (not out[c] or out[c][-1][0] != text):
                out[c].append((text, idx))
    # a spanning header with an empty or repeated neighbour and no merge (实施层级及权限 | "" or the same again)
    for c in range(1, width):
        left = out[c - 1][-1] if out[c - 1] else None
        if left and left[1] == 0 and header_key(left[0]) in _spanning() and (not out[c] or out[c] == [left]):
            out[c] = [(left[0], 1)]
    return out


def _column_header_scores(parts: list[tuple[str, int]]) -> dict[str, tuple[float, str]]:
    """Field → (score, how) for one column: the lowest header row counts most."""
    best: dict[str, tuple[float, str]] = {}
    for k, (text, idx) in enumerate(parts):
        weight = 1.0 if k == len(parts) - 1 else 0.9
        span = _spanning().get(header_key(text))
        if span and idx < len(span) and (idx > 0 or len(parts) == 1 or k == len(parts) - 1):
            offers = [(span[idx], 1.0, "表头（同义词）")]
        elif span and idx >= len(span):
            offers = []
        else:
            offers = list(header_scores(text))
        for f, s, how in offers:
            if s * weight > best.get(f, (0.0, ""))[0]:
                best[f] = (s * weight, how)
    return best


def _is_subheader(rows, r: int, merged) -> bool:
    """Row r+1 names sub-columns of row r (层级 | 权限 under 实施层级及权限)."""
    if r + 1 >= len(rows):
        return False
    sub = rows[r + 1]
    cols = [c for c, v in enumerate(sub) if compact(v)]
    if not cols or not all(_label_like(compact(sub[c])) for c in cols):
        return False
    across = [(c0, c1) for r0, r1, c0, c1 in merged if r0 <= r < r1 and c1 - c0 >= 2 and r1 <= r + 1]
    head = rows[r]
    vertical = {c0 for r0, r1, c0, _c1 in merged if r0 <= r and r1 >= r + 2}
    for c in cols:
        under_span = any(c0 <= c < c1 for c0, c1 in across)
        empty_above = c >= len(head) or not compact(head[c]) or c in vertical and compact(sub[c]) == compact(head[c])
        if not (under_span or empty_above):
            return False
    return True


# ---- tables -------------------------------------------------------------------------------

@dataclass
class _Candidate:
    first: int
    last: int
    assigned: dict[int, ColumnEvidence]
    labels: dict[int, str]
    total: float
    duplicates: set[int] = field(default_factory=set)


_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_key_row(rows, r: int) -> bool:
    """Row r holds field keys (libNum, catalogId …) over a row of Chinese labels: both are the header."""
    keys = [t for t in (compact(c) for c in rows[r] if c is not None) if t]
    ascii_keys = sum(bool(_KEY.match(k)) for k in keys)
    if r + 1 >= len(rows) or ascii_keys < 3 or ascii_keys < 0.25 * len(keys):
        return False
    like, share = _label_share(rows[r + 1])
    return like >= 3 and share >= 0.8


def _evaluate(rows, first: int, merged, width: int, fixed: dict[int, str]) -> _Candidate | None:
    """Row ``first`` taken as a header: its columns assigned; None when no item-name column is found."""
    last = first + 1 if _is_subheader(rows, first, merged) or _is_key_row(rows, first) else first
    parts = _header_parts(rows, first, last, merged, width)
    data = rows[last + 1:last + 1 + SAMPLE_ROWS]
    n = sum(1 for r in data if any(compact(v) for v in r))
    cells = [column_cells([compact(r[c]) if c < len(r) else "" for r in data], n) for c in range(width)]
    hs = [_column_header_scores(p) for p in parts]
    seen: set[tuple] = set()
    duplicates = set()
    for c, p in enumerate(parts):  # a header written twice: the first column is the one
        if p and tuple(p) in seen and any(s >= 1.0 for s, _ in hs[c].values()):
            duplicates.add(c)
            hs[c], cells[c] = {}, column_cells([], 0)
        seen.add(tuple(p))
    assigned = assign(hs, cells, fixed)
    if not any(e.field == "name" for e in assigned.values()) or len(assigned) < 2:
        return None
    _find_sub_name(assigned, data, cells, width)
    _, share = _label_share(rows[first])
    total = sum(e.score for e in assigned.values()) * share
    labels = {c: "/".join(t for t, _ in parts[c]) for c in range(width) if parts[c]}
    return _Candidate(first, last, assigned, labels, total, duplicates)


def _find_sub_name(assigned: dict[int, ColumnEvidence], data, cells, width: int) -> None:
    """A 子项 column no header named: item-like and filled within multi-row 主项, or right after the name.

    Only a column left unassigned or assigned on weak evidence is taken.
    """
    if any(e.field == "sub_name" for e in assigned.values()):
        return
    name_col = next(c for c, e in assigned.items() if e.field == "name")
    names = [compact(r[name_col]) if name_col < len(r) else "" for r in data]

    def free(c: int) -> bool:
        e = assigned.get(c)
        return (e is None or e.score < 0.5 and e.how != "指定") and bool(cells[c].shares) \
            and cells[c].shares.get("name", 0) >= 0.5 and cells[c].filled <= 0.9

    for c in range(width):
        if not free(c):
            continue
        share = sub_item_share([compact(r[c]) if c < len(r) else "" for r in data], names)
        if share >= 0.6:
            score = round(0.5 + 0.4 * share * cells[c].shares["name"], 3)
            assigned[c] = ColumnEvidence("sub_name", 0.0, round(share, 3), score, "内容（同一主项的各行各不相同）")
            return
    c = name_col + 1
    if c < width and free(c) and cells[c].filled <= 0.5:
        assigned[c] = ColumnEvidence("sub_name", 0.0, cells[c].shares["name"], 0.45, "内容（紧随事项名称、多数为空）")


def _candidates(rows) -> list[int]:
    """The first label-like rows of a sheet (at most ``CANDIDATES`` among its first ``SCAN_ROWS``)."""
    out = []
    for r in range(min(SCAN_ROWS, len(rows))):
        like, share = _label_share(rows[r])
        if like >= 2 and share >= 0.6:
            out.append(r)
            if len(out) >= CANDIDATES:
                break
    return out


def find_tables(rows: list[list[object]], merged: list[tuple[int, int, int, int]],
                override: dict[str, str] | None = None) -> list[HeaderMap]:
    """Every table of a sheet, top to bottom; empty when no row looks like a header.

    ``override`` (column letter or header text → field, or ``ignore``) is an
    analyst's mapping; the columns it names are taken as it says.
    """
    width = max((len(r) for r in rows), default=0)
    missing: set[str] = set()

    def evaluate(r: int) -> _Candidate | None:
        fixed, unknown = _fixed(override, rows[r:r + 2], width) if override else ({}, set())
        missing.update(unknown)
        return _evaluate(rows, r, merged, width, fixed)

    best = None
    for r in _candidates(rows):
        cand = evaluate(r)
        if cand is not None and (best is None or cand.total > best.total * 1.05):
            best = cand
    tables: list[HeaderMap] = []
    while best is not None:
        h = _to_header_map(best, width, rows)
        if tables:  # the title rows right above a header belong to its table
            t = best.first
            while t - 1 > tables[-1].row and len({compact(v) for v in rows[t - 1]} - {""}) <= 1:
                t -= 1
            tables[-1].end = h.title_start = t
        tables.append(h)
        best, r = None, h.row + 1
        while best is None and (r := _next_table_start(rows, h, r)) is not None:
            best, r = evaluate(r), r + 1
    if tables and missing:
        tables[0].warnings.append(f"列映射文件中的「{'」「'.join(sorted(missing))}」在本表中没有对应的列，未使用")
    return tables


def _fixed(override: dict[str, str], header_rows: list[list], width: int) -> tuple[dict[int, str], set[str]]:
    """Columns an analyst's mapping names (by letter, or by a header cell of the header's rows), and the keys that name none."""
    out: dict[int, str] = {}
    unknown = set()
    keys = {header_key(v): c for row in reversed(header_rows) for c, v in enumerate(row) if compact(v)}
    for key, f in override.items():
        c = column_index(key)
        if c is None:
            c = keys.get(header_key(key))
        if c is not None and c < width:
            out[c] = f
        else:
            unknown.add(key)
    return out, unknown


def _to_header_map(cand: _Candidate, width: int, rows) -> HeaderMap:
    h = HeaderMap(row=cand.last, columns={}, first_row=cand.first)
    head = rows[cand.first]
    h.keys = {c: header_key(head[c]) for c in cand.assigned if c < len(head)}
    for c in range(width):
        e = cand.assigned.get(c)
        label = cand.labels.get(c, "")
        if e is not None and e.field in FIELD_LABELS:
            h.columns[c], h.labels[c], h.evidence[c] = e.field, label, e
        elif label:
            h.ignored[c] = label
            where = f"第{c + 1}列（{column_letter(c)}列）「{label}」"
            h.warnings.append(where + ("按列映射文件忽略" if e is not None else "与前面的列重复，已忽略"
                                       if c in cand.duplicates else "不是可识别的表头，内容也不能判断是哪个字段，该列未导入"))
    return h


def _next_table_start(rows, h: HeaderMap, start: int) -> int | None:
    """The first row from ``start`` that reads like another table's header, or None.

    A row that repeats this table's header (a printed page) is not a new table.
    """
    for r in range(start, len(rows)):
        row = rows[r]
        short = [t for t in (compact(c) for c in row if c is not None and c != "") if t and len(t) <= 24]
        if len(short) < 3:
            continue
        like, share = _label_share(row)
        if like < 3 or share < 0.75 or is_repeated_header(row, h):
            continue
        scores = [header_scores(t) for t in short]
        named = sum(1 for sc in scores if sc and sc[0][1] >= 0.6)
        if named >= 2 and any(f == "name" and s >= 0.5 for sc in scores for f, s, _ in sc):
            return r
    return None


def is_repeated_header(row: list, h: HeaderMap) -> bool:
    """The table's own header printed again on a new page (most of its mapped cells say the same)."""
    keys = h.keys
    name_col = h.column_of("name")
    if name_col is None or name_col >= len(row) or header_key(row[name_col]) != keys.get(name_col):
        return False
    same = sum(1 for c, k in keys.items() if c < len(row) and k and header_key(row[c]) == k)
    return same >= max(2, 0.7 * len(h.columns))


# ---- an analyst's mapping file --------------------------------------------------------------

def load_overrides(path) -> list[tuple[str, dict[str, str]]]:
    """``--columns mapping.yaml``: file or sheet pattern → {column letter or header: field}.

    Fields are the canonical names (name, basis …), their Chinese labels
    (事项名称, 实施依据 …) or ``忽略``/``ignore``.  Raises ValueError with a
    Chinese message naming the pattern and key when the file is malformed.
    """
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise ValueError(f"列映射文件 {path} {where}不是有效的 YAML") from None
    if not isinstance(data, dict):
        raise ValueError(f"列映射文件 {path} 应为「文件或工作表名 → {{列: 字段}}」的映射")
    by_label = {v: k for k, v in FIELD_LABELS.items()}
    out = []
    for pattern, cols in data.items():
        if not isinstance(cols, dict):
            raise ValueError(f"列映射文件 {path} 中「{pattern}」下应为「列字母或表头: 字段」")
        mapping = {}
        for key, f in cols.items():
            f = str(f)
            canon = "ignore" if f in ("ignore", "忽略") else f if f in FIELD_LABELS else by_label.get(f)
            if canon is None:
                raise ValueError(f"列映射文件 {path} 中「{pattern}」的「{key}」: 未知字段「{f}」，"
                                 f"可用：{'、'.join(FIELD_LABELS.values())} 或 忽略")
            mapping[str(key)] = canon
        out.append((str(pattern), mapping))
    return out


def override_for(overrides, file: str, sheet: str) -> dict[str, str] | None:
    """The mapping of the first pattern that matches ``file``, ``sheet`` or ``file:sheet``."""
    for pattern, mapping in overrides or ():
        if any(fnmatch.fnmatch(s, pattern) for s in (file, sheet, f"{file}:{sheet}")):
            return mapping
    return None


__all__ = ["HeaderMap", "column_letter", "field_of", "find_tables", "is_repeated_header",
           "load_overrides", "override_for"]
