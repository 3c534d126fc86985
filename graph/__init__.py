"""The knowledge graph: PowerGraph over networkx, and its RDF view."""

from quanze.graph.build import build_graph
from quanze.graph.model import EDGE_TYPES, NODE_TYPES, PowerGraph
from quanze.graph.rdf import export, sparql, to_rdf

__all__ = ["EDGE_TYPES", "NODE_TYPES", "PowerGraph", "build_graph", "export", "sparql", "to_rdf"]
