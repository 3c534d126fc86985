"""The rule catalogue: rules as data (YAML) evaluated by a few primitives over the graph.

    from quanze.rules import run
    result = run(graph, selection="R01,R03", settings=["R01b.threshold=0.7"])
    result.findings  # Finding objects, each traced to the rows of the published lists

Names are imported on first use (``quanze.lazy_exports``): a module that needs only
the catalogue's errors or the rule model does not import the engine with its pandas
and scikit-learn.
"""

from quanze import lazy_exports

_EXPORTS = {"CatalogueError": "quanze.rules.catalogue", "load_catalogue": "quanze.rules.catalogue",
            "RunResult": "quanze.rules.engine", "run": "quanze.rules.engine", "Finding": "quanze.rules.model",
            "Rule": "quanze.rules.model"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
