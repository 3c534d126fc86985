"""coverage: items with no counterpart among other items (监管空白).

For every item in scope, look for a counterpart among the items meeting
``counterpart`` in the same block: one citing the same (non-generic) document,
or one whose name is similar enough.  Items with none are reported.
"""

from __future__ import annotations

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import Primitive, register
from quanze.rules.textsim import best_match


@register
class Coverage(Primitive):
    name = "coverage"
    defaults = {"counterpart": [], "block": "territory", "text": "core", "threshold": 0.35, "share_document": True}

    def evaluate(self, ctx, scope, params):
        items = ctx.items
        right = items[mask(items, params["counterpart"])]
        if scope.empty:
            return
        docs = ctx.documents_of() if params["share_document"] else {}
        cited_in: dict[str, set[str]] = {}
        if docs:
            for item_id, block in zip(right["id"], right[params["block"]]):
                cited_in.setdefault(block, set()).update(docs.get(item_id, ()))
        X = ctx.vectors(params["text"])
        texts = ctx.texts(params["text"])
        lpos = scope["id"].map(ctx.position).to_numpy()
        rpos = right["id"].map(ctx.position).to_numpy()
        if X is not None and len(rpos):
            best, score = best_match(X[lpos], X[rpos], scope[params["block"]].tolist(), right[params["block"]].tolist())
        else:
            best, score = [-1] * len(lpos), [0.0] * len(lpos)
        for n, row in enumerate(scope.itertuples(index=False)):
            shared = docs.get(row.id, set()) & cited_in.get(getattr(row, params["block"]), set())
            if shared or (best[n] >= 0 and score[n] >= params["threshold"]):
                continue
            ev = {"matter": texts[lpos[n]], "documents": sorted(docs.get(row.id, set()))}
            if best[n] >= 0 and score[n] > 0:
                ev["nearest"] = {"item": texts[rpos[best[n]]], "score": round(float(score[n]), 4)}
            yield Hit([row.id], ev, fields={"matter": texts[lpos[n]]})
