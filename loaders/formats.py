"""Read a published file into raw sheets: rows of cells plus merged ranges.

The format is taken from the file's content, never its suffix: departments
publish old ``.xls`` workbooks named ``.xlsx`` and CSV exports named ``.xls``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

MAX_FILE_BYTES = 100 * 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class FileFormatError(Exception):
    """The file cannot be read at all; the message is for the user, in Chinese."""


@dataclass
class RawSheet:
    """Cells as published (None for empty) and merged ranges ``(r0, r1, c0, c1)``,
    end-exclusive, 0-based."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """``xls``, ``xlsx``, ``json`` or ``csv`` by content; raise FileFormatError otherwise."""
    size = path.stat().st_size
    if size == 0:
        raise FileFormatError("文件为空（0 字节）")
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            f"文件过大（{size / 1048576:.1f} MB），超过上限 {MAX_FILE_BYTES // 1048576} MB，未读取")
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as e:
            raise FileFormatError(f"文件已损坏，无法作为 Excel（.xlsx）读取：{e}") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise FileFormatError("压缩文件中没有 Excel 工作簿（可能是 Word、WPS 文字或其他压缩包）")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"[", b"{"):
        return "json"
    if text[:5].lower() in (b"<html", b"<!doc", b"<?xml", b"<tabl"):
        raise FileFormatError("文件是网页（HTML/XML）而不是表格，请在 Excel/WPS 中另存为 .xlsx 后再导入")
    if b"\x00" in head:
        raise FileFormatError("无法识别的二进制文件，既不是 Excel（.xls/.xlsx），也不是 CSV 或 JSON")
    return "csv"


def read_sheets(path: Path, fmt: str) -> list[RawSheet]:
    readers = {"xls": _read_xls, "xlsx": _read_xlsx, "csv": _read_csv, "json": _read_json}
    try:
        return readers[fmt](path)
    except FileFormatError:
        raise
    except Exception as e:  # every library raises its own kinds; the user needs one message
        raise FileFormatError(f"文件已损坏或格式不符，无法读取（{fmt}）：{type(e).__name__}: {e}") from None


def _read_xls(path: Path) -> list[RawSheet]:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    sheets = []
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            rows = [sh.row_values(r) for r in range(sh.nrows)]
            sheets.append(RawSheet(sh.name, rows, [tuple(m) for m in sh.merged_cells]))
            book.unload_sheet(i)
    finally:
        book.release_resources()
    return sheets


def _read_xlsx(path: Path) -> list[RawSheet]:
    """Values through openpyxl's read-only reader; merged ranges from the sheet XML.

    openpyxl's full reader spends seconds styling thousands of merged cells that
    the lists use for layout; the read-only reader skips them, so the ranges are
    read from each sheet's ``<mergeCells>`` directly.
    """
    import warnings

    import openpyxl

    handle = path.open("rb")  # a file object: openpyxl refuses workbooks named .xls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and data validation
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    sheets = []
    try:
        with zipfile.ZipFile(path) as z:
            for ws in book.worksheets:
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
                merged = _merged_ranges(z, getattr(ws, "_worksheet_path", ""))
                sheets.append(RawSheet(ws.title, rows, merged))
    finally:
        book.close()
        handle.close()
    return sheets


def _merged_ranges(z: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    if not member or member not in z.namelist():
        return []
    out = []
    with z.open(member) as f:
        for _event, el in iterparse(f):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                min_col, min_row, max_col, max_row = range_boundaries(el.get("ref"))
                out.append((min_row - 1, max_row, min_col - 1, max_col))
            elif tag in ("c", "row"):
                el.clear()
    return out


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then the best of GB18030/GBK/Big5 guesses."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_16"]).best()
    if best is not None:
        return str(best)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileFormatError("无法识别文本编码（既不是 UTF-8，也不是 GBK/GB18030）") from None


def _read_csv(path: Path) -> list[RawSheet]:
    text = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [RawSheet(path.stem, rows)]


def _read_json(path: Path) -> list[RawSheet]:
    """A list of row objects, ``{"items": [...]}``, or ``{"sheets": {name: [...]}}``."""
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as e:
        raise FileFormatError(f"JSON 格式错误（第{e.lineno}行第{e.colno}列）：{e.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("sheets"), dict):
        groups = list(data["sheets"].items())
    elif isinstance(data, dict) and isinstance(data.get("items"), list):
        groups = [(path.stem, data["items"])]
    elif isinstance(data, list):
        groups = [(path.stem, data)]
    else:
        raise FileFormatError('JSON 应为事项对象的数组，或 {"items": [...]}，或 {"sheets": {表名: [...]}}')
    sheets = []
    for name, records in groups:
        header: list[str] = []
        for rec in records:
            if isinstance(rec, dict):
                header.extend(k for k in rec if k not in header)
        rows: list[list[object]] = [list(header)]
        for rec in records:
            if isinstance(rec, dict):
                rows.append([_json_cell(rec.get(k)) for k in header])
            else:  # kept so that the row is reported, not silently dropped
                rows.append([json.dumps(rec, ensure_ascii=False)])
        sheets.append(RawSheet(str(name), rows))
    return sheets


def _json_cell(value: object) -> object:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
