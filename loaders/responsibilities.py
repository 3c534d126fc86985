"""Split 责任事项 text into clauses tagged with their stage.

Lists write responsibilities as numbered clauses, sometimes labelled
(``1.受理责任：公示依据……``), sometimes under group headings
(``直接实施责任：`` / ``指导监督责任：``).  A labelled clause takes its label's
stage; an unlabelled one the first stage keyword it contains (``data/stages.yaml``);
a clause with no keyword is 其他.
"""

from __future__ import annotations

import functools
import re

from quanze.loaders.model import Responsibility
from quanze.loaders.reference import table
from quanze.loaders.text import normalise

_KIND = re.compile(r"(直接实施责任|指导监督责任|监督指导责任|综合监管责任|行业监管责任)[:：]?")
_CLAUSE = re.compile(r"(?:^|\n|(?<=[;。]))\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)]\s*")
_LABEL = re.compile(r"^([\u4e00-\u9fff]{2,6})责任[:：]")


@functools.cache
def _stages() -> list[tuple[str, list[str]]]:
    return [(name, keywords) for name, keywords in table("stages")["stages"]]


@functools.lru_cache(maxsize=131072)
def stage_of(clause: str) -> str:
    label = _LABEL.match(clause)
    if label:
        for name, keywords in _stages():
            if label.group(1) == name or label.group(1) in keywords:
                return name
    for name, keywords in _stages():
        if any(k in clause for k in keywords):
            return name
    return "其他"


def split_responsibilities(text: object) -> list[Responsibility]:
    """Clauses of a 责任事项 cell with stage and group heading."""
    return list(_split(normalise(text)))


@functools.lru_cache(maxsize=65536)
def _split(s: str) -> tuple[Responsibility, ...]:
    """Lists repeat one cell text for many items: its clauses are made once and shared."""
    if not s:
        return ()
    out: list[Responsibility] = []
    # cut at group headings first, then at clause numbers inside each group
    pieces = _KIND.split(s)
    kind = ""
    for piece in pieces:
        if _KIND.fullmatch(piece):
            kind = piece
            continue
        for clause in _CLAUSE.split(piece):
            clause = clause.strip(" \n;；。")
            if len(clause) < 2:
                continue
            out.append(Responsibility(stage_of(clause), clause, kind))
    return tuple(out)


def required_stages(category: str | None) -> list[str]:
    """Stages the responsibilities of an item of ``category`` are expected to cover."""
    return list(table("stages")["required"].get(category or "", []))
