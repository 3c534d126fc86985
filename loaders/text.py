"""Text normalisation shared by every loader.

Published lists mix Traditional and Simplified characters, full-width and
half-width punctuation, and line breaks inside words (``事项\\n名称``).  Every
canonical field goes through :func:`normalise` so that twins written differently
compare equal; the raw text is kept next to it wherever a person may want it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width forms of ASCII (！ to ～) and the ideographic space become ASCII.
# Chinese punctuation without an ASCII twin (《》、。〔〕【】) stays as it is.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH[0x00A0] = 0x20


_SPACES = re.compile(r"[ \t\u200b\ufeff]+")
# Characters no list means and no writer may emit (XML 1.0 forbids them): C0 controls
# other than tab and line breaks, DEL, C1 controls, and the non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_AROUND_BREAK = re.compile(r" *\n *")
_WHITE = re.compile(r"\s+")


def has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))


def strip_control(text: str) -> str:
    """Text without control characters (removed at load, so no export ever meets one)."""
    return _CONTROL.sub("", text) if text else text


def to_simplified(text: str) -> str:
    return _T2S.convert(text) if text else text


@functools.lru_cache(maxsize=65536, typed=True)  # typed: True and 1 are different cells
def normalise(text: object) -> str:
    """Canonical form of a cell: Simplified, half-width, trimmed, no stray spaces.

    Line breaks are kept (they separate citations and clauses); runs of spaces
    and tabs collapse to one space.
    """
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = str(text)
    if not s:
        return ""
    s = strip_control(unicodedata.normalize("NFC", s)).translate(_WIDTH)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = to_simplified(s)
    s = _SPACES.sub(" ", s)
    s = _AROUND_BREAK.sub("\n", s)
    return s.strip()


@functools.lru_cache(maxsize=65536, typed=True)
def compact(text: object) -> str:
    """Normalised text without any white space: for headers, labels and names."""
    return _WHITE.sub("", normalise(text))


_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """Value of a Chinese or Arabic numeral up to 千 (一百二十三, 二十, 十五, 123)."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)

