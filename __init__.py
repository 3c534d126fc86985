"""quanze (权责图谱): power-and-responsibility lists as a traceable knowledge graph."""

__version__ = "0.1.0"
