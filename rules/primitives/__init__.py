"""The few evaluators every rule is written with, behind a registry.

Each primitive is a small class: a ``name`` that rule files use in
``check.primitive``, its parameters (``schema``: a :class:`Param` each, with its
type, range or choices, default and meaning), the inputs it needs beyond the
tables, and ``evaluate`` returning :class:`~quanze.rules.model.Hit` objects.  A new
kind of check is a new class here; a new rule is only a YAML file.  The schema is
what the catalogue checks rule files and ``--set`` against before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from quanze.rules.model import Hit
from quanze.tables import CITATION_COLUMNS, ITEM_COLUMNS, RELATIONS

if TYPE_CHECKING:
    from quanze.rules.context import RunContext

REGISTRY: dict[str, Primitive] = {}

# what a parameter may be, as told to the user
TYPES = {
    "number": "数", "integer": "整数", "boolean": "true 或 false", "text": "文字", "list": "列表",
    "conditions": "条件列表", "mapping": "映射（字段: 整数）",
}
# the columns a parameter may name: the item and citation tables and the two columns group adds
COLUMNS = tuple(dict.fromkeys([*ITEM_COLUMNS, *CITATION_COLUMNS, "core", "provision_name"]))
EDGES = tuple(RELATIONS)
TEXTS = ("core", "name", "title")  # RunContext.texts: the matter without its frame, the name, name + sub-item


@dataclass(frozen=True)
class Param:
    """One parameter of a primitive: its type, its default, its meaning (in Chinese) and its bounds.

    ``choices`` bounds a text, or every element of a list or key of a mapping; ``min``/``max``
    bound a number, an integer, or every value of a mapping; ``optional`` admits null.
    """

    type: str
    default: object
    meaning: str
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    optional: bool = False

    def expected(self) -> str:
        """The type as a user reads it: 数（0 到 1）, 文字（duty、item 之一）……"""
        bounds = []
        if self.min is not None and self.max is not None:
            bounds.append(f"{self.min:g} 到 {self.max:g}")
        elif self.min is not None:
            bounds.append(f"不小于 {self.min:g}")
        elif self.max is not None:
            bounds.append(f"不大于 {self.max:g}")
        if self.choices is not None and len(self.choices) <= 12:
            bounds.append(f"取 {'、'.join(map(str, self.choices))} 之一")
        elif self.choices is not None:
            bounds.append("取表格中的字段名")
        if self.optional:
            bounds.append("可为 null")
        return TYPES[self.type] + (f"（{'，'.join(bounds)}）" if bounds else "")

    def problem(self, value) -> str | None:
        """Why ``value`` is not a value of this parameter, or None when it is."""
        if value is None:
            return None if self.optional else "不能为空"
        if self.type == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                return "不是数"
            return self._range(value)
        return self._typed(value)

    def _typed(self, value) -> str | None:
        if self.type == "integer":
            return "不是整数" if not isinstance(value, int) or isinstance(value, bool) else self._range(value)
        if self.type == "boolean":
            return None if isinstance(value, bool) else "不是 true 或 false"
        if self.type == "text":
            if not isinstance(value, str):
                return "不是文字"
            return self._choice([value])
        if self.type == "list":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "不是文字的列表"
            return self._choice(value)
        if self.type == "mapping":
            if not isinstance(value, dict):
                return "不是映射"
            if any(not isinstance(v, int) or isinstance(v, bool) for v in value.values()):
                return "映射的值须为整数"
            out_of_range = any(self._range(v) for v in value.values())
            return self._choice(list(value)) or ("映射的值超出范围" if out_of_range else None)
        if self.type == "conditions":
            from quanze.rules.conditions import problems

            return problems(value, COLUMNS)
        raise ValueError(f"unknown parameter type {self.type!r}")

    def _range(self, value) -> str | None:
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            return "超出范围"
        return None

    def _choice(self, values: list) -> str | None:
        bad = [v for v in values if self.choices is not None and v not in self.choices]
        return f"含不认识的取值 {'、'.join(map(str, bad))}" if bad else None


class Primitive:
    name: ClassVar[str]
    schema: ClassVar[dict[str, Param]] = {}
    defaults: ClassVar[dict] = {}  # from the schema, filled in by ``register``
    needs: ClassVar[tuple[str, ...]] = ()
    # True when a hit names one item and depends on that item's rows and the inputs only: after a
    # change to some items (a simulated transfer) the rule needs to run again on those items alone
    local: ClassVar[bool] = False
    # True when a hit depends on every item of the run in a way no share gives (a SPARQL query over the
    # whole graph view): the Dask engine runs such a rule once, over the gathered tables
    whole_run: ClassVar[bool] = False
    # True when the primitive reads the run's TF-IDF vectors (``RunContext.vectors``, its params ``text`` and
    # ``max_df``) at its scope's rows only: a partition given the whole run's term counts (``statistics``) gives its hits
    run_vectors: ClassVar[bool] = False
    # True when the primitive reads the responsibility clauses (``Tables.has_relation``, ``stages_of``, the graph
    # view): the Dask engine leaves that table, the largest, out of the other tasks
    reads_clauses: ClassVar[bool] = False
    # True when a hit depends on the whole run only through a sum of every part's ``share`` (counts per kind of
    # department, a classifier's distinct examples, each matter's values per province): the Dask engine counts
    # each batch's share, adds them up (``+``), ``complete``s the sum once and gives it to every partition
    # task, which gives the hits of its own rows (``evaluate_given``); the single process does the same
    # with its own share
    shares: ClassVar[bool] = False
    # True when one hit may name items of several partitions (a matter held in several provinces): the Dask
    # engine joins the partitions' hits of one key into the single process's hit
    joins: ClassVar[bool] = False
    # what one rule of this primitive costs beside the others, to share a run between processes (largest
    # first): about its seconds on the province preset, profiled (docs/benchmarks.md)
    cost: ClassVar[int] = 3

    def evaluate(self, ctx: RunContext, scope: pd.DataFrame, params: dict) -> Iterable[Hit]:
        if not self.sharing(params):
            raise NotImplementedError
        return self.evaluate_given(ctx, scope, params, self.complete(self.share(ctx, scope, params), params, ctx.inputs))

    def sharing(self, params: dict) -> bool:
        """Whether, with these parameters, a hit depends on the whole run through the parts' shares (``shares``)."""
        return self.shares

    def share(self, ctx: RunContext, scope: pd.DataFrame, params: dict):
        """This part of the run's share of what a hit depends on beyond the part (``shares``); shares add with ``+``."""
        raise NotImplementedError

    def complete(self, whole, params: dict, inputs: dict):
        """The shares of every part, added up, made ready to be read (once, before any partition reads them;
        ``inputs``: the run's reference inputs)."""
        return whole

    def evaluate_given(self, ctx: RunContext, scope: pd.DataFrame, params: dict, whole) -> Iterable[Hit]:
        """The hits of these rows, given the whole run's completed shares (``complete``)."""
        raise NotImplementedError

    def runs_whole(self, params: dict) -> bool:
        """Whether, with these parameters, a hit depends on every item of the run (``whole_run``)."""
        return self.whole_run

    def statistics(self, params: dict) -> list[str]:
        """The statistics of the whole run (``context.WHOLE_RUN``) that a part of the run must be given to give
        the whole run's hits: the TF-IDF weights of the text it compares, when it reads the run's vectors."""
        return [f"terms:{params.get('text', 'core')}"] if self.run_vectors else []


def register(cls: type[Primitive]) -> type[Primitive]:
    cls.defaults = {k: p.default for k, p in cls.schema.items()}
    REGISTRY[cls.name] = cls()
    return cls


def defaults() -> dict[str, dict]:
    return {name: dict(p.defaults) for name, p in REGISTRY.items()}


# importing the modules registers the primitives
from quanze.rules.primitives import (  # noqa: E402,F401
    across, capability, classifier, coverage, duties, group, lineage, missing, outlier, predicate, reference, similar, sparql,
    stages,
)
