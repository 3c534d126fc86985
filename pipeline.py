"""The one pipeline: files + reference inputs + lineage + laws → Tables → rule run → results.

The CLI, the service, the benchmarks and the notebooks all call it, so a rule that
needs a reference input runs the same way from each.  The graph and RDF graph are
not built here: they are views of the tables, made when an export or query asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quanze.loaders import LawLibrary, LoadResult, Rejection, load_files
from quanze.loaders.duties import load_duties
from quanze.loaders.lineage import lineage_with
from quanze.rules.catalogue import load_catalogue, override, select
from quanze.rules.engine import RunResult, run
from quanze.tables import Records, Tables, build_tables

# inputs a rule may need, beside the lists themselves (rules/engine.py INPUT_LABELS)
LIST_INPUTS = ("catalogue", "township", "cancelled", "national")
REFERENCE_INPUTS = (*LIST_INPUTS, "duties", "lineage")
# the bundled example is package data at the package root (quanze/examples), in a checkout and in a wheel alike
EXAMPLES = Path(__file__).resolve().parent / "examples"


def example_inputs() -> dict:
    """The reference inputs shipped with the bundled example, by the names rules use for them."""
    inputs = EXAMPLES / "mingchuan-inputs"
    found = {name: sorted(inputs.glob(f"{name}-*.xlsx")) for name in (*LIST_INPUTS, "duties")}
    return {**found, "lineage": [EXAMPLES / "lineage" / "liangshan.yaml"]}


@dataclass
class Prepared:
    """Loaded lists, their tables, and the inputs rules may need beside them."""

    load: LoadResult
    tables: Tables
    inputs: dict
    input_rejections: list[Rejection] = field(default_factory=list)

    @property
    def graph(self):
        """The graph view of the tables (built when first asked for)."""
        return self.tables.view("graph")


@dataclass
class Analysis(Prepared):
    result: RunResult | None = None


def prepare(files, laws: str | Path | LawLibrary | None = None, catalogue=None, township=None, cancelled=None,
            duties=None, lineage=None, national=None, region: str | None = None,
            progress: Callable[[str, int, int], None] | None = None, columns=None, reader=None) -> Prepared:
    """Load ``files`` and the optional reference inputs, as a rule run or a simulation needs them.

    ``columns`` is an analyst's column mapping for the lists (``--columns``); ``reader`` reads the files
    elsewhere (``load_files``).
    """
    library = LawLibrary(laws) if isinstance(laws, (str, Path)) else laws
    loaded = load_files(files, laws=library, region=region, progress=progress, columns=columns, reader=reader)
    if progress:
        progress("建立数据表", 0, 1)
    tables = build_tables(loaded.items)
    # from here on the rows are the data: the records are made from them when a report or export reads them
    loaded.item_summary, loaded.items = loaded.item_facts(), Records(tables)
    if progress:
        progress("建立数据表", 1, 1)
    inputs, rejections = reference_inputs(region or loaded.region, catalogue=catalogue, township=township,
                                          cancelled=cancelled, duties=duties, lineage=lineage, national=national)
    return Prepared(loaded, tables, {"laws": library, **inputs}, rejections)


def reference_inputs(region: str, catalogue=None, township=None, cancelled=None, duties=None,
                     lineage=None, national=None) -> tuple[dict, list[Rejection]]:
    """The reference inputs given (paths each), by the names rules use for them, and the rows that did not load.

    Reference lists (通用目录, 乡镇模板, 已取消事项, 全国基本目录) become Tables like the lists themselves;
    ``region`` is the one their files are read under when their names give none.
    """
    inputs: dict = {}
    rejections: list[Rejection] = []
    for name, paths in zip(LIST_INPUTS, (catalogue, township, cancelled, national)):
        if paths:
            ref = load_files(paths, region=region)
            inputs[name] = build_tables(ref.items)
            rejections.extend(ref.rejected)
    if duties:
        inputs["duties"], bad = load_duties(duties, region=region)
        rejections.extend(bad)
    if lineage:
        inputs["lineage"] = lineage_with(*lineage)
    return inputs, rejections


def analyze(files, laws: str | Path | LawLibrary | None = None, selection=None, settings=None,
            progress: Callable[[str, int, int], None] | None = None, **inputs) -> Analysis:
    """Load ``files`` (and the optional reference inputs, see ``prepare``) and run the selected rules.

    The selection and settings are checked first: a bad one raises ``CatalogueError`` before any file is read.
    """
    rules = select(load_catalogue(), selection)
    override(rules, settings)
    ready = prepare(files, laws=laws, progress=progress, **inputs)
    result = run(ready.tables, inputs=ready.inputs, rules=rules, progress=progress)
    return Analysis(ready.load, ready.tables, ready.inputs, ready.input_rejections, result)
