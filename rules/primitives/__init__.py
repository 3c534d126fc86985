"""The few evaluators every rule is written with, behind a registry.

Each primitive is a small class: a ``name`` that rule files use in
``check.primitive``, its default parameters, the inputs it needs beyond the
graph, and ``evaluate`` returning :class:`~quanze.rules.model.Hit` objects.  A new
kind of check is a new class here; a new rule is only a YAML file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from quanze.rules.model import Hit

if TYPE_CHECKING:
    from quanze.rules.engine import RunContext

REGISTRY: dict[str, Primitive] = {}


class Primitive:
    name: ClassVar[str]
    defaults: ClassVar[dict] = {}
    needs: ClassVar[tuple[str, ...]] = ()

    def evaluate(self, ctx: RunContext, scope: pd.DataFrame, params: dict) -> Iterable[Hit]:
        raise NotImplementedError


def register(cls: type[Primitive]) -> type[Primitive]:
    REGISTRY[cls.name] = cls()
    return cls


def defaults() -> dict[str, dict]:
    return {name: dict(p.defaults) for name, p in REGISTRY.items()}


# importing the modules registers the primitives
from quanze.rules.primitives import (  # noqa: E402,F401
    capability, classifier, coverage, duties, group, lineage, missing, outlier, predicate, reference, similar, sparql,
    stages,
)
