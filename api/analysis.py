"""One analysis, as the CLI and the service run it: load lists and inputs, build the graph, run rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quanze.graph import PowerGraph, build_graph
from quanze.graph.lineage import lineage_with
from quanze.loaders import LawLibrary, LoadResult, Rejection, load_files
from quanze.loaders.duties import load_duties
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.engine import RunResult, run

# inputs a rule may need, beside the lists themselves (rules/engine.py INPUT_LABELS)
LIST_INPUTS = ("catalogue", "township", "cancelled")
# the bundled example is package data at the package root (quanze/examples), in a checkout and in a wheel alike
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example_inputs() -> dict:
    """The reference inputs shipped with the bundled example, by the names rules use for them."""
    inputs = EXAMPLES / "mingchuan-inputs"
    found = {name: sorted(inputs.glob(f"{name}-*.xlsx")) for name in (*LIST_INPUTS, "duties")}
    return {**found, "lineage": [EXAMPLES / "lineage" / "liangshan.yaml"]}


@dataclass
class Analysis:
    load: LoadResult
    graph: PowerGraph
    result: RunResult
    input_rejections: list[Rejection] = field(default_factory=list)


@dataclass
class Prepared:
    """Loaded lists, their graph, and the inputs rules may need beside them."""

    load: LoadResult
    graph: PowerGraph
    inputs: dict
    input_rejections: list[Rejection]


def prepare(files, laws: str | Path | LawLibrary | None = None, catalogue=None, township=None, cancelled=None,
            duties=None, lineage=None, region: str | None = None,
            progress: Callable[[str, int, int], None] | None = None, columns=None) -> Prepared:
    """Load ``files`` and the optional reference inputs, as a rule run or a simulation needs them.

    ``columns`` is an analyst's column mapping for the lists (``--columns``).
    """
    library = LawLibrary(laws) if isinstance(laws, (str, Path)) else laws
    loaded = load_files(files, laws=library, region=region, progress=progress, columns=columns)
    inputs: dict = {"laws": library}
    rejections: list[Rejection] = []
    for name, paths in zip(LIST_INPUTS, (catalogue, township, cancelled)):
        if paths:
            ref = load_files(paths, region=region or loaded.region)
            inputs[name] = ref.items
            rejections.extend(ref.rejected)
    if duties:
        inputs["duties"], bad = load_duties(duties, region=region or loaded.region)
        rejections.extend(bad)
    if lineage:
        inputs["lineage"] = lineage_with(*lineage)
    if progress:
        progress("建立图谱", 0, 1)
    graph = build_graph(loaded.items)
    if progress:
        progress("建立图谱", 1, 1)
    return Prepared(loaded, graph, inputs, rejections)


def analyze(files, laws: str | Path | LawLibrary | None = None, selection=None, settings=None,
            progress: Callable[[str, int, int], None] | None = None, **inputs) -> Analysis:
    """Load ``files`` (and the optional reference inputs, see ``prepare``) and run the selected rules.

    The selection and settings are checked first: a bad one raises ``CatalogueError`` before any file is read.
    """
    rules = select(load_catalogue(), selection)
    override(rules, settings)
    ready = prepare(files, laws=laws, progress=progress, **inputs)
    result = run(ready.graph, inputs=ready.inputs, rules=rules, progress=progress)
    return Analysis(ready.load, ready.graph, result, ready.input_rejections)
