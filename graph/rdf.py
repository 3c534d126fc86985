"""The RDF view of the tables (through their graph view), its exports, and SPARQL over it.

The view is for exchange and for ad-hoc questions a user asks in SPARQL; the
rules never run through it (pairing items in SPARQL is orders of magnitude
slower than over tables, see docs/architecture notes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import rdflib.plugins.sparql
from pyparsing import ParseException, ParseResults
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from quanze.graph.model import PowerGraph, xml_text

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # a query never loads the graphs it names from the network

QZ = Namespace("urn:quanze:vocab:")
NODE = "urn:quanze:node:"
VOCAB_FILE = Path(__file__).with_name("vocab.ttl")

_CLASS = {
    "department": QZ.Department, "region": QZ.Region, "level": QZ.Level, "main_item": QZ.MainItem,
    "item": QZ.PowerItem, "document": QZ.LegalDocument, "provision": QZ.Provision,
    "responsibility": QZ.Responsibility,
}
_EDGE = {
    "exercised_by": QZ.exercisedBy, "at_level": QZ.atLevel, "based_on": QZ.basedOn, "part_of": QZ.partOf,
    "has_responsibility": QZ.hasResponsibility, "sub_item_of": QZ.subItemOf, "in_region": QZ.inRegion,
}
_ATTR = {
    "name": QZ.name, "sub_name": QZ.subName, "category": QZ.category, "level": QZ.legalLevel,
    "article": QZ.article, "stage": QZ.stage, "text": QZ.text, "source_file": QZ.sourceFile,
    "source_sheet": QZ.sourceSheet, "source_rows": QZ.sourceRows, "resolved": QZ.resolved,
    "exists": QZ.articleExists,
}


def node_uri(key: str) -> URIRef:
    return URIRef(NODE + quote(key, safe=":"))


def to_rdf(pg: PowerGraph) -> Graph:
    g = Graph()
    g.bind("qz", QZ)
    for key, attrs in pg.nodes():
        s = node_uri(key)
        g.add((s, RDF.type, _CLASS[attrs["type"]]))
        for attr, pred in _ATTR.items():
            value = attrs.get(attr)
            if value in (None, ""):
                continue
            if isinstance(value, bool):
                g.add((s, pred, Literal(value, datatype=XSD.boolean)))
            elif isinstance(value, int):
                g.add((s, pred, Literal(value, datatype=XSD.integer)))
            else:
                g.add((s, pred, Literal(xml_text(str(value)))))
        if attrs["type"] == "item":
            record = attrs["record"]
            g.add((s, QZ.itemId, Literal(record.id)))
            g.add((s, QZ.categoryRaw, Literal(xml_text(record.category_raw))))
    for u, v, k in pg.g.edges(keys=True):
        g.add((node_uri(u), _EDGE[k], node_uri(v)))
    return g


@dataclass
class RdfView:
    """The RDF graph of a set of tables, queried read-only in SPARQL (``Tables.view("rdf")``)."""

    graph: Graph
    node_prefix = NODE

    def query(self, query: str, limit: int | None = None) -> list[dict]:
        return sparql(self.graph, query, limit)


def rdf_of(tables) -> RdfView:
    """The RDF view, from a graph view made for it and not kept (only the RDF graph is held)."""
    from quanze.graph.build import graph_of

    return RdfView(to_rdf(graph_of(tables)))


def vocabulary() -> Graph:
    return Graph().parse(VOCAB_FILE, format="turtle")


def sparql(pg_or_rdf, query: str, limit: int | None = None) -> list[dict]:
    """Run a read-only SPARQL query; rows as dicts of plain Python values.

    Only the graph itself is queried: updates, ``SERVICE`` (federation) and
    ``FROM``/``FROM NAMED`` are refused before evaluation, and rdflib is told not to
    load graphs named in a query, so no query makes the process fetch a URL.
    """
    g = to_rdf(pg_or_rdf) if isinstance(pg_or_rdf, PowerGraph) else getattr(pg_or_rdf, "graph", pg_or_rdf)
    prepared = read_only_query(query)
    result = g.query(prepared)
    if result.type == "ASK":
        return [{"ask": bool(result.askAnswer)}]
    rows = []
    for row in result:
        if limit is not None and len(rows) >= limit:
            break
        if result.type == "SELECT":
            rows.append({str(var): (None if row[i] is None else row[i].toPython())
                         for i, var in enumerate(result.vars)})
        else:
            rows.append({"s": str(row[0]), "p": str(row[1]), "o": str(row[2])})
    return rows


def read_only_query(query: str) -> Query:
    """The query in rdflib's algebra, or ValueError (in Chinese) when it would write or reach outside the graph."""
    try:
        parsed = parseQuery(query)
    except ParseException as e:
        try:
            parseUpdate(query)
        except ParseException:
            raise ValueError(f"语法错误（第 {e.lineno} 行第 {e.col} 列）") from None
        raise ValueError("只支持查询（SELECT/ASK/CONSTRUCT/DESCRIBE），不支持更新（INSERT、DELETE、LOAD 等）") from None
    prepared = translateQuery(parsed, initNs={"qz": QZ})
    names = _node_names(parsed) | _node_names(prepared.algebra)
    if "ServiceGraphPattern" in names:
        raise ValueError("不支持 SERVICE（联邦查询）：只能查询本数据集的图谱，服务不访问其他地址")
    if "DatasetClause" in names or prepared.algebra.get("datasetClause"):
        raise ValueError("不支持 FROM / FROM NAMED：只能查询本数据集的图谱，服务不读取其他图")
    return prepared


def _node_names(tree, depth: int = 0) -> set[str]:
    """The names of every node in a parse tree or algebra (CompValue), at any depth."""
    if depth > 200:  # deeper than any query a parser accepts; refuse rather than recurse further
        raise ValueError("查询嵌套过深")
    found: set[str] = set()
    if isinstance(tree, CompValue):
        found.add(tree.name)
        children = tree.values()
    elif isinstance(tree, (list, tuple, ParseResults)):
        children = tree
    else:
        return found
    for child in children:
        found |= _node_names(child, depth + 1)
    return found


def export(pg: PowerGraph, path: str | Path) -> int:
    """Write the graph as Turtle (.ttl), JSON-LD (.jsonld/.json) or GraphML (.graphml).

    Returns the number of triples (RDF formats) or nodes (GraphML) written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(_plain(pg), path)
        return pg.g.number_of_nodes()
    g = to_rdf(pg)
    if suffix == ".ttl":
        g.serialize(path, format="turtle", encoding="utf-8")
    elif suffix in (".jsonld", ".json"):
        g.serialize(path, format="json-ld", encoding="utf-8", context={"qz": str(QZ)}, indent=1)
    else:
        raise ValueError(f"不支持的导出格式「{suffix}」：请用 .ttl、.jsonld 或 .graphml")
    return len(g)


def _plain(pg: PowerGraph) -> nx.MultiDiGraph:
    """A copy whose attributes GraphML can hold (no records, lists as JSON text, no XML-forbidden characters)."""
    out = nx.MultiDiGraph()
    for key, attrs in pg.nodes():
        out.add_node(xml_text(key), **{k: _scalar(v) for k, v in attrs.items() if k != "record" and v is not None})
        if attrs["type"] == "item":
            out.nodes[xml_text(key)]["levels"] = xml_text(",".join(attrs["record"].levels))
    for u, v, k, attrs in pg.g.edges(keys=True, data=True):
        out.add_edge(xml_text(u), xml_text(v), key=k, type=k, **{a: _scalar(x) for a, x in attrs.items()})
    return out


def _scalar(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, (int, float, bool)):
        return value
    return xml_text(json.dumps(value, ensure_ascii=False, default=str))
