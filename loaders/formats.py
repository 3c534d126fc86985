"""Read a published file into raw sheets: rows of cells plus merged ranges.

The format is taken from the file's content, never its suffix: departments
publish old ``.xls`` workbooks named ``.xlsx``, CSV exports named ``.xls`` and
web pages named ``.xls``.  Each format has its reader in ``loaders/readers/``;
every reader keeps to the limits of ``readers/limits.py``.  Whatever a library
raises on a damaged file becomes one Chinese reason here.
"""

from __future__ import annotations

import csv
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from quanze.loaders.readers.base import FileFormatError, RawSheet
from quanze.loaders.readers.html import looks_like_html, read_html
from quanze.loaders.readers.jsonfile import read_json
from quanze.loaders.readers.limits import MAX_FILE_BYTES
from quanze.loaders.readers.text import decode_text, read_csv, text_encoding
from quanze.loaders.readers.xls import ENCRYPTED, read_xls
from quanze.loaders.readers.xlsx import read_xlsx

__all__ = ["FileFormatError", "MAX_FILE_BYTES", "RawSheet", "decode_text", "detect_format", "read_sheets"]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def detect_format(path: Path) -> str:
    """``xls``, ``xlsx``, ``json``, ``html`` or ``csv`` by content; raise FileFormatError otherwise."""
    size = path.stat().st_size
    if size == 0:
        raise FileFormatError("文件为空（0 字节）")
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"「{path.name}」文件过大（{size / 1048576:.1f} MB），超过上限 "
                              f"{MAX_FILE_BYTES // 1048576} MB，未读取")
    with path.open("rb") as f:
        head = f.read(65536)
    if head.startswith(OLE2_MAGIC):
        return "xls"  # an encrypted OOXML workbook is an OLE2 file too: read_xls tells it apart
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _zip_format(path)
    encoding = text_encoding(head)
    if encoding is None and b"\x00" in head:
        raise FileFormatError("无法识别的二进制文件，既不是 Excel（.xls/.xlsx），也不是 CSV、JSON 或网页")
    text = _head_text(head, encoding)
    if looks_like_html(text):
        return "html"
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("[", "{"):
        return "json"
    if stripped[:5].lower() == "<?xml":
        raise FileFormatError("文件是 XML 而不是表格，请在 Excel/WPS 中打开后另存为 .xlsx 再导入")
    return "csv"


def _head_text(head: bytes, encoding: str | None) -> str:
    if encoding and encoding.startswith("utf-16") and len(head) % 2:
        head = head[:-1]
    return head.decode(encoding or "utf-8", errors="ignore")


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile as e:
        raise FileFormatError(library_reason(e, "xlsx")) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise FileFormatError("文件是二进制 Excel 工作簿（.xlsb），请在 Excel/WPS 中另存为 .xlsx 再导入")
    raise FileFormatError("压缩文件中没有 Excel 工作簿（可能是 WPS 文字文档或其他压缩包）")


READERS = {"xls": read_xls, "xlsx": read_xlsx, "csv": read_csv, "json": read_json, "html": read_html}


def read_sheets(path: Path, fmt: str) -> list[RawSheet]:
    try:
        return READERS[fmt](path)
    except FileFormatError:
        raise
    except Exception as e:  # every library raises its own kinds; the user needs one Chinese message
        raise FileFormatError(library_reason(e, fmt)) from None


def library_reason(e: BaseException, fmt: str) -> str:
    """A Chinese reason for what a library raised on a damaged file (its own text is English)."""
    text = str(e)
    kind = {"xlsx": "Excel（.xlsx）", "xls": "Excel（.xls）", "csv": "CSV", "json": "JSON", "html": "网页"}.get(fmt, fmt)
    if isinstance(e, zipfile.BadZipFile):
        if "CRC" in text:
            return f"文件已损坏：压缩数据校验失败（内容被截断或改动），无法作为 {kind} 读取"
        if "not a zip" in text.lower() or "magic number" in text.lower():
            return f"文件已损坏：不是完整的压缩包（可能下载中断），无法作为 {kind} 读取"
        return f"文件已损坏：压缩包结构错误，无法作为 {kind} 读取"
    if isinstance(e, (zlib.error, EOFError)) or "truncated" in text.lower() or "end of file" in text.lower():
        return f"文件已损坏：内容不完整（可能下载中断或被截断），无法作为 {kind} 读取"
    if isinstance(e, KeyError) or "no item named" in text.lower() or "There is no item" in text:
        return f"文件已损坏：缺少工作簿的组成部分，无法作为 {kind} 读取"
    if isinstance(e, ParseError):
        return f"文件已损坏：工作簿内部的 XML 不完整或格式错误，无法作为 {kind} 读取"
    if isinstance(e, MemoryError):
        return "文件内容过大，内存不足，未读取"
    if isinstance(e, RecursionError):
        return "文件结构嵌套过深，未读取"
    if isinstance(e, UnicodeError):
        return "文本编码错误：内容无法按识别出的编码解码"
    if isinstance(e, csv.Error):
        return "CSV 格式错误：引号或分隔符不配对"
    if type(e).__name__ == "XLRDError":
        if "encrypted" in text.lower():
            return ENCRYPTED
        if "Can't find workbook" in text:
            return "文件不是 Excel 工作簿：其中没有工作表数据，无法作为 Excel（.xls）读取"
        if "Unsupported format" in text or "Expected BOF" in text:
            return "文件已损坏或不是可识别的 Excel（.xls）工作簿"
    if type(e).__name__ == "CompDocError" or isinstance(e, (struct.error, IndexError)):
        return f"文件已损坏：文件结构不完整，无法作为 {kind} 读取"
    return f"文件已损坏或格式不符，无法作为 {kind} 读取"
