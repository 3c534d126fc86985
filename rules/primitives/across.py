"""across: the same matter whose practice differs between provinces (R21, 三级四同 nationally).

Each province's practice for a matter is the value most of its holders give (the category, the basis
documents, the levels); a province whose holders split evenly has no single practice.  A finding is a
matter the provinces practise differently; it names the items that depart from the practice most
provinces share, so that one county's slip inside a province (R15's concern) is not a difference
between provinces.  An empty value (an item without a basis) takes no part: R08 reports those.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, Param, Primitive, register
from quanze.rules.textsim import core_column
from quanze.tables import FIELD_LABELS

SPLIT = "（各半）"  # a province whose holders split evenly between two values


@register
class Across(Primitive):
    name = "across"
    cost = 4
    schema = {
        "by": Param("list", ["admin_level", "short_name", "core"], "同一事项按哪些字段认定", choices=COLUMNS),
        "between": Param("text", "province", "在哪个字段的不同取值之间比较（省份）", choices=COLUMNS),
        "compare": Param("list", ["category", "documents", "levels"], "须一致的字段", choices=COLUMNS),
        "min_groups": Param("integer", 2, "至少有几个省份持有该事项才比较", min=2),
    }

    def evaluate(self, ctx, scope, params):
        by, between, compare = list(params["by"]), params["between"], list(params["compare"])
        df = scope[scope[between].fillna("") != ""]
        if df.empty:
            return
        df = df[list(dict.fromkeys(["id", between, *compare, "name", *(c for c in by if c != "core")]))].copy()
        if "core" in by:
            df["core"] = core_column(df["name"])
        df = df[df.groupby(by, sort=False)[between].transform("nunique") >= params["min_groups"]]
        # only matters where some compared value differs at all (most matters agree everywhere)
        varies = np.zeros(len(df), dtype=bool)
        for col in compare:
            values = df[col].astype(object).where(df[col].fillna("") != "")
            varies |= (values.groupby([df[c] for c in by], sort=False).transform("nunique") > 1).to_numpy()
        df = df[varies]
        cols = {c: df[c].to_numpy(dtype=object) for c in ["id", between, *compare]}
        for key, rows in df.groupby(by, sort=False).indices.items():
            hit = _differences(rows, cols, between, compare)
            if hit is None:
                continue
            subjects, practice = hit
            key = key if isinstance(key, tuple) else (key,)
            shown = str(key[by.index("core")]) if "core" in by else "，".join(map(str, key))
            detail = "；".join(f"{FIELD_LABELS.get(c, c)}：" + "，".join(f"{p}为“{v or '（空）'}”" for p, v in by_p.items())
                               for c, by_p in practice.items())
            yield Hit(subjects, {"key": shown, "by": {FIELD_LABELS.get(c, c): str(k) for c, k in zip(by, key)},
                                 "practice": {FIELD_LABELS.get(c, c): v for c, v in practice.items()}},
                      key="|".join(map(str, key)), fields={"detail": detail, "provinces": len({*cols[between][rows]})})


def _differences(rows: np.ndarray, cols: dict, between: str, compare: list[str]):
    """(the items departing from the shared practice, each differing column's practice by province), or None."""
    groups = cols[between][rows]
    practice: dict[str, dict[str, str]] = {}
    departing: set[int] = set()
    for col in compare:
        values = cols[col][rows]
        by_group: dict[str, Counter] = {}
        for g, v in zip(groups, values):
            if isinstance(v, str) and v:
                by_group.setdefault(g, Counter())[v] += 1
        own = {g: _top(c) or SPLIT for g, c in sorted(by_group.items())}
        if len(set(own.values())) < 2:
            continue
        practice[col] = own
        shared = _top(Counter(v for v in own.values() if v != SPLIT))
        departing.update(i for i, v in enumerate(values) if isinstance(v, str) and v and v != shared)
    if not departing:
        return None
    return [str(cols["id"][rows[i]]) for i in sorted(departing)], practice


def _top(counts: Counter) -> str | None:
    """The most common value, or None when two share the top (or there is none)."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]

