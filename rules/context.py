"""RunContext: what a rule primitive reads — the tables, the optional inputs and the run's shared caches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quanze.rules import textsim
from quanze.tables import Tables, item_key, sets_by


# where a part of a run is told which rows of the whole run's items table its own rows are (``RunContext.run_rows``)
RUN_ROWS = ("run-rows",)
# the statistics of a whole run a part of it can be given (``RunContext.whole_run``) and how each is counted
# over a part's tables: summed over the parts they are the whole run's (``+``)
WHOLE_RUN = {
    **{f"terms:{text}": (lambda ctx, text=text: textsim.term_counts(ctx.texts(text))) for text in ("core", "name", "title")},
    "pair-signals": lambda ctx: _pair_signal_counts(ctx),
}


def whole_run_statistics(ctx: RunContext, names: list[str]) -> dict:
    """The statistics ``names`` of the tables of ``ctx``: a part of a run's share of the whole run's."""
    return {name: WHOLE_RUN[name](ctx) for name in names}


@dataclass
class FailedShare:
    """A rule's share that a part of the run could not count: the rule then fails in every part, with this
    error, as it fails in one process (``rules.engine``)."""

    error: Exception


def add_statistics(a: dict, b: dict) -> dict:
    """Two parts' ``whole_run_statistics`` as one (term counts added, each kind of the pair signals' too, and
    the rules' shares)."""
    out = dict(a)
    for name, value in b.items():
        if name not in out or isinstance(value, FailedShare):
            out[name] = value
        elif isinstance(out[name], FailedShare):
            continue
        elif type(value) is dict:  # each kind of the pair signals added on its own (a Counter adds itself)
            out[name] = {**out[name], **{k: out[name][k] + v if k in out[name] else v for k, v in value.items()}}
        else:
            out[name] = out[name] + value
    return out


def union_of(a: dict, b: dict) -> dict:
    """Two mappings of key → set as one, the sets of a key joined; neither is changed (shares are added
    many times over, so only what both hold is copied)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = out[k] | v if k in out else v
    return out


def _pair_signal_counts(ctx) -> dict:
    from quanze.rules.pairfeatures import signal_counts

    return signal_counts(ctx.tables, ctx.inputs.get("laws"), ctx)


@dataclass
class RunContext:
    """The tables of one run, the inputs beside them (reference lists, 三定, laws, lineage) and caches."""

    tables: Tables
    inputs: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    @property
    def items(self) -> pd.DataFrame:
        return self.tables.items

    @property
    def citations(self) -> pd.DataFrame:
        return self.tables.citations

    @property
    def position(self) -> dict[str, int]:
        return self.tables.position

    def cached(self, key: tuple, compute: Callable[[], object]):
        """A value shared by the rules of one run (vectors, a trained classifier …)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def subject_columns(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Those item columns as arrays, for making findings: a pandas row lookup costs tens of µs."""
        return self.cached(("columns", names), lambda: {c: self.items[c].to_numpy(dtype=object) for c in names})

    def texts(self, text: str = "core") -> list[str]:
        """Every item's ``text``: ``core`` (the matter, without the name's frame), ``name`` or ``title``."""
        def compute():
            if text != "core":
                return self.items[text].fillna("").tolist()
            return [textsim.core_text(n) + (f"：{textsim.core_text(s)}" if s else "")
                    for n, s in zip(self.items["name"], self.items["sub_name"])]
        return self.cached(("texts", text), compute)

    def whole_run(self, name: str):
        """A statistic of the whole run given to this part of it (``WHOLE_RUN`` names them), or None when these
        tables are the whole run.  A partition weighs its texts with it, as the whole run would."""
        return self.cache.get(("whole-run", name))

    def run_statistic(self, name: str):
        """A statistic of the whole run (``WHOLE_RUN``): given to this part, or counted once over these tables
        when they are the whole run."""
        given = self.whole_run(name)
        return given if given is not None else self.cached(("own-statistic", name), lambda: WHOLE_RUN[name](self))

    def run_rows(self) -> np.ndarray:
        """Each item's row in the whole run's items table: its own row, unless these tables are a part of a run."""
        given = self.cache.get(RUN_ROWS)
        return given if given is not None else np.arange(len(self.items))

    def vectors(self, text: str = "core", max_df: float = 1.0):
        """TF-IDF rows of every item's ``text``, fitted once per run (with the whole run's weights, when these
        tables are a part of a run)."""
        def compute():
            whole = self.whole_run(f"terms:{text}")
            if whole is None:
                return textsim.vectorise(self.texts(text), max_df=max_df)
            return textsim.vectorise_with(self.texts(text), whole, max_df)
        return self.cached(("vectors", text, max_df), compute)

    def documents_of(self) -> dict[str, set[str]]:
        """Item id → the non-generic documents it cites (行政处罚法 and the like say nothing of the matter)."""
        def compute():
            c = self.citations[~self.citations["document"].isin(textsim.generic_documents())]
            return sets_by(c["item_id"], c["document"])
        return self.cached(("documents",), compute)

    def provisions_of(self) -> dict[str, set[str]]:
        """Item id → the non-generic articles it cites."""
        def compute():
            c = self.citations[~self.citations["document"].isin(textsim.generic_documents())]
            c = c[c["article_key"] != ""]
            return sets_by(c["item_id"], c["article_key"])
        return self.cached(("provisions",), compute)

    def provision_path(self, a: str, b: str, article_key: str) -> list[str]:
        """The path item → provision (→ document) ← item behind a shared article, as the graph view's node keys."""
        def cited(item_id: str) -> tuple[str, str] | None:
            rows = self.cached(("cited_provisions",), self._cited_provisions)(item_id)
            return next(((p, d) for p, d in rows if p.split(".")[0] == article_key), None)
        pa, pb = cited(a), cited(b)
        if pa is None or pb is None:
            return []
        if pa == pb:
            return [item_key(a), f"prov:{pa[0]}", item_key(b)]
        return [item_key(a), f"prov:{pa[0]}", f"doc:{pa[1]}", f"prov:{pb[0]}", item_key(b)]

    def _cited_provisions(self) -> Callable[[str], list[tuple[str, str]]]:
        """Item id → its cited provisions (with an article) and their documents, first citation first: a
        function, made once, since only the few items of overlap findings are asked for."""
        c = self.citations[self.citations["article"].notna()].drop_duplicates(["item_id", "provision"])
        rows = c.groupby("item_id", sort=False).indices  # positions in citation order
        provisions, documents = c["provision"].to_numpy(dtype=object), c["document"].to_numpy(dtype=object)
        return lambda item_id: list(zip(provisions[rows[item_id]], documents[rows[item_id]])) \
            if item_id in rows else []

    def has(self, need: str) -> bool:
        if need == "laws":
            return bool(self.inputs.get("laws")) or self.citations["resolved"].notna().any()
        return self.inputs.get(need) is not None
