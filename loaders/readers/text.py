"""Text files: their encoding, and CSV.

Departments export CSV in UTF-8, GBK/GB18030, Big5 and, from some Windows
tools, UTF-16 (with a byte-order mark, or without one: then every ASCII
character has a zero byte on the same side).  Line endings are whatever the
tools joined: ``\\r\\n``, ``\\n`` and a bare ``\\r`` in one file all end a row.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import charset_normalizer

from quanze.loaders.readers import limits
from quanze.loaders.readers.base import FileFormatError, RawSheet

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the zero bytes all fall on one side and the text decodes cleanly."""
    sample = data[:4096 - (min(len(data), 4096) % 2)]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even and odd or not even and not odd:
        return None
    encoding = "utf-16-be" if even else "utf-16-le"
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    return encoding if controls == 0 and even + odd >= 4 else None


def text_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark or the UTF-16 zero-byte pattern announces, else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return utf16_without_bom(data)


def decode_text(data: bytes) -> str:
    """A BOM or UTF-16 first, then UTF-8, then the best of GB18030/GBK/Big5 guesses."""
    encoding = text_encoding(data)
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise FileFormatError(f"文本编码错误：文件按 {encoding.upper()} 保存但内容不完整或已损坏") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "gbk", "big5"]).best()
    if best is not None:
        return str(best)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileFormatError("无法识别文本编码（既不是 UTF-8，也不是 GBK/GB18030、Big5 或 UTF-16）") from None


def read_csv(path: Path) -> list[RawSheet]:
    # \r\n, \n and a lone \r each end a line, also mixed in one file (and the sniffer needs \n)
    text = decode_text(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    rows: list[list[object]] = []
    width = 0
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=_delimiter(text[:8192]))
    try:
        for r in reader:
            width = max(width, len(r))
            rows.append(r)
            limits.check_cells(path.name, len(rows), width)
    except csv.Error as e:
        raise FileFormatError(f"CSV 格式错误（第{reader.line_num}行）：{_csv_reason(e)}") from None
    return [RawSheet(path.stem, rows)]


def _delimiter(sample: str) -> str:
    """Only the delimiter is guessed; quoting is Excel's (the sniffer misreads doubled quotes in multi-line cells)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _csv_reason(e: csv.Error) -> str:
    text = str(e)
    if "field larger than field limit" in text:
        return f"一个单元格超过 {csv.field_size_limit():,} 个字符（可能缺少配对的引号）"
    if "NUL" in text or "null byte" in text:
        return "含有空字符（\\0），可能是二进制文件"
    return "引号或分隔符不配对"
