"""Administrative levels (国家/省/市/县/乡) from free text such as 地州\\n市级."""

from __future__ import annotations

import functools

from quanze.loaders.reference import table
from quanze.loaders.text import compact

LEVEL_ORDER = {"国家": 0, "省": 1, "市": 2, "县": 3, "乡": 4}


@functools.cache
def _keywords() -> list[tuple[str, str]]:
    pairs = [(k, v) for k, v in table("levels")["keywords"]]
    return sorted(pairs, key=lambda p: -len(p[0]))


def parse_levels(text: object) -> list[str]:
    """Levels named in ``text``, in administrative order; empty when none is named."""
    s = compact(text)
    found = set()
    for keyword, level in _keywords():
        if keyword in s:
            found.add(level)
            s = s.replace(keyword, "|")
    return sorted(found, key=LEVEL_ORDER.__getitem__)
