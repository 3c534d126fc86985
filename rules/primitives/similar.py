"""similar: pairs of items whose names say the same thing, scored inside blocks.

Blocks are columns (one government, one category …); ``pair`` says whether the
two items must belong to different departments (多头执法, 职能交叉) or the same
one (内容相近).  Names are compared by their core (``textsim.core_text``).
"""

from __future__ import annotations

import numpy as np

from quanze.rules.model import Hit
from quanze.rules.primitives import Primitive, register
from quanze.rules.textsim import pairs_in_blocks


@register
class Similar(Primitive):
    name = "similar"
    defaults = {"text": "core", "block": ["government"], "pair": "different", "pair_on": "department_id",
                "threshold": 0.6, "top_k": 10, "max_df": 1.0, "skip_shared_provision": False}

    def evaluate(self, ctx, scope, params):
        X = ctx.vectors(params["text"], params["max_df"])
        if X is None or scope.empty:
            return
        pos = scope["id"].map(ctx.position).to_numpy()
        blocks = scope[params["block"]].astype(str).agg("|".join, axis=1).to_numpy() if params["block"] else \
            np.zeros(len(scope), dtype=int)
        owner = scope[params["pair_on"]].to_numpy()
        main = scope["main_id"].to_numpy()
        same = params["pair"] == "same"
        provisions = ctx.provisions_of() if params["skip_shared_provision"] else {}
        texts = ctx.texts(params["text"])
        ids = scope["id"].to_numpy()

        def keep(a: int, b: int) -> bool:
            if (owner[a] == owner[b]) != same or main[a] == main[b]:
                return False  # sub-items of one 主项 are distinct by construction
            return not (provisions and provisions.get(ids[a], set()) & provisions.get(ids[b], set()))

        for a, b, score in pairs_in_blocks(X[pos], blocks, params["threshold"], params["top_k"], keep):
            ia, ib = ids[a], ids[b]
            ev = {"score": score, "compared": [texts[pos[a]], texts[pos[b]]]}
            shared = _shared(ctx, ia, ib)
            if shared:
                ev["shared_documents"] = shared
            yield Hit([ia, ib], ev, fields={"score": f"{score:.2f}", "matter": texts[pos[a]]})


def _shared(ctx, a: str, b: str) -> list[str]:
    docs = ctx.documents_of()
    return sorted(docs.get(a, set()) & docs.get(b, set()))
