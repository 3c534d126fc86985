"""Administrative levels (国家/省/市/县/乡) from free text such as 地州\\n市级."""

from __future__ import annotations

import functools

from quanze.loaders.reference import table
import re

from quanze.loaders.text import compact, normalise

LEVEL_ORDER = {"国家": 0, "省": 1, "市": 2, "县": 3, "乡": 4}


@functools.cache
def _keywords() -> list[tuple[str, str]]:
    pairs = [(k, v) for k, v in table("levels")["keywords"]]
    return sorted(pairs, key=lambda p: -len(p[0]))


def parse_levels(text: object) -> list[str]:
    """Levels named in ``text``, in administrative order; empty when none is named."""
    return list(_levels_in(compact(text)))


@functools.lru_cache(maxsize=4096)  # a list says 市级、县级 in a few ways, on thousands of rows
def _levels_in(s: str) -> tuple[str, ...]:
    found = set()
    for keyword, level in _keywords():
        if keyword in s:
            found.add(level)
            s = s.replace(keyword, "|")
    return tuple(sorted(found, key=LEVEL_ORDER.__getitem__))


def split_levels_cell(text: str) -> tuple[str, str]:
    """(level part, scope part) of a 实施层级及权限 cell such as 地州市级。负责……"""
    s = normalise(text)
    if not s:
        return "", ""
    # 乡镇级 is one level word: 乡镇 must take its 级 along, or 级 would be left over as the scope
    # 县级、乡镇级 names two levels
    m = re.match(r"^((?:[^。;,；，、\n]{0,12}?(?:(?:乡镇|街道)级?|级)[、和及]?)+)[。;,；，\n ]*(.*)$", s, re.S)
    if m and parse_levels(m.group(1)):
        return m.group(1), m.group(2).strip()
    return (s, "") if len(compact(s)) <= 12 else ("", s)
