"""lineage: items a reorganisation left in the wrong place (rules R18–R20).

``kind: ended``  items still held by a body a reform merged, renamed or split away;
``kind: moved``  items of a function that moved, still held by the old department
                 (matched by the event's scope: categories, keywords, provisions);
``kind: basis``  basis text naming a pre-reform body (a relabel, not an invalid basis).

Lineage is the built-in 2018 reform plus the events given as input (``--lineage``).
"""

from __future__ import annotations

from quanze.loaders.lineage import Lineage, builtin_lineage, short_names
from quanze.loaders.citations import parse_basis
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register


@register
class LineageCheck(Primitive):
    name = "lineage"
    cost = 10
    local = True
    schema = {"kind": Param("text", "ended", "ended：机构已撤并；moved：职责已划转；basis：依据用旧机构名",
                            choices=("ended", "moved", "basis"))}

    def evaluate(self, ctx, scope, params):
        lineage: Lineage = ctx.inputs.get("lineage") or builtin_lineage()
        check = {"ended": _ended, "moved": _moved, "basis": _basis}.get(params["kind"])
        if check is None:
            raise ValueError("kind 只能是 ended（机构已撤并）、moved（职责已划转）或 basis（依据用旧机构名）")
        yield from check(ctx, scope, lineage)


def _ended(ctx, scope, lineage: Lineage):
    for row in scope.itertuples(index=False):
        body = lineage.ended_body_in(row.department_raw)
        if body:
            event = lineage.ended[body]
            heirs = lineage.successors(body)
            yield Hit([row.id], {"body": body, "event": event.describe(), "successors": heirs},
                      key=event.id, fields={"body": body, "successor": "、".join(heirs)})


def _moved(ctx, scope, lineage: Lineage):
    provisions = ctx.provisions_of()
    for event in (e for e in lineage.events if e.type == "move_function"):
        wanted = {c.provision_key.split(".")[0] for p in event.scope.get("provisions", []) for c in parse_basis(p)}
        heirs = [h for t in event.targets for h in lineage.successors(t)]
        old = frozenset().union(*map(short_names, event.sources))
        new = frozenset().union(*map(short_names, heirs))
        held = scope[scope["short_name"].isin(old) & ~scope["short_name"].isin(new)]
        for row in held.itertuples(index=False):
            if not _in_scope(row, event.scope, wanted, provisions.get(row.id, set())):
                continue
            yield Hit([row.id], {"event": event.describe(), "successors": heirs}, key=event.id,
                      fields={"successor": "、".join(heirs), "event": event.describe()})


def _in_scope(row, scope: dict, wanted: set[str], cited: set[str]) -> bool:
    if scope.get("categories") and row.category not in scope["categories"]:
        return False
    if scope.get("keywords") and not any(k in row.title for k in scope["keywords"]):
        return False
    return not wanted or bool(wanted & cited)


def _basis(ctx, scope, lineage: Lineage):
    for row in scope.itertuples(index=False):
        for body in lineage.ended:
            phrase = next((p for p in lineage.body(body).in_law if p in row.basis_text), None)
            if phrase:
                heirs = lineage.successors(body)
                yield Hit([row.id], {"phrase": phrase, "body": body, "successors": heirs}, key=phrase,
                          fields={"phrase": phrase, "successor": "、".join(heirs)})
