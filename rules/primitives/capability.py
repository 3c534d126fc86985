"""legal_capability: a power whose basis is below the level that may create it (R09).

Reads ``rules/data/legal_levels.yaml``: which legal levels may create a licence,
a penalty or a coercive measure, and which measures are reserved to law.  An
item is judged only on citations whose level is known.
"""

from __future__ import annotations

import re

from quanze.rules.catalogue import data_table
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register
from quanze.tables import level_rank, sets_by


@register
class LegalCapability(Primitive):
    name = "legal_capability"
    cost = 12
    local = True
    schema = {"table": Param("text", "legal_levels", "法律层级表（rules/data 下的文件名）")}

    def evaluate(self, ctx, scope, params):
        table = data_table(params["table"])
        known = ctx.citations[ctx.citations["level"].fillna("") != ""]
        levels = {k: sorted(v) for k, v in sets_by(known["item_id"], known["level"]).items()}
        for row in scope.itertuples(index=False):
            cited = [lv for lv in levels.get(row.id, []) if level_rank(lv) is not None]
            if not cited:
                continue
            allowed = table["may_create"].get(row.category)
            if allowed and not set(cited) & set(allowed):
                yield self._hit(row, cited, allowed, f"{'、'.join(cited)}不能设定{row.category}")
                continue
            for reserved in table.get("reserved", []):
                if reserved["category"] == row.category and re.search(reserved["keyword"], row.name) \
                        and not set(cited) & set(reserved["levels"]):
                    yield self._hit(row, cited, reserved["levels"], reserved["why"])
                    break

    @staticmethod
    def _hit(row, cited: list[str], allowed: list[str], why: str) -> Hit:
        highest = min(cited, key=level_rank)
        return Hit([row.id], {"cited_levels": cited, "highest": highest, "required": allowed, "why": why},
                   fields={"highest": highest, "why": why})
