"""Power categories: map every published label to the ten categories plus 公共服务."""

from __future__ import annotations

import functools
import re

from quanze.loaders.reference import table
from quanze.loaders.text import compact

_NOISE = re.compile(r"^[一二三四五六七八九十\d]+[、.．]|[(（]\s*\d+\s*项?\s*[)）]|\d+项$")


def label_key(label: object) -> str:
    """Comparable form of a label: no spaces, counts, numbering or 类/事项 suffix."""
    s = _NOISE.sub("", compact(label))
    s = re.sub(r"\d+项", "", s)
    for suffix in ("类事项", "事项", "类"):
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
    return s


@functools.cache
def _lookup() -> dict[str, str]:
    data = table("categories")
    out = {label_key(c): c for c in data["canonical"]}
    for canonical, aliases in data["aliases"].items():
        for alias in aliases:
            out[label_key(alias)] = canonical
    return out


@functools.lru_cache(maxsize=4096)
def normalise_category(label: object) -> str | None:
    """Canonical category of ``label``, or None when the label is unknown or empty."""
    key = label_key(label)
    return _lookup().get(key) if key else None


@functools.cache
def cues(key: str) -> list[tuple[re.Pattern, str]]:
    """(pattern, category) pairs of categories.yaml's ``title_cues`` or ``name_cues``."""
    return [(re.compile(p), c) for p, c in table("categories")[key]]


@functools.lru_cache(maxsize=4096)
def category_in(text: object) -> str | None:
    """The one category a sheet name, title or file name names (行政处罚事项清单, 随机抽查事项).

    A text that is itself a label maps as a label; otherwise the cues of
    categories.yaml are searched, and a text naming two categories names none.
    """
    exact = normalise_category(text)
    if exact:
        return exact
    s = compact(text)
    if not s:
        return None
    found = {c for p, c in cues("title_cues") if p.search(s)}
    return found.pop() if len(found) == 1 else None
