"""Find the header row of a sheet and map its columns to canonical fields.

Published sheets put one or more title rows above the header, write headers with
line breaks (``事项\\n名称``), and use two-level headers (实施层级及权限 over
two sub-columns).  The header is the row among the first ``SCAN_ROWS`` whose
cells map to the most fields of ``data/headers.yaml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from quanze.loaders.reference import table
from quanze.loaders.text import compact

SCAN_ROWS = 20


@dataclass
class HeaderMap:
    row: int  # 0-based index of the last header row; data starts below it
    columns: dict[int, str]  # column index → canonical field
    labels: dict[int, str] = field(default_factory=dict)  # column index → header as published
    warnings: list[str] = field(default_factory=list)

    def column_of(self, name: str) -> int | None:
        return next((c for c, f in self.columns.items() if f == name), None)


def header_key(text: object) -> str:
    return re.sub(r"[*＊\s]", "", compact(text))


@functools.cache
def _synonyms() -> dict[str, str]:
    out = {}
    for name, synonyms in table("headers")["fields"].items():
        for s in synonyms:
            out[header_key(s)] = name
    return out


@functools.cache
def _spanning() -> dict[str, list[str]]:
    return {header_key(k): v for k, v in table("headers")["spanning"].items()}


def field_of(text: object) -> str | None:
    """Canonical field named by a header cell, or None."""
    key = header_key(text)
    if not key:
        return None
    syn = _synonyms()
    if key in syn:
        return syn[key]
    if key in _spanning():
        return _spanning()[key][0]
    bare = re.sub(r"\(.*?\)", "", key)
    return syn.get(bare)


def _score(row: list[object]) -> tuple[int, bool]:
    fields = {field_of(c) for c in row} - {None}
    return len(fields), "name" in fields


def find_header(rows: list[list[object]], merged: list[tuple[int, int, int, int]]) -> HeaderMap | None:
    """The header of a sheet, or None when no row looks like one."""
    best, best_score = None, 0
    for r, row in enumerate(rows[:SCAN_ROWS]):
        score, has_name = _score(row)
        if has_name and score > best_score:
            best, best_score = r, score
    if best is None or best_score < table("headers")["min_header_fields"]:
        return None
    return _map_columns(rows, best, merged)


def _map_columns(rows, r: int, merged) -> HeaderMap:
    header = rows[r]
    width = max(len(x) for x in rows[r:r + 2])
    h = HeaderMap(row=r, columns={}, labels={})
    spans = {m[2]: m[3] for m in merged if m[0] <= r < m[1]}
    for c in range(width):
        if c in h.columns:  # taken by a two-column header on its left
            continue
        text = header[c] if c < len(header) else None
        f = field_of(text)
        if f is None:
            if compact(text):
                h.warnings.append(f"第{c + 1}列「{compact(text)}」不是可识别的表头，该列未导入")
            continue
        if f in h.columns.values():
            h.warnings.append(f"第{c + 1}列「{compact(text)}」与前面的列重复，已忽略")
            continue
        h.columns[c] = f
        h.labels[c] = compact(text)
        span = _spanning().get(header_key(text))
        if span:
            _map_span(rows, r, c, span, spans, h)
    _apply_subheader(rows, h)
    return h


def _map_span(rows, r: int, c: int, span: list[str], spans: dict[int, int], h: HeaderMap) -> None:
    """Give the second field of a two-column header to the neighbouring column."""
    header = rows[r]
    nxt = header[c + 1] if c + 1 < len(header) else None
    merged_across = spans.get(c, c + 1) > c + 1
    if (merged_across or not compact(nxt) or header_key(nxt) == header_key(header[c])) \
            and span[1] not in h.columns.values():
        h.columns[c + 1] = span[1]
        h.labels[c + 1] = compact(header[c])


def _apply_subheader(rows, h: HeaderMap) -> None:
    """A second header row that names sub-columns (层级 | 权限) refines the mapping."""
    if h.row + 1 >= len(rows):
        return
    sub = rows[h.row + 1]
    named = {c: field_of(v) for c, v in enumerate(sub) if compact(v)}
    if not named or any(f is None for f in named.values()):
        return
    for c, f in named.items():
        if f not in h.columns.values() or h.columns.get(c) == f or c in h.columns:
            h.columns[c] = f
            h.labels[c] = compact(sub[c])
    h.row += 1
