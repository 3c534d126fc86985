"""group: group items (or their citations) by columns and keep groups meeting a having-condition.

Used for 多头执法 (one provision, several departments), 多层重复执法 (one matter,
several levels), 三级四同 (one name, differing type or basis) and 内容相近.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, Param, Primitive, register
from quanze.rules.textsim import core_column, generic_documents
from quanze.tables import FIELD_LABELS, item_key


@register
class Group(Primitive):
    name = "group"
    schema = {
        "table": Param("text", "items", "分组的表：items（事项）或 citations（引用）", choices=("items", "citations")),
        "by": Param("list", [], "分组字段", choices=COLUMNS),
        "where": Param("conditions", [], "参与分组的行须满足的条件"),
        "min_distinct": Param("mapping", {}, "组内至少有多少个不同取值（字段: 个数）", min=1, choices=COLUMNS),
        "differs": Param("list", [], "组内须有不同取值的字段（任一即可）", choices=COLUMNS),
        "unless": Param("conditions", [], "组内任一行满足即不报告"),
        "compatible": Param("list", [], "须相容的更细字段（款、项）", choices=COLUMNS),
        "exclude_generic": Param("boolean", True, "是否不计通用法律（行政处罚法等）"),
        "label": Param("text", "", "消息中显示的分组名称字段（空为分组取值）", choices=("", *COLUMNS)),
    }

    def evaluate(self, ctx, scope, params):
        df = _rows(ctx, scope, params)
        by = list(params["by"])
        if not by:
            raise ValueError("group 须指定 by（分组字段）")
        df = df[mask(df, params["where"])]
        df = df[(df[by].astype(str) != "").all(axis=1) & df[by].notna().all(axis=1)]
        df = df[df.groupby(by, sort=False)["id"].transform("nunique") > 1]
        split = mask(df, params["unless"]).to_numpy() if params["unless"] else np.zeros(len(df), dtype=bool)
        wanted = {"id", *params["min_distinct"], *params["differs"], *params["compatible"]}
        wanted |= {params["label"]} - {""} | ({"provision"} if params["table"] == "citations" else set())
        cols = {c: df[c].to_numpy(dtype=object) for c in wanted}
        for key, rows in df.groupby(by, sort=False).indices.items():
            if split[rows].any():
                continue
            rows = _compatible(rows, cols, params)
            if not _having(rows, cols, params):
                continue
            key = key if isinstance(key, tuple) else (key,)
            shown = str(cols[params["label"]][rows[0]]) if params["label"] else "，".join(map(str, key))
            evidence = {"key": shown, "by": {FIELD_LABELS.get(c, c): str(k) for c, k in zip(by, key)}}
            for col in sorted({*params["min_distinct"], *params["differs"]}):
                evidence.setdefault("values", {})[FIELD_LABELS.get(col, col)] = sorted({str(v) for v in cols[col][rows]})
            if "provision" in cols:  # each item's edge to the provision it cites
                evidence["paths"] = sorted({(item_key(i), f"prov:{p}") for i, p in zip(cols["id"][rows],
                                                                                         cols["provision"][rows])})
            yield Hit(list(dict.fromkeys(cols["id"][rows])), evidence, key=shown)


def _rows(ctx, scope: pd.DataFrame, params: dict) -> pd.DataFrame:
    if params["table"] == "items":
        df = scope.copy()
        df["core"] = core_column(df["name"])
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


def _having(rows: np.ndarray, cols: dict, params: dict) -> bool:
    if len(set(cols["id"][rows])) < 2:
        return False
    for col, least in params["min_distinct"].items():
        if len(set(cols[col][rows])) < least:
            return False
    differs = params["differs"]
    return not differs or any(len(set(cols[c][rows])) > 1 for c in differs)


def _compatible(rows: np.ndarray, cols: dict, params: dict) -> np.ndarray:
    """Keep members whose finer keys (款, 项) agree with a member of another entity, or are unspecified."""
    finer = params["compatible"]
    entity = next(iter(params["min_distinct"]), None)
    if not finer or entity is None:
        return rows
    keys = [[cols[c][r] for c in finer] for r in rows]
    if all(_blank(v) for k in keys for v in k):
        return rows  # no 款 or 项 given anywhere: nothing to tell members apart
    ents = cols[entity][rows]
    keep = [any(ents[j] != ents[i] and all(_agree(a, b) for a, b in zip(keys[i], keys[j])) for j in range(len(rows)))
            for i in range(len(rows))]
    return rows[np.asarray(keep, dtype=bool)]


def _blank(v) -> bool:
    return v is None or pd.isna(v)


def _agree(a, b) -> bool:
    return _blank(a) or _blank(b) or a == b
