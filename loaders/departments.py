"""Department entities from the names lists give to 实施主体.

One department is written many ways in one city's lists: 市交通运输局,
克拉玛依市交通运输局, 地州市商务主管部门, 克拉玛依市人民政府（克拉玛依市自然资源局承办）.
A name is split into a region (克拉玛依市), a level marker (地州市, 县市区, 自治区)
and the department's own name, which ``data/departments.yaml`` maps to a canonical
short name.  The entity is (region, level, short name).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from quanze.loaders.levels import LEVEL_ORDER
from quanze.loaders.reference import table
from quanze.loaders.text import compact

_PLACE = re.compile(r"^(?:新疆维吾尔自治区|[\u4e00-\u9fff]{2,8}?(?:自治州|自治县|地区|特别行政区|省|市|州|盟|县|旗|区))")
_LEVEL_WORD = {"省": "省级", "市": "市级", "县": "县级", "乡": "乡级", "国家": "国家"}


@dataclass(frozen=True)
class DepartmentName:
    """What a raw 实施主体 resolves to."""

    short_name: str
    region: str
    level: str
    plates: tuple[str, ...] = ()
    co_bodies: tuple[str, ...] = ()
    known: bool = True

    @property
    def id(self) -> str:
        return f"{self.region}|{self.level}|{self.short_name}"

    @property
    def display(self) -> str:
        return display_name(self.short_name, self.region, self.level)


def display_name(short_name: str, region: str, level: str) -> str:
    if not region:
        return _LEVEL_WORD.get(level, "") + short_name
    if region_level(region) and LEVEL_ORDER.get(level, 0) > LEVEL_ORDER[region_level(region)]:
        return f"{region}所属{_LEVEL_WORD[level]}{short_name}"
    return region + short_name


@functools.cache
def _aliases() -> dict[str, str]:
    out = {}
    for canonical, aliases in table("departments")["departments"].items():
        out[compact(canonical)] = canonical
        for alias in aliases or []:
            out[compact(alias)] = canonical
    return out


@functools.cache
def _level_prefixes() -> list[tuple[str, str]]:
    return sorted(((p, lv) for p, lv in table("departments")["level_prefixes"]), key=lambda p: -len(p[0]))


def region_level(region: str) -> str:
    """Level of a place name from its suffix: 克拉玛依市 → 市, 明川县 → 县."""
    if not region:
        return ""
    if region.endswith(("自治区", "省")) or region in ("自治区",):
        return "省"
    if region.endswith(("市", "州", "盟", "地区")):
        return "市"
    if region.endswith(("县", "旗", "区")):
        return "县"
    if region.endswith(("乡", "镇", "街道")):
        return "乡"
    return ""


def find_region(text: str) -> str:
    """The place name a title or file name starts with (after 附件：and a year)."""
    s = compact(text)
    s = re.sub(r"^(附件\d*[:：]?|\d{4}年(度)?)+", "", s)
    m = _PLACE.match(s)
    if not m:
        return ""
    place = m.group(0)
    # 市场监督管理局 and 市委宣传部 start with 市 but name no place.
    return place if len(place) >= 3 else ""


def _split_prefix(name: str) -> tuple[str, str] | None:
    """(prefix, canonical short name) for the shortest prefix whose rest is a known name."""
    aliases = _aliases()
    for i in range(0, max(1, len(name) - 1)):
        rest = name[i:]
        if rest in aliases:
            return name[:i], aliases[rest]
    return None


def _prefix_level_region(prefix: str, region_hint: str, level_hint: str) -> tuple[str, str]:
    """Level and region named by a prefix such as 克拉玛依市, 地州市, 县市区, 自治区."""
    level = ""
    place = ""
    m = _PLACE.match(prefix)
    if m and len(m.group(0)) >= 3 and m.group(0) not in ("县市区", "地州市"):
        place = m.group(0)
        level = region_level(place)
        rest = prefix[len(place):]
    else:
        rest = prefix
    township = re.fullmatch(r"(?:县|区|市)?([\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木))", rest)
    if township:  # 明川县青石镇人民政府, 县青石镇人民政府
        return "乡", (place or region_hint) + township.group(1)
    for marker, lv in _level_prefixes():
        if marker in rest:
            level = lv
            break
    if place and level == region_level(place):
        return level, place
    level = level or level_hint or region_level(region_hint)
    hint_level = region_level(region_hint)
    if level and hint_level and LEVEL_ORDER[level] < LEVEL_ORDER[hint_level]:
        return level, place or ("自治区" if "自治区" in prefix else "")
    return level, place or region_hint


def resolve_department(raw: object, region_hint: str = "", level_hint: str = "") -> DepartmentName | None:
    """Resolve a raw 实施主体 to a department; None when the cell is empty."""
    s = compact(raw)
    if not s:
        return None
    bodies = [b for b in re.split(r"[、,;；](?![^()]*\))", s) if b]
    first, co = bodies[0], bodies[1:]
    resolved = _resolve_one(first, region_hint, level_hint)
    co_names = tuple(filter(None, (_resolve_one(b, region_hint, level_hint).short_name for b in co)))
    return DepartmentName(resolved.short_name, resolved.region, resolved.level, resolved.plates, co_names, resolved.known)


def _resolve_one(s: str, region_hint: str, level_hint: str) -> DepartmentName:
    # 市人民政府（市自然资源局承办）: the body in the parenthesis does the work.
    m = re.search(r"\(([^()]*)\)", s)
    if m and any(k in m.group(1) for k in table("departments")["undertaken_by"]):
        inner = m.group(1)
        for k in table("departments")["undertaken_by"]:
            inner = inner.replace(k, "")
        resolved = _resolve_one(inner, region_hint, level_hint)
        return DepartmentName(resolved.short_name, resolved.region, resolved.level,
                              resolved.plates + (s,), (), resolved.known)
    split = _split_prefix(s)
    plates: tuple[str, ...] = ()
    if split is None and m:
        # 发展和改革委员会（粮食和物资储备局）: the parenthesis is an additional plate.
        plates = tuple(p for p in re.split(r"[、,]", m.group(1)) if p)
        s = (s[: m.start()] + s[m.end():]).strip()
        split = _split_prefix(s)
    if split is not None:
        prefix, short = split
        known = True
    else:
        place = _PLACE.match(s)
        prefix = place.group(0) if place and len(place.group(0)) >= 3 else ""
        rest = s[len(prefix):]
        for marker, _ in _level_prefixes():
            if rest.startswith(marker) and len(rest) > len(marker) + 1:
                prefix, rest = prefix + marker, rest[len(marker):]
                break
        short, known = rest, False
    level, region = _prefix_level_region(prefix, region_hint, level_hint)
    return DepartmentName(short, region, level, plates, (), known)
