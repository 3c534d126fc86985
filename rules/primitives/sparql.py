"""sparql: items returned by a SPARQL query over the RDF view, for checks no other primitive expresses.

The query must bind ``?item``; other variables become evidence.  Building the RDF
view costs seconds on a city's lists, so no pairing rule should use this.
"""

from __future__ import annotations

from urllib.parse import unquote

from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register


@register
class Sparql(Primitive):
    name = "sparql"
    whole_run = True
    reads_clauses = True
    schema = {"query": Param("text", "", "SPARQL 查询，须绑定 ?item")}

    def evaluate(self, ctx, scope, params):
        if "?item" not in params["query"]:
            raise ValueError("sparql 检查的查询须绑定 ?item")
        rdf = ctx.tables.view("rdf")  # rdflib only for a catalogue that has a SPARQL rule
        allowed = set(scope["id"])
        for row in rdf.query(params["query"]):
            item_id = unquote(str(row.pop("item")).removeprefix(rdf.node_prefix)).removeprefix("item:")
            if item_id in allowed:
                yield Hit([item_id], {k: str(v) for k, v in row.items() if v is not None}, key=str(sorted(row.items())))
