"""Views of the tables: the knowledge graph (PowerGraph over networkx) and its RDF view.

Names are imported on first use (``quanze.lazy_exports``): rdflib only when the
RDF view is asked for, not whenever a rule reads the graph.
"""

from quanze import lazy_exports

_EXPORTS = {"build_graph": "quanze.graph.build", "graph_of": "quanze.graph.build", "rdf_of": "quanze.graph.rdf",
            "EDGE_TYPES": "quanze.graph.model", "NODE_TYPES": "quanze.graph.model",
            "PowerGraph": "quanze.graph.model", "export": "quanze.graph.rdf", "sparql": "quanze.graph.rdf",
            "to_rdf": "quanze.graph.rdf"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
