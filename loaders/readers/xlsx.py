"""xlsx and xlsm: values through openpyxl's read-only reader, the rest from the sheet XML.

openpyxl's full reader spends seconds styling thousands of merged cells that
the lists use for layout; the read-only reader skips them, so each sheet's XML
is streamed once beforehand for its merged ranges, its formulas saved without
a value, and its real extent.  That pass also sizes the sheet before openpyxl
allocates it: the declared ``<dimension>`` is trusted only within the limits
(a 5 KB file declaring A1:XFD1048576 would otherwise be padded to 17 billion
cells), and the actual extent is checked against them.

The zip is checked before it is opened (entries and directory size from its end
record), then from its directory (entries, unpacked sizes).  The directory can
lie about a member's size, but Python's zipfile never inflates a member past
the size the directory declares (the CRC check then fails), so the declared
sizes bound what any later read can unpack.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

from quanze.loaders.readers import limits
from quanze.loaders.readers.base import FileFormatError, RawSheet

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
STREAMED_PARTS = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$")


def check_zip(path: Path) -> None:
    """Refuse an archive whose directory alone, or whose unpacked size, is beyond the limits."""
    with path.open("rb") as f:
        end = zipfile._EndRecData(f)  # the end record: entry count and directory size, before reading either
    if end is None:
        raise FileFormatError("文件已损坏：压缩包的目录缺失或不完整（可能下载中断），无法作为 Excel（.xlsx）读取")
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > limits.MAX_ZIP_ENTRIES or directory > limits.MAX_ZIP_DIRECTORY_BYTES:
        raise FileFormatError(f"「{path.name}」压缩包的条目数（{entries:,} 个，目录 {directory:,} 字节）超过上限 "
                              f"{limits.MAX_ZIP_ENTRIES:,} 个，为防止耗尽内存未读取")
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise FileFormatError(f"「{path.name}」压缩包的条目数（{len(infos):,} 个）超过上限 "
                              f"{limits.MAX_ZIP_ENTRIES:,} 个，为防止耗尽内存未读取")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise FileFormatError(f"「{path.name}」解压后大小（{total / 1048576:.0f} MB）超过上限 "
                              f"{limits.MAX_UNCOMPRESSED_BYTES // 1048576} MB（可能是压缩炸弹），未读取")
    for i in infos:
        if i.file_size > limits.MAX_PART_BYTES and not STREAMED_PARTS.match(i.filename):
            raise FileFormatError(f"「{path.name}」中的部件「{i.filename}」解压后 {i.file_size / 1048576:.1f} MB，"
                                  f"超过上限 {limits.MAX_PART_BYTES // 1048576} MB，未读取")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def shared_strings(src, name: str) -> list[str]:
    """The shared strings as openpyxl's read-only reader gives them (plain text of each ``<si>``).

    Read here in one pass that stops at the limit: openpyxl builds a rich-text
    object for every string first, which is most of the time a list takes to read.
    """
    si, t, r = _MAIN + "si", _MAIN + "t", _MAIN + "r"
    out: list[str] = []
    for _event, el in iterparse(src):
        if el.tag != si:
            continue
        plain = el.find(t)
        parts = [plain.text] if plain is not None and plain.text else []
        parts += [x.text for x in (run.find(t) for run in el.iterfind(r)) if x is not None and x.text]
        out.append("".join(parts).replace("x005F_", ""))
        el.clear()
        if len(out) > limits.MAX_SHARED_STRINGS:
            raise FileFormatError(f"「{name}」的共享字符串超过上限 {limits.MAX_SHARED_STRINGS:,} 个，为防止耗时过长未读取")
    return out


def _open_workbook(handle, name: str):
    """openpyxl's read-only workbook, with the shared strings read by :func:`shared_strings`."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class Reader(ExcelReader):
        def read_strings(self):
            ct = self.package.find(SHARED_STRINGS)
            if ct is not None:
                with self.archive.open(ct.PartName[1:]) as src:
                    self.shared_strings = shared_strings(src, name)

    reader = Reader(handle, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def read_xlsx(path: Path) -> list[RawSheet]:
    check_zip(path)
    handle = path.open("rb")  # a file object: openpyxl refuses workbooks named .xls
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and data validation
            book = _open_workbook(handle, path.name)
        try:
            return _read_book(path, book)
        finally:
            book.close()
    finally:
        handle.close()


def _read_book(path: Path, book) -> list[RawSheet]:
    if not book.worksheets:
        raise FileFormatError("文件已损坏：工作簿中没有可读的工作表，无法作为 Excel（.xlsx）读取")
    limits.check_sheets(path.name, len(book.worksheets))
    sheets = []
    total_rows = total_cells = 0
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for ws in book.worksheets:
            member = getattr(ws, "_worksheet_path", "")
            label = f"{path.name}」工作表「{ws.title}"
            if member not in names:
                raise FileFormatError(f"文件已损坏：缺少工作表「{ws.title}」的内容，无法作为 Excel（.xlsx）读取")
            scan = _scan(z, member, label)
            declared = _declared(ws)
            n_rows, n_cols = scan.rows, scan.columns
            if declared and declared[0] <= limits.MAX_ROWS and declared[1] <= limits.MAX_COLUMNS:
                n_rows, n_cols = max(n_rows, declared[0]), max(n_cols, declared[1])
            limits.check_cells(label, n_rows, n_cols)
            total_rows += n_rows
            total_cells += n_rows * n_cols
            limits.check_rows(path.name, total_rows)
            limits.check_file_cells(path.name, total_cells)
            rows = []
            if n_rows and n_cols:
                rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, max_row=n_rows, max_col=n_cols,
                                                      values_only=True)]
            sheets.append(RawSheet(ws.title, rows, scan.merged, scan.uncached))
    return sheets


def _declared(ws) -> tuple[int, int] | None:
    if ws.max_row is None or ws.max_column is None:
        return None
    return ws.max_row, ws.max_column


class _Scan:
    """What one pass over a sheet's XML finds: extent, merged ranges, formulas without a value."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.merged: list[tuple[int, int, int, int]] = []
        self.uncached: dict[tuple[int, int], str] = {}


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell_ref(ref: str | None) -> tuple[int, int] | None:
    m = _REF.match(ref or "")
    return (int(m.group(2)), _column_number(m.group(1))) if m else None


def _range(ref: str) -> tuple[int, int, int, int] | None:
    parts = (ref or "").split(":")
    a, b = _cell_ref(parts[0]), _cell_ref(parts[-1])
    if a is None or b is None:
        return None
    (r0, c0), (r1, c1) = a, b
    return min(r0, r1) - 1, max(r0, r1), min(c0, c1) - 1, max(c0, c1)


def _scan(z: zipfile.ZipFile, member: str, label: str) -> _Scan:
    """One streamed pass; cells are cleared as they end, so memory stays flat.

    The extent counts every ``<c>`` as openpyxl does (a styled empty cell widens
    the sheet); rows and cells without an ``r`` attribute follow the previous one.
    Tags are compared whole, in the namespace of the sheet's root (transitional
    or strict), since this loop runs for every element of every sheet.
    """
    out = _Scan()
    shared: dict[str, str] = {}
    row_no = col_no = 0
    c_tag = row_tag = merge_tag = ""
    with z.open(member) as f:
        for event, el in iterparse(f, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == row_tag:
                    r = el.get("r")
                    row_no, col_no = (int(r) if r and r.isdigit() else row_no + 1), 0
                    if row_no > out.rows:
                        out.rows = row_no
                        limits.check_rows(label, row_no)
                elif not c_tag:  # the root: its namespace names every other element
                    ns = tag[:tag.index("}") + 1] if tag.startswith("{") else ""
                    c_tag, row_tag, merge_tag = ns + "c", ns + "row", ns + "mergeCell"
            elif tag == c_tag:
                ref = _cell_ref(el.get("r"))
                row_no, col_no = ref if ref is not None else (row_no, col_no + 1)
                if row_no > out.rows or col_no > out.columns:
                    out.rows, out.columns = max(out.rows, row_no), max(out.columns, col_no)
                    limits.check_cells(label, out.rows, out.columns)
                if len(el):
                    _formula(el, row_no, col_no, shared, out)
                el.clear()
            elif tag == row_tag:
                el.clear()
            elif tag == merge_tag:
                rng = _range(el.get("ref"))
                if rng is not None:
                    out.merged.append(rng)
    return out


def _formula(el, row_no: int, col_no: int, shared: dict[str, str], out: _Scan) -> None:
    """Record a formula without a value; a shared formula's other cells get its first cell's text, unshifted."""
    f = v = None
    for child in el:
        tag = child.tag
        if tag.endswith("}f") or tag == "f":
            f = child
        elif tag.endswith("}v") or tag == "v":
            v = child
    if f is None:
        return
    text = f.text or ""
    if f.get("t") == "shared" and f.get("si") is not None:
        text = shared.setdefault(f.get("si"), text) if text else shared.get(f.get("si"), "")
    if v is None or v.text is None:
        out.uncached[(row_no - 1, col_no - 1)] = "=" + text if text else "="
