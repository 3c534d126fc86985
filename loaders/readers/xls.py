"""Old ``.xls`` workbooks (BIFF inside an OLE2 container) through xlrd.

xlrd pads every row of a sheet to the widest one, so one cell at IV65536 costs
16 million cells.  Each sheet's records are walked first (a few bytes each, no
values decoded) to find the cells' real extent and refuse it beyond the limits.
The OLE2 directory tells an encrypted OOXML workbook or a Word file apart from
a workbook before xlrd is asked.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from quanze.loaders.readers import limits
from quanze.loaders.readers.base import FileFormatError, RawSheet

# BIFF records that place one cell at (row, col) in their first four bytes
_CELL = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406, 0x0206}
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col, …, last col in the last two bytes
_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_EOF = 0x000A

ENCRYPTED = "文件有密码保护（已加密），无法读取：请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"


def ole_streams(data: bytes) -> set[str]:
    """Names in an OLE2 container's directory (empty when it cannot be read)."""
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception:  # a damaged container: xlrd will say so when it reads it
        return set()
    return {d.name for d in doc.dirlist}


def check_container(data: bytes) -> None:
    names = ole_streams(data)
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        raise FileFormatError(ENCRYPTED)
    if names and not {"Workbook", "Book"} & names:
        other = "WPS 文字文档" if "WordDocument" in names else "其他办公文档"
        raise FileFormatError(f"文件不是 Excel 工作簿（可能是{other}），请另存为 .xlsx 再导入")


def read_xls(path: Path) -> list[RawSheet]:
    import xlrd

    data = path.read_bytes()
    check_container(data)
    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO())
    del data
    sheets = []
    total_rows = total_cells = 0
    try:
        limits.check_sheets(path.name, book.nsheets)
        for i, name in enumerate(book.sheet_names()):
            label = f"{path.name}」工作表「{name}"
            rows, cols = _extent(book.mem, book._sh_abs_posn[i], label)
            limits.check_cells(label, rows, cols)
            total_rows += rows
            total_cells += rows * cols
            limits.check_rows(path.name, total_rows)
            limits.check_file_cells(path.name, total_cells)
            sh = book.sheet_by_index(i)
            values = [sh.row_values(r) for r in range(sh.nrows)]
            sheets.append(RawSheet(sh.name, values, [tuple(m) for m in sh.merged_cells]))
            book.unload_sheet(i)
    finally:
        book.release_resources()
    return sheets


def _extent(mem, pos: int, label: str) -> tuple[int, int]:
    """Rows and columns the sheet's cell records reach, walking records from its BOF to its EOF."""
    rows = cols = 0
    depth = 0
    end = len(mem)
    while pos + 4 <= end:
        rc, length = struct.unpack_from("<HH", mem, pos)
        body = pos + 4
        pos = body + length
        if rc in _BOF:
            depth += 1
        elif rc == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif rc in _CELL and length >= 4:
            r, c = struct.unpack_from("<HH", mem, body)
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        elif rc in _MULTI and length >= 6:
            r = struct.unpack_from("<H", mem, body)[0]
            last = struct.unpack_from("<H", mem, body + length - 2)[0]
            rows, cols = max(rows, r + 1), max(cols, last + 1)
        else:
            continue
        if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS:
            break  # refused by the caller; no need to walk the rest
    return rows, cols
