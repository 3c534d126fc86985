"""missing: items lacking a field's value or an edge of the graph (R04 有权无责, R08)."""

from __future__ import annotations

from quanze.graph.model import EDGE_TYPES, item_key
from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, EDGES, Param, Primitive, register
from quanze.rules.tables import FIELD_LABELS


@register
class Missing(Primitive):
    name = "missing"
    schema = {
        "fields": Param("list", [], "须有内容的字段", choices=COLUMNS),
        "edges": Param("list", [], "须有的图谱关系", choices=EDGES),
        "mode": Param("text", "any", "any：缺任一即报告；all：全缺才报告", choices=("any", "all")),
    }

    def evaluate(self, ctx, scope, params):
        fields, edges = params["fields"], params["edges"]
        unknown = [e for e in edges if e not in EDGE_TYPES]
        if unknown:
            raise ValueError(f"未知的关系类型：{'、'.join(unknown)}")
        need_all = params["mode"] == "all"
        for row in scope.itertuples(index=False):
            gaps = [FIELD_LABELS.get(f, f) for f in fields if not str(getattr(row, f) or "").strip()]
            gaps += [EDGE_TYPES[e] for e in edges if not ctx.graph.successors(item_key(row.id), e)]
            expected = len(fields) + len(edges)
            if gaps and (not need_all or len(gaps) == expected):
                yield Hit([row.id], {"missing": gaps}, fields={"missing": "、".join(gaps)})
