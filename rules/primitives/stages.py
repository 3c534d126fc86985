"""required_stages: responsibilities that skip stages their category requires (R04).

The table of required stages is ``loaders/data/stages.yaml`` (``required:``),
the same vocabulary the loader tags clauses with.
"""

from __future__ import annotations

from quanze.loaders.responsibilities import required_stages
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register


@register
class RequiredStages(Primitive):
    name = "required_stages"
    reads_clauses = True
    local = True
    schema = {"only": Param("list", [], "只查这些环节（空为该类别应有的全部环节）")}

    def evaluate(self, ctx, scope, params):
        only = set(params["only"])
        stages = ctx.tables.stages_of()
        for row in scope.itertuples(index=False):
            required = [s for s in required_stages(row.category) if not only or s in only]
            present = stages.get(row.id)
            if not required or not present:
                continue  # no responsibilities at all is another rule's finding
            lacking = [s for s in required if s not in present]
            if lacking:
                yield Hit([row.id], {"missing_stages": lacking, "present_stages": sorted(present)},
                          fields={"missing": "、".join(lacking)})
