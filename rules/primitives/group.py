"""group: group items (or their citations) by columns and keep groups meeting a having-condition.

Used for 多头执法 (one provision, several departments), 多层重复执法 (one matter,
several levels), 三级四同 (one name, differing type or basis) and 内容相近.
"""

from __future__ import annotations

import pandas as pd

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import Primitive, register
from quanze.rules.tables import FIELD_LABELS
from quanze.rules.textsim import core_text, generic_documents


@register
class Group(Primitive):
    name = "group"
    defaults = {"table": "items", "by": [], "where": [], "min_distinct": {}, "differs": [], "unless": [],
                "compatible": [], "exclude_generic": True, "label": ""}

    def evaluate(self, ctx, scope, params):
        df = _rows(ctx, scope, params)
        by = list(params["by"])
        if not by:
            raise ValueError("group 须指定 by（分组字段）")
        df = df[mask(df, params["where"])]
        df = df[(df[by].astype(str) != "").all(axis=1) & df[by].notna().all(axis=1)]
        df = df[df.groupby(by, sort=False)["id"].transform("nunique") > 1]
        split = mask(df, params["unless"]) if params["unless"] else pd.Series(False, index=df.index)
        for key, members in df.groupby(by, sort=False):
            if split[members.index].any():
                continue
            members = _compatible(members, params)
            if not _having(members, params):
                continue
            key = key if isinstance(key, tuple) else (key,)
            shown = str(members[params["label"]].iloc[0]) if params["label"] else "，".join(map(str, key))
            evidence = {"key": shown, "by": {FIELD_LABELS.get(c, c): str(k) for c, k in zip(by, key)}}
            for col in {*params["min_distinct"], *params["differs"]}:
                evidence.setdefault("values", {})[FIELD_LABELS.get(col, col)] = sorted(map(str, members[col].unique()))
            yield Hit(list(dict.fromkeys(members["id"])), evidence, key=shown)


def _rows(ctx, scope: pd.DataFrame, params: dict) -> pd.DataFrame:
    if params["table"] == "items":
        df = scope.copy()
        df["core"] = [core_text(n) for n in df["name"]]
        return df
    if params["table"] != "citations":
        raise ValueError(f"group 的 table 只能是 items 或 citations，而不是 {params['table']!r}")
    cits = ctx.citations
    if params["exclude_generic"]:
        cits = cits[~cits["document"].isin(generic_documents())]
    joined = cits.merge(scope, left_on="item_id", right_on="id", how="inner")
    joined["provision_name"] = joined["article_key"].map(_provision_name)
    return joined


def _provision_name(key: str) -> str:
    doc, _, art = key.partition("#")
    return f"《{doc}》第{art}条" if art else f"《{doc}》"


def _having(members: pd.DataFrame, params: dict) -> bool:
    if members["id"].nunique() < 2:
        return False
    for col, least in params["min_distinct"].items():
        if members[col].nunique() < least:
            return False
    differs = params["differs"]
    return not differs or any(members[c].nunique() > 1 for c in differs)


def _compatible(members: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Keep members whose finer keys (款, 项) agree with a member of another entity, or are unspecified."""
    finer = params["compatible"]
    entity = next(iter(params["min_distinct"]), None)
    if not finer or entity is None:
        return members
    rows = members[finer].to_numpy(dtype=object)
    ents = members[entity].to_numpy()
    keep = []
    for i in range(len(members)):
        keep.append(any(ents[j] != ents[i] and all(_agree(rows[i][k], rows[j][k]) for k in range(len(finer)))
                        for j in range(len(members))))
    return members[keep]


def _agree(a, b) -> bool:
    return a is None or b is None or pd.isna(a) or pd.isna(b) or a == b
