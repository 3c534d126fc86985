"""Department entities from the names lists give to 实施主体.

One department is written many ways in one city's lists: 市交通运输局,
克拉玛依市交通运输局, 地州市商务主管部门, 克拉玛依市人民政府（克拉玛依市自然资源局承办）.
A name is split into a region (克拉玛依市), a level marker (地州市, 县市区, 自治区)
and the department's own name, which ``data/departments.yaml`` maps to a canonical
short name.  The entity is (region, level, short name).

Lists of other levels (and the laws they copy) name generic bodies, read so:

- A level phrase is markers with 级, 以上, 地方, 各级, 两级 and a leading 所属 around
  them (县级以上地方各级人民政府, 所属县级, 市、县两级).  It is never part of the
  short name, so no display says 县级级 and 所属县 is no place.
- ``X级以上`` names the levels from the list's own government down to X.  The entity
  is that government's department (县级以上市场监管部门 in 克拉玛依市's list →
  克拉玛依市|市|市场监督管理局) unless the level column names one level of the range;
  without a region, or when the list's own level is outside the range, it is level X.
- ``市、县 X部门`` names several levels: the first wins for the entity, all are kept in
  ``levels``.  A cell that names only levels (市级) names no body: None.
- ``工商、市场监管部门`` shares its 部门 between bodies: a body the table does not know
  by itself is tried with the last body's generic ending.  Bodies that became one
  department are history aliases in the table: the generic 工商部门 and
  食品药品监管部门 are the 市场监督管理局 (the words as written stay in ``raw``, the
  item's department_raw), while a bureau a list names as its own body
  (明川县食品药品监督管理局) stays that former bureau, so that rule R18 reports it.
- A body the table does not know keeps its own words as short name and is listed in
  ``unknown`` and in the load report (:func:`unknown_bodies`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from quanze.loaders.levels import LEVEL_ORDER
from quanze.loaders.model import PowerItem
from quanze.loaders.reference import table
from quanze.loaders.text import compact

_PLACE = re.compile(r"^(?:新疆维吾尔自治区|[\u4e00-\u9fff]{2,8}?(?:自治州|自治县|地区|特别行政区|省|市|州|盟|县|旗|区))")
_LEVEL_WORD = {"省": "省级", "市": "市级", "县": "县级", "乡": "乡级", "国家": "国家"}
_ALTERNATIVES = re.compile(r"\([市县区旗、]+\)")  # 县(市、区): other names of the same level


@dataclass(frozen=True)
class DepartmentName:
    """What a raw 实施主体 resolves to."""

    short_name: str
    region: str
    level: str
    plates: tuple[str, ...] = ()
    co_bodies: tuple[str, ...] = ()
    known: bool = True
    levels: tuple[str, ...] = ()  # every level the name names: 县级以上 in a city's list → 市, 县
    raw: str = ""  # the name as written (compacted)
    unknown: tuple[tuple[str, str], ...] = ()  # (body as written, short name) of bodies the table lacks

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
    doc = table("departments")
    for section in ("departments", "history", "former"):
        for canonical, aliases in doc[section].items():
            out[compact(canonical)] = canonical
            for alias in aliases or []:
                out[compact(alias)] = canonical
    return out


@functools.cache
def _longest_alias() -> int:
    return max(map(len, _aliases()))


@functools.cache
def _level_prefixes() -> list[tuple[str, str]]:
    return sorted(((p, lv) for p, lv in table("departments")["level_prefixes"]), key=lambda p: -len(p[0]))


@functools.cache
def _level_words(government: bool) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """(words before, words after, not-level words) of level phrases; longest first."""
    words = table("departments")["level_words"]
    after = list(words["after"]) + (list(words["government"]) if government else [])
    by_length = functools.partial(sorted, key=lambda w: -len(w))
    return tuple(by_length(words["before"])), tuple(by_length(after)), frozenset(words["not_levels"])


def _marker_at(s: str, i: int) -> tuple[str, str] | None:
    """The level marker starting at ``s[i]`` (市 in 市场 is none)."""
    not_levels = _level_words(False)[2]
    for marker, level in _level_prefixes():
        if s.startswith(marker, i) and not (len(marker) == 1 and s[i:i + 2] in not_levels):
            return marker, level
    return None


def level_phrase(s: str, government: bool = False) -> tuple[tuple[str, ...], bool, int]:
    """Levels a name names at its start, whether 以上 follows, and the characters read.

    县级以上地方 → ((县,), True, 6); 市、县 → ((市, 县), False, 3); 所属县级 → ((县,), False, 4).
    With ``government`` the phrase also takes 人民政府 (县级以上人民政府卫生健康主管部门).
    """
    before, after, _ = _level_words(government)
    i = next((len(w) for w in before if s.startswith(w)), 0)
    levels: list[str] = []
    above = False
    while (found := _marker_at(s, i)) is not None:
        marker, level = found
        levels.append(level)
        i += len(marker)
        i += s.startswith("级", i)
        alternatives = _ALTERNATIVES.match(s, i)
        i = alternatives.end() if alternatives else i
        if s[i:i + 1] in ("、", "和", "及", "与", ",") and _marker_at(s, i + 1) is not None:
            i += 1
    if not levels:
        return (), False, 0
    while (word := next((w for w in after if s.startswith(w, i)), None)) is not None:
        above = above or word.endswith("以上")
        i += len(word)
    return tuple(dict.fromkeys(levels)), above, i


def _only_levels(s: str) -> bool:
    return level_phrase(s, government=False)[2] == len(s)


MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")  # cities at the level of a province


def is_province(name: str) -> bool:
    """Whether a place name is one of a province's level: 甲省, 新疆维吾尔自治区, 上海市, 香港特别行政区."""
    return len(name) >= 3 and (name.endswith(("省", "自治区", "特别行政区")) or name in MUNICIPALITIES)


def province_of(path: Path, region: str) -> str:
    """The province a list belongs to: its own region when that is a province, else the nearest folder of its
    path named for one (lists of a country kept as ``浙江省/杭州市/…``); '' when neither says."""
    if is_province(region):
        return region
    return next((p for p in (compact(part) for part in reversed(path.parent.parts)) if is_province(p)), "")


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


def _place(s: str) -> str:
    """The place a name starts with; a level phrase (所属县, 县级市, 地州市) is none."""
    m = _PLACE.match(s)
    if not m or len(m.group(0)) < 3 or level_phrase(m.group(0))[2] >= 2:
        return ""
    return m.group(0)


def _split_prefix(name: str) -> tuple[str, str] | None:
    """(prefix, canonical short name) for the shortest prefix whose rest is a known name."""
    aliases = _aliases()
    for i in range(max(0, len(name) - _longest_alias()), max(1, len(name) - 1)):  # no longer rest is a name
        rest = name[i:]
        if rest in aliases:
            return name[:i], aliases[rest]
    return None


def _range(named: tuple[str, ...], above: bool, region: str) -> tuple[str, ...]:
    """Levels a phrase covers: 县级以上 in a city → 市, 县 (from the region's level down)."""
    if not above:
        return named
    lowest = max(named, key=LEVEL_ORDER.__getitem__)
    top = LEVEL_ORDER.get(region_level(region), LEVEL_ORDER["省"])
    covered = tuple(lv for lv, n in LEVEL_ORDER.items() if top <= n <= LEVEL_ORDER[lowest])
    return covered or (lowest,)


def _prefix_level_region(prefix: str, region_hint: str,
                         level_hint: str) -> tuple[str, str, tuple[str, ...]]:
    """Level, region and levels named by a prefix such as 克拉玛依市, 地州市, 县级以上, 自治区."""
    level = ""
    levels: tuple[str, ...] = ()
    place = _place(prefix)
    rest = prefix[len(place):]
    if place:
        level = region_level(place)
    township = re.fullmatch(r"(?:县|区|市)?([\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木))", rest)
    if township:  # 明川县青石镇人民政府, 县青石镇人民政府
        return "乡", (place or region_hint) + township.group(1), ("乡",)
    named, above, read = level_phrase(rest, government=True)
    if named and read == len(rest):
        levels = _range(named, above, place or region_hint)
        if above:
            own = region_level(place or region_hint)
            level = level_hint if level_hint in levels else own if own in levels else levels[-1]
        else:
            level = levels[0]
    else:
        for marker, lv in _level_prefixes():
            if marker in rest:
                level = lv
                break
    if place and level == region_level(place):
        return level, place, levels
    level = level or level_hint or region_level(region_hint)
    hint_level = region_level(region_hint)
    if level and hint_level and LEVEL_ORDER[level] < LEVEL_ORDER[hint_level]:
        return level, place or ("自治区" if "自治区" in prefix else ""), levels
    return level, place or region_hint, levels


@functools.lru_cache(maxsize=16384, typed=True)  # a list names its few bodies on thousands of rows
def resolve_department(raw: object, region_hint: str = "", level_hint: str = "") -> DepartmentName | None:
    """Resolve a raw 实施主体 to a department; None when the cell is empty or names only levels."""
    s = compact(raw)
    if not s or _only_levels(s):
        return None
    pieces = [b for b in _bodies(s) if b]
    # 市、县食品药品监管部门: leading pieces naming only levels belong to the body after them
    lead = next(n for n, b in enumerate(pieces) if n == len(pieces) - 1 or not _only_levels(b))
    # a level alone after the first body (市交通运输局、县级) names no other body
    bodies = ["、".join(pieces[:lead + 1])] + [b for b in pieces[lead + 1:] if not _only_levels(b)]
    resolved = [_resolve_one(_shared_ending(b, bodies[-1], region_hint, level_hint), region_hint, level_hint)
                for b in bodies]
    first = resolved[0]
    co_names = tuple(dict.fromkeys(r.short_name for r in resolved[1:] if r.short_name != first.short_name))
    unknown = tuple((b, r.short_name) for b, r in zip(bodies, resolved) if not r.known)
    return DepartmentName(first.short_name, first.region, first.level, first.plates, co_names, first.known,
                          first.levels, s, unknown)


def _bodies(s: str) -> list[str]:
    """Bodies of a cell split at 、,;； unless a ) closes before the next ( (one pass: cells may be long)."""
    cuts, next_paren = [], ""
    for i in range(len(s) - 1, -1, -1):
        if s[i] in "()":
            next_paren = s[i]
        elif s[i] in "、,;；" and next_paren != ")":
            cuts.append(i)
    bounds = [-1, *reversed(cuts), len(s)]
    return [s[a + 1:b] for a, b in zip(bounds, bounds[1:])]


def _shared_ending(body: str, last: str, region_hint: str, level_hint: str) -> str:
    """县级以上工商 in 县级以上工商、市场监管部门 is 县级以上工商部门: it shares the last body's ending."""
    if body == last or _resolve_one(body, region_hint, level_hint).known:
        return body
    for ending in table("departments")["shared_endings"]:
        if last.endswith(ending) and _resolve_one(body + ending, region_hint, level_hint).known:
            return body + ending
    return body


def _resolve_one(s: str, region_hint: str, level_hint: str) -> DepartmentName:
    # 市人民政府（市自然资源局承办）: the body in the parenthesis does the work.
    m = re.search(r"\(([^()]*)\)", s)
    inner = m.group(1) if m else ""
    for k in table("departments")["undertaken_by"]:
        inner = inner.replace(k, "")
    if m and inner and inner != m.group(1):
        resolved = _resolve_one(inner, region_hint, level_hint)
        return DepartmentName(resolved.short_name, resolved.region, resolved.level,
                              resolved.plates + (s,), (), resolved.known, resolved.levels)
    split = _split_prefix(s)
    plates: tuple[str, ...] = ()
    if split is None and m and not _ALTERNATIVES.fullmatch(m.group(0)):
        # 发展和改革委员会（粮食和物资储备局）: the parenthesis is an additional plate.
        plates = tuple(p for p in re.split(r"[、,]", m.group(1)) if p)
        s = (s[: m.start()] + s[m.end():]).strip()
        split = _split_prefix(s)
    if split is not None:
        prefix, short = split
        known = True
    else:
        prefix = _place(s)
        rest = s[len(prefix):]
        read = level_phrase(rest)[2]
        if read and len(rest) - read >= 2:  # 县级乡村振兴局: the short name starts after 县级
            prefix, rest = prefix + rest[:read], rest[read:]
        short, known = rest, False
    level, region, levels = _prefix_level_region(prefix, region_hint, level_hint)
    return DepartmentName(short, region, level, plates, (), known, levels)


def unknown_bodies(items: Iterable[PowerItem]) -> list[dict]:
    """Bodies of loaded items the department table does not know, most items first.

    Each entry gives the name as written, the short name it became, how many items
    name it and in which files, so that an analyst can add an alias to departments.yaml.
    An item whose row names no body counts for its list's department (the name of
    the title or file).
    """
    found: dict[tuple[str, str], tuple[int, set[str]]] = {}
    known = set(_aliases().values())
    for it in items:
        resolved = resolve_department(it.department_raw)  # whether a body is known depends on its spelling only
        if resolved:
            unknown = resolved.unknown
        else:  # the row names no body: the list's own department, as its title names it
            short = it.department_id.split("|", 2)[-1]
            unknown = () if short in known else ((it.department, short),)
        for written, short in unknown:
            count, files = found.get((written, short), (0, set()))
            files.add(it.source.file)
            found[(written, short)] = (count + 1, files)
    rows = [{"name": w, "short_name": s, "items": n, "files": sorted(f)} for (w, s), (n, f) in found.items()]
    return sorted(rows, key=lambda r: (-r["items"], r["name"]))


