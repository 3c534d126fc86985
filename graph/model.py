"""PowerGraph: the knowledge graph of departments, power items and legal bases.

A thin typed layer over a networkx MultiDiGraph.  Node and edge types are fixed
(``NODE_TYPES``, ``EDGE_TYPES``); algorithms are free functions over the graph,
as in networkx, so the graph itself stays a data structure.  Every item node
keeps its :class:`~quanze.loaders.model.PowerItem` under ``record``, and with it
the file, sheet and rows it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import networkx as nx

from quanze.loaders.model import PowerItem
from quanze.loaders.text import strip_control
from quanze.tables import RELATIONS, Tables, build_tables, item_key  # noqa: F401  (item_key: the graph's node keys)

NODE_TYPES = {
    "department": "实施主体（部门）",
    "region": "行政区域",
    "level": "行使层级",
    "main_item": "主项（有子项的事项）",
    "item": "权力事项（主项或子项）",
    "document": "法律文件",
    "provision": "条款",
    "responsibility": "责任事项",
}
EDGE_TYPES = RELATIONS


# what XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF
def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids: xlsx, GraphML and RDF are XML, and one
    stray \\x07 in a published cell would otherwise make the whole file unwritable or unreadable.
    The loader removes them already (with a warning); writers call this for records made otherwise."""
    return strip_control(text)


class PowerGraph:
    """Typed nodes and edges; see ``NODE_TYPES`` and ``EDGE_TYPES`` (docs/graph.md)."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()
        self._tables: Tables | None = None

    @property
    def tables(self) -> Tables:
        """The tables this graph is a view of (made from its items when it was built from items)."""
        if self._tables is None:
            self._tables = build_tables(self.items())
        return self._tables

    @tables.setter
    def tables(self, tables: Tables) -> None:
        self._tables = tables

    def add_node(self, key: str, type: str, **attrs) -> str:
        if type not in NODE_TYPES:
            raise ValueError(f"unknown node type {type!r}")
        if key in self.g:
            self.g.nodes[key].update(attrs)
        else:
            self.g.add_node(key, type=type, **attrs)
        return key

    def add_edge(self, u: str, v: str, type: str, **attrs) -> None:
        if type not in EDGE_TYPES:
            raise ValueError(f"unknown edge type {type!r}")
        # the type is the edge's key, not an attribute: millions of edges, one dict each fewer
        if not self.g.has_edge(u, v, key=type):
            self.g.add_edge(u, v, key=type, **attrs)

    def nodes(self, type: str | None = None) -> Iterator[tuple[str, dict]]:
        for key, attrs in self.g.nodes(data=True):
            if type is None or attrs["type"] == type:
                yield key, attrs

    def items(self) -> Iterator[PowerItem]:
        for _, attrs in self.nodes("item"):
            yield attrs["record"]

    def item(self, item_id: str) -> PowerItem:
        return self.g.nodes[item_key(item_id)]["record"]

    def successors(self, key: str, type: str) -> list[str]:
        """Nodes reached from ``key`` over edges of ``type``."""
        return [v for _, v, k in self.g.out_edges(key, keys=True) if k == type]

    def predecessors(self, key: str, type: str) -> list[str]:
        return [u for u, _, k in self.g.in_edges(key, keys=True) if k == type]

    def neighbourhood(self, item_id: str) -> dict:
        """An item with its department, levels, bases, responsibilities and sibling sub-items."""
        key = item_key(item_id)
        main = self.successors(key, "sub_item_of")
        return {
            "item": self.item(item_id),
            "department": self.successors(key, "exercised_by"),
            "levels": self.successors(key, "at_level"),
            "bases": self.successors(key, "based_on"),
            "responsibilities": self.successors(key, "has_responsibility"),
            "main_item": main[0] if main else None,
            "siblings": [s for m in main for s in self.predecessors(m, "sub_item_of") if s != key],
        }

    def __len__(self) -> int:
        return self.g.number_of_nodes()

    def stats(self) -> dict:
        """Counts by node type, edge type, category, department and level."""
        items = list(self.items())
        return {
            "nodes": self.g.number_of_nodes(),
            "edges": self.g.number_of_edges(),
            "node_types": dict(Counter(a["type"] for _, a in self.nodes())),
            "edge_types": dict(Counter(k for _, _, k in self.g.edges(keys=True))),
            "categories": dict(Counter(it.category or "未分类" for it in items).most_common()),
            "departments": dict(Counter(it.department for it in items).most_common()),
            "levels": dict(Counter(lv for it in items for lv in it.levels).most_common()),
        }
