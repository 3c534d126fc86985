"""The rule catalogue: rules as data (YAML) evaluated by a few primitives over the graph.

    from quanze.rules import run
    result = run(graph, selection="R01,R03", settings=["R01b.threshold=0.7"])
    result.findings  # Finding objects, each traced to the rows of the published lists
"""

from quanze.rules.catalogue import CatalogueError, load_catalogue
from quanze.rules.engine import RunResult, run
from quanze.rules.model import Finding, Rule

__all__ = ["CatalogueError", "Finding", "Rule", "RunResult", "load_catalogue", "run"]
