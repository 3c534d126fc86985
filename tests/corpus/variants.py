"""Variants of the real published lists: the same items in other wordings, orders and formats.

    python tests/corpus/variants.py OUTDIR [--src ../shared/data/klmy] [--seed 7]

Each list is read with the project's own reader, and its header rows and column fields
are taken from the original load report (``header_row``, ``columns``), so a variant says
exactly what the published list says, only differently.  The variants, per list:

- ``wording-other``: header cells in wordings other provinces use (``wordings.yaml``), xlsx;
- ``wording-invented``: header cells in wordings found nowhere in ``headers.yaml``, xlsx;
- ``reordered``: columns permuted, merged ranges moved with their columns, xlsx;
- ``csv``: reworded and reordered, merged cells filled down, title rows kept, UTF-8 with BOM
  (one file per sheet);
- ``jsonl``: one object per row below the header, keys the reworded headers, the list's
  department in a key of its own (no title rows; one file per sheet);
- ``html``: a saved page (JSP directive first), one ``<table>`` per sheet, vertical merges as
  ``rowspan``, the title as a heading;
- ``no-category``: the category column removed, sheet names and titles as published.

A variant is loaded as well as the original when it gives the same multiset of
``(name, sub_name, category, department, basis_text)`` (``Variant.expected``).
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import yaml
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

from quanze.loaders import load_files
from quanze.loaders.formats import RawSheet, detect_format, read_sheets
from quanze.loaders.model import SheetReport
from quanze.loaders.reference import table
from quanze.loaders.sheet import fill_merged_down
from quanze.loaders.text import compact

KINDS = ("wording-other", "wording-invented", "reordered", "csv", "jsonl", "html", "no-category")
COMPARED = tuple(k for k in KINDS if k != "no-category")  # no-category loses what the comparison needs
JSP_DIRECTIVE = '<%@ page contentType="text/html;charset=UTF-8"%>'
ROW_WIDE = 3  # a merge under the header over this many columns is a section or note row, not a column group
SHARED = Path(os.environ.get("QUANZE_SHARED", Path(__file__).resolve().parents[3] / "shared"))  # as in conftest
Key = tuple[str, str, "str | None", str, str]


@dataclass
class Variant:
    kind: str
    source: str  # the original list's file name
    paths: list[Path]
    expected: list[Key]  # the original load's items, sorted


@dataclass
class Table:
    """One sheet of a list with what the original load found in it."""

    sheet: RawSheet
    top: int  # first header row, 0-based
    bottom: int  # last header row, 0-based
    fields: dict[int, str]  # column → canonical field (both columns of a 层级|权限 pair)
    wording_keys: dict[tuple[int, int], str]  # header cell (row, column) → key into wordings.yaml
    primary: dict[str, int]  # field → the column the loader reads it from (the first)

    @property
    def title_rows(self) -> list[list[object]]:
        return self.sheet.rows[:self.top]


@functools.cache
def wordings() -> dict[str, dict[str, list[str]]]:
    with Path(__file__).with_name("wordings.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.cache
def _spanning_labels() -> dict[str, list[str]]:
    return {compact(k): v for k, v in table("headers")["spanning"].items()}


def item_key(item) -> Key:
    return (item.name, item.sub_name, item.category, item.department, item.basis_text)


# --- understanding a sheet from the original report ---------------------------------------

def _width(sheet: RawSheet) -> int:
    return max((c + 1 for row in sheet.rows for c, v in enumerate(row) if compact(v)), default=0)


def _trimmed(sheet: RawSheet) -> RawSheet:
    """The sheet without the empty columns on its right (some lists are 256 columns wide)."""
    width = _width(sheet)
    rows = [list(r[:width]) + [None] * (width - len(r[:width])) for r in sheet.rows]
    while rows and not any(compact(v) for v in rows[-1]):
        rows.pop()
    merged = [(r0, min(r1, len(rows)), c0, min(c1, width)) for r0, r1, c0, c1 in sheet.merged
              if c0 < width and r0 < len(rows)]
    kept = []
    for r0, r1, c0, c1 in merged:
        if (r1 - r0) * (c1 - c0) <= 1:
            continue
        if any(compact(rows[r][c]) for r in range(r0, r1) for c in range(c0, c1) if (r, c) != (r0, c0)):
            # a range over cells that have values of their own (科技局): written out as the loader
            # reads it, the top value copied into the empty cells of its first column
            for r in range(r0 + 1, r1):
                if rows[r][c0] in (None, ""):
                    rows[r][c0] = rows[r0][c0]
            continue
        kept.append((r0, r1, c0, c1))
    return RawSheet(sheet.name, rows, kept)


def analyse(sheet: RawSheet, report: SheetReport) -> Table | None:
    """The header rows and column fields of ``sheet`` as its load report gives them."""
    if report.header_row is None:
        return None
    sheet = _trimmed(sheet)
    labels = report.columns
    bottom = report.header_row - 1
    top = bottom
    while top > 0 and any(compact(v) in labels for v in sheet.rows[top - 1]):
        top -= 1
    fields: dict[int, str] = {}
    keys: dict[tuple[int, int], str] = {}
    for r in range(top, bottom + 1):
        for c, v in enumerate(sheet.rows[r]):
            label = compact(v)
            if label in _spanning_labels():  # also the top of a 层级 | 权限 pair the report names by its sub-headers
                keys[(r, c)] = "spanning"
            elif label in labels:
                keys[(r, c)] = labels[label]
    width = len(sheet.rows[0]) if sheet.rows else 0
    for c in range(width):
        if c in fields:
            continue
        label = next((compact(sheet.rows[r][c]) for r in range(bottom, top - 1, -1)
                      if compact(sheet.rows[r][c]) in labels), None)
        if label is None:
            continue
        span = _spanning_labels().get(label)
        if span and labels[label] == span[1] and c + 1 < width:
            fields[c], fields[c + 1] = span  # the loader gave the second field to the neighbour
        else:
            fields[c] = labels[label]
    primary: dict[str, int] = {}
    for c, f in sorted(fields.items()):
        primary.setdefault(f, c)
    return Table(sheet, top, bottom, fields, keys, primary)


# --- transformations ------------------------------------------------------------------------

def _choose(pool: str, rng: random.Random) -> dict[str, str]:
    """One wording per field, drawn once for a whole list."""
    return {f: rng.choice(ws) for f, ws in wordings()[pool].items()}


def reworded(t: Table, words: dict[str, str]) -> Table:
    rows = [list(r) for r in t.sheet.rows]
    for (r, c), key in t.wording_keys.items():
        rows[r][c] = words[key]
    return replace(t, sheet=replace(t.sheet, rows=rows))


def _column_blocks(t: Table) -> list[list[int]]:
    """Columns that must stay side by side: a 层级|权限 pair, or cells merged across columns."""
    width = len(t.sheet.rows[0])
    parent = list(range(width))

    def root(c: int) -> int:
        while parent[c] != c:
            c = parent[c]
        return c

    fixed = _row_wide(t)
    for r0, _r1, c0, c1 in t.sheet.merged:
        if r0 >= t.top and r0 not in fixed:  # a header cell over sub-columns, or two cells of a row
            for c in range(c0 + 1, c1):
                parent[root(c)] = root(c0)
    for c in range(width - 1):
        if t.fields.get(c) == "levels" and t.fields.get(c + 1) == "scope" \
                and t.wording_keys.get((t.bottom, c + 1), "spanning") == "spanning":
            parent[root(c + 1)] = root(c)
    blocks: dict[int, list[int]] = {}
    for c in range(width):
        blocks.setdefault(root(c), []).append(c)
    return list(blocks.values())


def _row_wide(t: Table) -> set[int]:
    """Rows under the header holding a cell merged across the table (a section or a note): they stay put."""
    return {r for r0, r1, c0, c1 in t.sheet.merged if r0 > t.bottom and c1 - c0 >= ROW_WIDE for r in range(r0, r1)}


def reordered(t: Table, rng: random.Random) -> Table:
    """Columns permuted block by block; a column the loader ignores goes to the right."""
    blocks = _column_blocks(t)
    read = set(t.primary.values())
    moving = [b for b in blocks if read & set(b)]
    rng.shuffle(moving)
    order = [c for b in moving + [b for b in blocks if not read & set(b)] for c in b]
    new_of = {old: new for new, old in enumerate(order)}
    fixed = _row_wide(t)
    rows = [list(r) if r_no < t.top or r_no in fixed else [r[c] for c in order]
            for r_no, r in enumerate(t.sheet.rows)]
    merged = []
    for m in t.sheet.merged:
        r0, r1, c0, c1 = m
        if r0 < t.top or r0 in fixed:
            merged.append(m)
        else:
            start = min(new_of[c] for c in range(c0, c1))
            merged.append((r0, r1, start, start + c1 - c0))
    fields = {new_of[c]: f for c, f in t.fields.items()}
    keys = {(r, c if r < t.top else new_of[c]): k for (r, c), k in t.wording_keys.items()}
    return Table(replace(t.sheet, rows=rows, merged=merged), t.top, t.bottom, fields, keys,
                 {f: new_of[c] for f, c in t.primary.items()})


def without_category(t: Table) -> Table:
    """The sheet with its category column(s) taken out; rows keep their numbers."""
    gone = {c for c, f in t.fields.items() if f == "category"}
    keep = [c for c in range(len(t.sheet.rows[0]) if t.sheet.rows else 0) if c not in gone]
    new_of = {old: new for new, old in enumerate(keep)}
    rows = [[r[c] for c in keep] for r in t.sheet.rows]
    merged = []
    for r0, r1, c0, c1 in t.sheet.merged:
        cols = [new_of[c] for c in range(c0, c1) if c in new_of]
        if cols and (r1 - r0) * len(cols) > 1:
            merged.append((r0, r1, cols[0], cols[-1] + 1))
    fields = {new_of[c]: f for c, f in t.fields.items() if c in new_of}
    keys = {(r, new_of[c]): k for (r, c), k in t.wording_keys.items() if c in new_of}
    return Table(replace(t.sheet, rows=rows, merged=merged), t.top, t.bottom, fields, keys,
                 {f: new_of[c] for f, c in t.primary.items() if c in new_of})


def filled(t: Table) -> list[list[object]]:
    """Rows with every vertical merge below the header filled down, as the loader reads them."""
    return fill_merged_down(t.sheet.rows, t.sheet.merged, t.bottom + 1)


# --- writers --------------------------------------------------------------------------------

def cell_text(value: object) -> str:
    """A cell as text: 1.0 (how .xls stores 序号 1) is written 1."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_xlsx(path: Path, sheets: Iterable[RawSheet]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        covered = {(r, c) for r0, r1, c0, c1 in sheet.merged for r in range(r0, r1) for c in range(c0, c1)
                   if (r, c) != (r0, c0)}
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if v not in (None, "") and (r, c) not in covered:
                    ws.cell(r + 1, c + 1, v)
        for r0, r1, c0, c1 in sheet.merged:
            # added as ranges: ws.merge_cells checks each against all before it (minutes for 5,000
            # ranges); these come from a valid workbook and do not overlap
            ws.merged_cells.ranges.add(MergedCellRange(ws, f"{get_column_letter(c0 + 1)}{r0 + 1}:"
                                                           f"{get_column_letter(c1)}{r1}"))
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([[cell_text(v) for v in r] for r in rows])
    return path


def owner_text(stem: str) -> str:
    """The department a list belongs to, as its file name gives it (附件：克拉玛依市交通运输局2024年权责清单)."""
    s = re.sub(r"^(附件\d*[:：])?(\d{4}年度?)?", "", compact(stem))
    return re.split(r"\d{4}年|权责清单|权力清单|责任清单|清单|目录", s)[0] or stem


def write_jsonl(path: Path, t: Table, words: dict[str, str], owner: str) -> Path:
    """One object per row under the header; keys are the reworded headers, in column order."""
    keys = {c: words[f] for f, c in sorted(t.primary.items(), key=lambda x: x[1])}
    with path.open("w", encoding="utf-8") as out:
        for row in filled(t)[t.bottom + 1:]:
            if any(compact(v) for v in row):
                obj = {words["owner"]: owner} | {k: (cell_text(row[c]) or None) for c, k in keys.items()}
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


def _html_text(value: object) -> str:
    return html.escape(cell_text(value)).replace("\n", "<br>")


def write_html(path: Path, title: str, tables: list[Table]) -> Path:
    """A page as a JSP application serves it: the title as a heading, then one table per sheet."""
    out = [JSP_DIRECTIVE, "<!DOCTYPE html>", '<html><head><meta charset="UTF-8">',
           f"<title>{html.escape(title)}</title></head><body>"]
    for t in tables:
        heads = [" ".join(cell_text(v).strip() for v in r if compact(v)) for r in t.title_rows]
        heads = [h for h in heads if h] or [t.sheet.name]  # a list without a title row is titled by its sheet
        for n, h in enumerate(heads):
            out.append(f"<h2>{html.escape(h)}</h2>" if n == 0 else f"<p>{html.escape(h)}</p>")
        out.append(f'<table border="1"><caption>{html.escape(t.sheet.name)}</caption>')
        rows = t.sheet.rows
        spans = {(r0, c0): (r1 - r0, c1 - c0) for r0, r1, c0, c1 in t.sheet.merged if r0 >= t.top}
        covered = {(r, c) for r0, r1, c0, c1 in t.sheet.merged if r0 >= t.top for r in range(r0, r1)
                   for c in range(c0, c1) if (r, c) != (r0, c0)}
        for r in range(t.top, len(rows)):
            tag = "th" if r <= t.bottom else "td"
            if r == t.top:
                out.append("<thead>")
            if r == t.bottom + 1:
                out.append("<tbody>")
            cells = []
            for c, v in enumerate(rows[r]):
                if (r, c) in covered:
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                cells.append(f"<{tag}{attrs}>{_html_text(v)}</{tag}>")
            out.append("<tr>" + "".join(cells) + "</tr>")
            if r == t.bottom:
                out.append("</thead>")
        out.append("</tbody></table>" if len(rows) > t.bottom + 1 else "</table>")
    out.append("</body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


# --- the corpus -----------------------------------------------------------------------------

def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")


def _list_variants(src: Path, out_dir: Path, seed: int, kinds: Iterable[str]) -> list[Variant]:
    original = load_files([src])
    raw = read_sheets(src, detect_format(src))
    tables = {s.name: analyse(s, rep) for s, rep in zip(raw, original.files[0].sheets)}
    expected = sorted(map(item_key, original.items), key=repr)
    stem = src.stem

    def rng(kind: str) -> random.Random:
        return random.Random(f"{seed}|{kind}|{src.name}")

    def each(fn) -> list[RawSheet]:
        """Every sheet, the ones with a header transformed, the others as published."""
        return [fn(tables[s.name]).sheet if tables[s.name] else s for s in raw]

    def path(kind: str, suffix: str, sheet: str = "") -> Path:
        folder = out_dir / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{stem}-{kind}{'-' + _safe(sheet) if sheet else ''}{suffix}"

    found = [t for t in tables.values() if t]
    multi = len(found) > 1
    other, invented = _choose("other", rng("wording-other")), _choose("invented", rng("wording-invented"))
    csv_words, html_words = _choose("other", rng("csv")), _choose("other", rng("html"))
    jsonl_words = _choose("other", rng("jsonl"))
    shuffle = rng("reordered")
    csv_order = rng("csv-order")
    writers = {
        "wording-other": lambda: [write_xlsx(path("wording-other", ".xlsx"), each(lambda t: reworded(t, other)))],
        "wording-invented": lambda: [write_xlsx(path("wording-invented", ".xlsx"),
                                                each(lambda t: reworded(t, invented)))],
        "reordered": lambda: [write_xlsx(path("reordered", ".xlsx"), each(lambda t: reordered(t, shuffle)))],
        "csv": lambda: [write_csv(path("csv", ".csv", t.sheet.name if multi else ""),
                                  filled(reordered(reworded(t, csv_words), csv_order))) for t in found],
        "jsonl": lambda: [write_jsonl(path("jsonl", ".jsonl", t.sheet.name if multi else ""), t, jsonl_words,
                                      owner_text(stem)) for t in found],
        "html": lambda: [write_html(path("html", ".html"), stem, [reworded(t, html_words) for t in found])],
        "no-category": lambda: [write_xlsx(path("no-category", ".xlsx"), each(without_category))],
    }
    return [Variant(kind, src.name, writers[kind](), expected) for kind in kinds]


def write_variants(src_files: Iterable[Path], out_dir: Path, seed: int = 7,
                   kinds: Iterable[str] = KINDS) -> list[Variant]:
    """Write the variants (``kinds``, all by default) of every list under ``out_dir/<kind>/``;
    ``manifest.json`` lists them.

    The manifest sits beside the variant folders, not in them, so that loading a folder
    loads only lists.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown variant kinds: {sorted(unknown)}")
    variants = [v for src in sorted(map(Path, src_files)) for v in _list_variants(src, out_dir, seed, tuple(kinds))]
    manifest = [{"kind": v.kind, "source": v.source, "paths": [str(p.relative_to(out_dir)) for p in v.paths],
                 "expected": v.expected} for v in variants]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return variants


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--src", type=Path, default=SHARED / "data" / "klmy")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, of: " + ", ".join(KINDS))
    args = ap.parse_args(argv)
    if not args.src.is_dir():
        print(f"需要真实清单目录：{args.src}", file=sys.stderr)
        return 2
    variants = write_variants(sorted(p for p in args.src.iterdir() if p.is_file()), args.out, args.seed,
                              args.kinds.split(","))
    for v in variants:
        print(v.kind, v.source, len(v.expected), " ".join(p.name for p in v.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
