"""Split 责任事项 text into clauses tagged with their stage.

Lists write responsibilities as numbered clauses, sometimes labelled
(``1.受理责任：公示依据……``), sometimes under group headings
(``直接实施责任：`` / ``指导监督责任：``).  A labelled clause takes its label's
stage; an unlabelled one the first stage keyword it contains (``data/stages.yaml``);
a clause with no keyword is 其他.

A label is a stage word (a stage's name, keyword or label synonym: 受案 → 立案)
at the start of a clause, numbered or not, followed by 阶段, 环节, 责任 or a colon:
``受理责任：``, ``审查阶段：``, ``(二)决定环节``, ``送达阶段责任。``, ``受案环节责任：``.
A labelled clause that follows another on a new line or after 。/； without a
number starts a clause of its own; a label alone (``监督责任：`` above numbered
clauses) is a heading: the clauses under it without a label of their own take
its stage.
"""

from __future__ import annotations

import functools
import re

from quanze.loaders.model import Responsibility
from quanze.loaders.reference import table
from quanze.loaders.text import normalise

_KIND = re.compile(r"(直接实施责任|指导监督责任|监督指导责任|综合监管责任|行业监管责任)[:：]?")
_CLAUSE = re.compile(r"(?:^|\n|(?<=[;。]))\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)]\s*")
_NUMBER = r"(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)]|[①-⑳])"
_SUFFIX = r"(?:(?:阶段|环节)(?:责任)?|责任)"


@functools.cache
def _stages() -> list[tuple[str, list[str]]]:
    return [(name, keywords) for name, keywords in table("stages")["stages"]]


@functools.cache
def _label_stages() -> dict[str, str]:
    """Stage of each word a label may use: names first, then label synonyms, then keywords."""
    out: dict[str, str] = {}
    for name, keywords in _stages():
        out.setdefault(name, name)
    for name, words in table("stages")["labels"].items():
        for w in words:
            out.setdefault(w, name)
    for name, keywords in _stages():
        for k in keywords:
            out.setdefault(k, name)
    return out


def _words() -> str:
    return "|".join(map(re.escape, sorted(_label_stages(), key=len, reverse=True)))


@functools.cache
def _label() -> re.Pattern:
    """受理阶段责任：, (二)决定环节, 审查：… at the start of a clause; group 1 is the stage word."""
    return re.compile(rf"^\s*{_NUMBER}?\s*({_words()})(?:{_SUFFIX}|(?=[:：]))\s*[:：。]?")


@functools.cache
def _at_label() -> re.Pattern:
    """Where an unnumbered labelled clause starts after another (a new line, 。 or ；)."""
    return re.compile(rf"(?:\n|(?<=[;；。]))\s*(?={_NUMBER}?\s*(?:{_words()}){_SUFFIX}\s*[:：])")


@functools.lru_cache(maxsize=131072)
def stage_of(clause: str) -> str:
    label = _label().match(clause)
    if label:
        return _label_stages()[label.group(1)]
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
        heading = ""
        for clause in (c for numbered in _CLAUSE.split(piece) for c in _at_label().split(numbered)):
            clause = clause.strip(" \n;；")
            label = _label().match(clause)
            if label and label.end() == len(clause):  # 监督责任： over the clauses below it
                heading = _label_stages()[label.group(1)]
                continue
            clause = clause.strip(" \n;；。")
            if len(clause) < 2:
                continue
            out.append(Responsibility(heading if heading and not label else stage_of(clause), clause, kind))
    return tuple(out)


def required_stages(category: str | None) -> list[str]:
    """Stages the responsibilities of an item of ``category`` are expected to cover."""
    return list(table("stages")["required"].get(category or "", []))
