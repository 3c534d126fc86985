"""Input limits, in one place: every reader checks them before spending the memory.

A file of a few kilobytes can declare a million rows, expand to gigabytes or
nest without end; these bounds keep a load to seconds and to a known amount of
memory (README, "Bad input").  The real lists are far below every one of them.
"""

from __future__ import annotations

from quanze.loaders.readers.base import FileFormatError

MAX_FILE_BYTES = 100 * 1024 * 1024  # the upload limit, on the file as stored
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an xlsx's members together, once unpacked
MAX_PART_BYTES = 4 * 1024 * 1024  # one xlsx member parsed whole (styles, workbook): 100× the real ones
MAX_SHARED_STRINGS = 200_000  # an xlsx's shared strings, all read before any cell
MAX_ZIP_ENTRIES = 10_000  # members of an xlsx
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024  # the zip's central directory, read before anything else
MAX_ROWS = 200_000  # rows of one file, all sheets/tables together
MAX_COLUMNS = 1_000  # columns of one row (declared or actual)
MAX_CELLS = 2_000_000  # cells of one sheet: rows × its widest row
MAX_FILE_CELLS = 4_000_000  # cells of all sheets of one file together (500 small sheets are not free)
MAX_JSON_DEPTH = 32  # nesting of a JSON document
MAX_JSON_CONTAINERS = 2_000_000  # objects and arrays of a JSON document
MAX_SHEETS = 500  # sheets of a workbook, tables of a web page


def _refuse(name: str, what: str, found: str, limit: str) -> FileFormatError:
    return FileFormatError(f"「{name}」{what}（{found}）超过上限 {limit}，为防止耗尽内存未读取")


def check_rows(name: str, rows: int) -> None:
    if rows > MAX_ROWS:
        raise _refuse(name, "行数", f"{rows:,} 行", f"{MAX_ROWS:,} 行")


def check_columns(name: str, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise _refuse(name, "一行的列数", f"{columns:,} 列", f"{MAX_COLUMNS:,} 列")


def check_cells(name: str, rows: int, columns: int) -> None:
    """Rows × widest row: what a sheet costs once every row is padded to the same width."""
    check_rows(name, rows)
    check_columns(name, columns)
    if rows * columns > MAX_CELLS:
        raise _refuse(name, "单元格数（行数 × 最宽一行的列数）", f"{rows:,} × {columns:,}", f"{MAX_CELLS:,} 个")


def check_file_cells(name: str, cells: int) -> None:
    if cells > MAX_FILE_CELLS:
        raise _refuse(name, "全部工作表（表格）的单元格数", f"{cells:,} 个", f"{MAX_FILE_CELLS:,} 个")


def check_sheets(name: str, sheets: int) -> None:
    if sheets > MAX_SHEETS:
        raise _refuse(name, "工作表（表格）数", f"{sheets:,} 个", f"{MAX_SHEETS:,} 个")

