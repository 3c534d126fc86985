"""Tables of a saved web page, as Excel would open them.

Many systems export a list as an HTML page (often named ``.xls``), sometimes
still carrying the server template's directives (``<%@ page … %>``,
``<?php … ?>``) or without ``<html>`` at all.  Each ``<table>`` of at least two
rows becomes a sheet named by its ``<caption>``, else by the nearest heading
(``<h1>``–``<h6>``, ``<title>``) before it, else 表1, 表2….

Cells are placed on a grid as browsers do: ``rowspan``/``colspan`` become merged
ranges with the value in the top-left cell and None elsewhere, as in a
workbook.  ``<br>`` and block elements inside a cell break the line; other
whitespace collapses.  A table inside a cell is a table of its own; its text
does not go into the outer cell, and its sheet follows the outer table's.  Spans are clipped to the table (at most 1,000
columns and to its last row) and the grid is checked against the limits as it
grows, so a ``rowspan="65534" colspan="1000"`` costs nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from quanze.loaders.readers import limits
from quanze.loaders.readers.base import FileFormatError, RawSheet
from quanze.loaders.readers.text import decode_text

_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")  # what HTML collapses, and &nbsp; fillers; \u3000, \u2003 are text
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}
_BREAKS = {"p", "div", "li", "tr", "table"}
_SKIP = {"script", "style", "template", "noscript"}
MAX_COLSPAN = 1000  # as browsers clamp it


def looks_like_html(text: str) -> bool:
    """A page or fragment: it opens with markup and has a table, or opens as a page."""
    head = text.lstrip("\ufeff \t\r\n")[:65536].lower()
    if not head.startswith("<"):
        return False
    return "<table" in head or head.startswith(("<html", "<!doctype html", "<%@", "<?php", "<head", "<body"))


class _Table:
    def __init__(self, name: str) -> None:
        self.name = name
        self.caption = ""
        self.rows: list[list[object]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.busy: list[int] = []  # per column: rows above this index are taken by a rowspan
        self.spans: list[tuple[int, int, int, int]] = []  # (r0, rowspan, c0, colspan) as written
        self.col = 0
        self.cell: list[str] | None = None
        self.in_row = False
        self.order = 0  # place in the page: an inner table closes before the table around it
        self._at = (0, 0)  # the open cell

    def start_row(self) -> None:
        self.end_row()
        self.rows.append([])
        self.col = 0
        self.in_row = True

    def end_row(self) -> None:
        self.end_cell()
        self.in_row = False

    def start_cell(self, attrs: dict[str, str | None], label: str) -> None:
        self.end_cell()
        if not self.in_row:
            self.start_row()
        r = len(self.rows) - 1
        while self.col < len(self.busy) and self.busy[self.col] > r:
            self.col += 1
        rowspan = max(1, _int(attrs.get("rowspan")))
        colspan = min(MAX_COLSPAN, max(1, _int(attrs.get("colspan"))))
        c0 = self.col
        width = c0 + colspan
        limits.check_cells(label, len(self.rows), max(width, len(self.busy)))
        if width > len(self.busy):
            self.busy.extend([0] * (width - len(self.busy)))
        for c in range(c0, width):
            self.busy[c] = r + rowspan
        row = self.rows[r]
        row.extend([None] * (width - len(row)))
        self.spans.append((r, rowspan, c0, colspan))
        self.col = width
        self.cell = []
        self._at = (r, c0)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        # a <br> is a line break as written (two make a blank line, as a browser shows them);
        # the edges of block elements (\x00) break a line only once
        raw = re.sub("\x00+", "\x00", "".join(self.cell)).replace("\n\x00", "\n").replace("\x00\n", "\n")
        lines = [_SPACE.sub(" ", line).strip(" ") for line in raw.replace("\x00", "\n").split("\n")]
        text = "\n".join(lines).strip("\n")
        r, c = self._at
        self.rows[r][c] = text or None
        self.cell = None

    def finish(self, label: str) -> RawSheet:
        self.end_row()
        n = len(self.rows)
        width = max([len(self.busy)] + [len(r) for r in self.rows])
        limits.check_cells(label, n, width)
        rows = [r + [None] * (width - len(r)) for r in self.rows]
        for r0, rowspan, c0, colspan in self.spans:
            r1 = min(n, r0 + rowspan)
            if r1 - r0 > 1 or colspan > 1:
                self.merged.append((r0, r1, c0, c0 + colspan))
        return RawSheet(self.caption or self.name, rows, self.merged)


def _int(value: str | None) -> int:
    m = re.match(r"\s*(\d{1,6})", value or "")
    return int(m.group(1)) if m else 1


class _PageParser(HTMLParser):
    def __init__(self, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.label = label
        self.stack: list[_Table] = []
        self.sheets: list[tuple[int, RawSheet]] = []
        self.heading: list[str] | None = None
        self.last_heading = ""
        self.caption: list[str] | None = None
        self.skip = 0
        self.rows = 0
        self.tables = 0
        self.cells = 0  # of the tables closed so far

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        table = self.stack[-1] if self.stack else None
        a = dict(attrs)
        if tag in _HEADINGS:
            self.heading = []
        if tag == "table":
            if table is not None and table.cell is not None:
                table.cell.append("\x00")
            self.tables += 1
            limits.check_sheets(self.label, self.tables)
            self.stack.append(_Table(self.last_heading))
            self.stack[-1].order = self.tables
        elif table is None:
            return  # outside any table only headings count
        elif tag == "caption":
            self.caption = []
        elif tag == "tr":
            table.start_row()
            self.rows += 1
            limits.check_rows(self.label, self.rows)
        elif tag in ("td", "th"):
            table.start_cell(a, f"{self.label}」中的表格「{table.caption or table.name or table.order}")
        elif tag == "br" and table.cell is not None:
            table.cell.append("\n")
        elif tag in _BREAKS and table.cell is not None:
            table.cell.append("\x00")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        table = self.stack[-1] if self.stack else None
        if tag in _HEADINGS and self.heading is not None:
            text = _SPACE.sub(" ", "".join(self.heading)).strip()
            if text:
                self.last_heading = text
            self.heading = None
        if tag == "table" and table is not None:
            self.stack.pop()
            self._close(table)
        elif table is None:
            return
        elif tag == "caption" and self.caption is not None:
            table.caption = _SPACE.sub(" ", "".join(self.caption)).strip()
            self.caption = None
        elif tag in ("td", "th"):
            table.end_cell()
        elif tag == "tr":
            table.end_row()
        elif tag in _BREAKS and table.cell is not None:
            table.cell.append("\x00")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.heading is not None:
            self.heading.append(data)
        if self.caption is not None:
            self.caption.append(data)
        elif self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell.append(data)

    def _close(self, table: _Table) -> None:
        sheet = table.finish(f"{self.label}」中的表格「{table.caption or table.name}")
        self.cells += len(sheet.rows) * len(sheet.rows[0]) if sheet.rows else 0
        limits.check_file_cells(self.label, self.cells)
        if len(sheet.rows) >= 2:
            self.sheets.append((table.order, sheet))

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(self.stack.pop())


def read_html(path: Path) -> list[RawSheet]:
    parser = _PageParser(path.name)
    text = decode_text(path.read_bytes())
    for start in range(0, len(text), 1 << 20):  # fed in pieces: limits are checked as the page is read
        parser.feed(text[start:start + (1 << 20)])
    parser.close()
    if not parser.sheets:
        raise FileFormatError("网页中没有至少两行的表格，无法导入；请在 Excel/WPS 中打开后另存为 .xlsx")
    return _name([sheet for _order, sheet in sorted(parser.sheets, key=lambda p: p[0])])


def _name(sheets: list[RawSheet]) -> list[RawSheet]:
    """Unnamed tables become 表1, 表2…; a repeated name gets （2）, （3）…."""
    seen: dict[str, int] = {}
    for n, sheet in enumerate(sheets, 1):
        base = sheet.name or f"表{n}"
        seen[base] = seen.get(base, 0) + 1
        sheet.name = base if seen[base] == 1 else f"{base}（{seen[base]}）"
    return sheets
