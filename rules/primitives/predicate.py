"""predicate: items (or their citations) meeting conditions on their attributes."""

from __future__ import annotations

import pandas as pd

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register


@register
class Predicate(Primitive):
    name = "predicate"
    local = True
    schema = {
        "table": Param("text", "items", "检查的表：items（事项）或 citations（引用）", choices=("items", "citations")),
        "where": Param("conditions", [], "须全部满足的条件"),
    }

    def evaluate(self, ctx, scope, params):
        if params["table"] == "items":
            for row in scope[mask(scope, params["where"])].itertuples(index=False):
                # what the item cites, for messages ("无" rather than an empty bracket)
                yield Hit([row.id], fields={"documents": row.documents or "无", "basis_levels": row.basis_levels or "无"})
            return
        if params["table"] != "citations":
            raise ValueError(f"predicate 的 table 只能是 items 或 citations，而不是 {params['table']!r}")
        cits = ctx.citations[ctx.citations["item_id"].isin(scope["id"])]
        cits = cits[mask(cits, params["where"])]
        for item_id, group in cits.groupby("item_id", sort=False):
            cited = [_describe(c) for c in group.itertuples(index=False)]
            yield Hit([item_id], {"citations": cited}, key="|".join(cited), fields={"citations": "、".join(cited)})


def _describe(c) -> str:
    text = f"《{c.document}》"
    if pd.notna(c.article):
        text += f"第{c.article}条"
    if c.expired is True:
        text += "（已失效）"
    if c.article_exists is False:
        text += "（现行文本无此条）"
    return text
