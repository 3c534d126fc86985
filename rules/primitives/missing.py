"""missing: items lacking a field's value or a relation (an edge of the graph view: R04 有权无责, R08)."""

from __future__ import annotations

from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, EDGES, Param, Primitive, register
from quanze.tables import FIELD_LABELS, RELATIONS


@register
class Missing(Primitive):
    name = "missing"
    reads_clauses = True
    cost = 5
    local = True
    schema = {
        "fields": Param("list", [], "须有内容的字段", choices=COLUMNS),
        "edges": Param("list", [], "须有的图谱关系", choices=EDGES),
        "mode": Param("text", "any", "any：缺任一即报告；all：全缺才报告", choices=("any", "all")),
    }

    def evaluate(self, ctx, scope, params):
        fields, edges = params["fields"], params["edges"]
        unknown = [e for e in edges if e not in RELATIONS]
        if unknown:
            raise ValueError(f"未知的关系类型：{'、'.join(unknown)}")
        need_all = params["mode"] == "all"
        related = {e: ctx.tables.has_relation(e).loc[scope.index].to_numpy() for e in edges}
        for n, row in enumerate(scope.itertuples(index=False)):
            gaps = [FIELD_LABELS.get(f, f) for f in fields if not str(getattr(row, f) or "").strip()]
            gaps += [RELATIONS[e] for e in edges if not related[e][n]]
            expected = len(fields) + len(edges)
            if gaps and (not need_all or len(gaps) == expected):
                yield Hit([row.id], {"missing": gaps}, fields={"missing": "、".join(gaps)})
