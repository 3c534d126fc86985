"""coverage: items with no counterpart among other items (监管空白).

For every item in scope, look for a counterpart among the items meeting
``counterpart`` in the same block: one citing the same (non-generic) document,
or one whose name is similar enough.  Items with none are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, TEXTS, Param, Primitive, register
from quanze.rules.textsim import best_match


@register
class Coverage(Primitive):
    name = "coverage"
    run_vectors = True
    schema = {
        "counterpart": Param("conditions", [], "哪些事项算作对应事项（如检查、处罚）"),
        "block": Param("text", "territory", "在哪个范围内找对应事项（字段名）", choices=COLUMNS),
        "text": Param("text", "core", "比较名称的哪种文字", choices=TEXTS),
        "threshold": Param("number", 0.35, "名称相似度达到多少算对应", min=0, max=1),
        "share_document": Param("boolean", True, "引用同一法律文件是否算对应"),
    }

    def evaluate(self, ctx, scope, params):
        right = ctx.items[mask(ctx.items, params["counterpart"])]
        if scope.empty:
            return
        covered, best, score = counterparts(ctx, scope, right, params["block"], params["threshold"],
                                            params["text"], params["share_document"])
        docs = ctx.documents_of()
        texts = ctx.texts(params["text"])
        lpos = scope["id"].map(ctx.position).to_numpy()
        rpos = right["id"].map(ctx.position).to_numpy()
        for n, item_id in enumerate(scope["id"]):
            if covered[n]:
                continue
            ev = {"matter": texts[lpos[n]], "documents": sorted(docs.get(item_id, set()))}
            if best[n] >= 0 and score[n] > 0:
                ev["nearest"] = {"item": texts[rpos[best[n]]], "score": round(float(score[n]), 4)}
            yield Hit([item_id], ev, fields={"matter": texts[lpos[n]]})


def counterparts(ctx, left: pd.DataFrame, right: pd.DataFrame, block: str, threshold: float, text: str = "core",
                 share_document: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each ``left`` item: whether a ``right`` item of the same block cites one of its (non-generic)
    documents or has a name at least ``threshold`` similar; and the most similar right row and its score."""
    docs = ctx.documents_of() if share_document else {}
    cited_in: dict[str, set[str]] = {}
    for item_id, b in zip(right["id"], right[block]):
        cited_in.setdefault(b, set()).update(docs.get(item_id, ()))
    X = ctx.vectors(text)
    lpos = left["id"].map(ctx.position).to_numpy()
    rpos = right["id"].map(ctx.position).to_numpy()
    if X is not None and len(rpos):
        best, score = best_match(X[lpos], X[rpos], left[block].tolist(), right[block].tolist())
    else:
        best, score = np.full(len(lpos), -1), np.zeros(len(lpos))
    covered = np.array([bool(docs.get(i, set()) & cited_in.get(b, set())) or (best[n] >= 0 and score[n] >= threshold)
                        for n, (i, b) in enumerate(zip(left["id"], left[block]))], dtype=bool)
    return covered, best, score
