"""across: the same matter whose practice differs between provinces (R21, 三级四同 nationally).

Each province's practice for a matter is the value most of its holders give (the category, the basis
documents, the levels); a province whose holders split evenly has no single practice.  A finding is a
matter the provinces practise differently; it names the items that depart from the practice most
provinces share, so that one county's slip inside a province (R15's concern) is not a difference
between provinces.  An empty value (an item without a basis) takes no part: R08 reports those.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

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

    shares = True  # each matter's values per province, added up over the partitions
    joins = True  # a matter's departing items are in several provinces

    def share(self, ctx, scope, params):
        by, between, compare = list(params["by"]), params["between"], list(params["compare"])
        df = _holders(scope, params)
        out: dict = {}
        for key in df.groupby([*by, between], sort=False).indices:
            out.setdefault(key[:-1] if len(by) > 1 else key[0], {})[key[-1]] = {c: Counter() for c in compare}
        for col in compare:
            known = df[np.fromiter((isinstance(v, str) and v != "" for v in df[col]), dtype=bool, count=len(df))]
            for key, n in known.groupby([*by, between, col], sort=False).size().items():
                out[key[:-2] if len(by) > 1 else key[0]][key[-2]][col][key[-1]] += int(n)
        return Holdings(out)

    def complete(self, whole, params, inputs):
        """Each matter held in ``min_groups`` provinces or more whose practice differs: (each differing value's
        practice per province, the practice most provinces share, the number of provinces)."""
        out = {}
        for key, provinces in whole.matters.items():
            if len(provinces) < params["min_groups"]:
                continue
            practice, shared = {}, {}
            for col in params["compare"]:
                own = {g: _top(values[col]) or SPLIT for g, values in sorted(provinces.items()) if values[col]}
                if len(set(own.values())) < 2:
                    continue
                practice[col] = own
                shared[col] = _top(Counter(v for v in own.values() if v != SPLIT))
            if practice:
                out[key] = (practice, shared, len(provinces))
        return out

    def evaluate_given(self, ctx, scope, params, whole):
        by = list(params["by"])
        df = _holders(scope, params)
        if df.empty or not whole:
            return
        cols = {c: df[c].to_numpy(dtype=object) for c in ["id", *params["compare"]]}
        for key, rows in df.groupby(by, sort=False).indices.items():
            if key not in whole:
                continue
            practice, shared, provinces = whole[key]
            departing = [r for r in rows if any(isinstance(v, str) and v and v != shared[c]
                                                for c, v in ((c, cols[c][r]) for c in practice))]
            if not departing:
                continue
            key = key if isinstance(key, tuple) else (key,)
            shown = str(key[by.index("core")]) if "core" in by else "，".join(map(str, key))
            detail = "；".join(f"{FIELD_LABELS.get(c, c)}：" + "，".join(f"{p}为“{v or '（空）'}”" for p, v in by_p.items())
                               for c, by_p in practice.items())
            yield Hit([str(cols["id"][r]) for r in departing],
                      {"key": shown, "by": {FIELD_LABELS.get(c, c): str(k) for c, k in zip(by, key)},
                       "practice": {FIELD_LABELS.get(c, c): v for c, v in practice.items()}},
                      key="|".join(map(str, key)), fields={"detail": detail, "provinces": provinces})


@dataclass
class Holdings:
    """Matter → province → compared column → how many of the province's holders give each value."""

    matters: dict

    def __add__(self, other: Holdings) -> Holdings:
        # neither side is changed, and only what both hold is copied: a province's rows are in few parts
        out = dict(self.matters)
        for key, provinces in other.matters.items():
            if key not in out:
                out[key] = provinces
                continue
            mine = out[key] = dict(out[key])
            for g, cols in provinces.items():
                mine[g] = {c: mine[g][c] + n for c, n in cols.items()} if g in mine else cols
        return Holdings(out)


def _holders(scope, params) -> pd.DataFrame:
    """The items that hold a matter in a known province, with the columns compared (and the name's core)."""
    by, between, compare = list(params["by"]), params["between"], list(params["compare"])
    df = scope[scope[between].fillna("") != ""]
    df = df[list(dict.fromkeys(["id", between, *compare, "name", *(c for c in by if c != "core")]))].copy()
    if "core" in by:
        df["core"] = core_column(df["name"])
    return df


def _top(counts: Counter) -> str | None:
    """The most common value, or None when two share the top (or there is none)."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]

