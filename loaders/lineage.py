"""Department lineage: which bodies reforms merged, renamed or split, and which functions moved.

Events are data (``loaders/data/lineage-2018.yaml`` is built in; a user adds local
events in the same form).  Names are a department's own name without region, so
one file serves every level: a list's 实施主体 matches a body when its published
name contains one of the body's spellings (a body that no longer exists), or when it
resolves to the same canonical department (a body that still exists).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from quanze.loaders.departments import resolve_department
from quanze.loaders.text import compact
from quanze.loaders.yamlfile import InputFileError, line, read_yaml

BUILTIN = Path(__file__).with_name("data") / "lineage-2018.yaml"
ENDING = ("merge", "rename", "split")  # the sources cease to exist
TYPES = (*ENDING, "move_function")
SCOPE_KEYS = ("categories", "keywords", "provisions")


@dataclass
class Body:
    name: str
    aliases: list[str] = field(default_factory=list)
    in_law: list[str] = field(default_factory=list)

    @property
    def spellings(self) -> list[str]:
        return list(dict.fromkeys([self.name, *self.aliases]))


@dataclass
class LineageEvent:
    id: str
    type: str
    sources: list[str]
    targets: list[str]
    scope: dict = field(default_factory=dict)
    date: str = ""
    document: str = ""
    origin: str = ""  # file and line, for messages

    def describe(self) -> str:
        verb = {"merge": "并入", "rename": "更名为", "split": "分设为", "move_function": "职责划入"}[self.type]
        when = f"（{self.date}，{self.document}）" if self.date or self.document else ""
        return f"{'、'.join(self.sources)}{verb}{'、'.join(self.targets)}{when}"


@dataclass
class Lineage:
    bodies: dict[str, Body]
    events: list[LineageEvent]

    def body(self, name: str) -> Body:
        return self.bodies.get(name) or Body(name)

    @functools.cached_property
    def ended(self) -> dict[str, LineageEvent]:
        """Bodies that no longer exist → the event that ended them."""
        return {s: e for e in self.events if e.type in ENDING for s in e.sources}

    def successors(self, name: str) -> list[str]:
        """Where a body that ended went, followed through later events (工商局 → 市场监督管理局)."""
        out, todo, seen = [], [name], set()
        while todo:
            current = todo.pop(0)
            event = self.ended.get(current)
            if event is None or current in seen:
                out.append(current)
                continue
            seen.add(current)
            todo.extend(event.targets)
        return list(dict.fromkeys(out))

    def ended_body_in(self, department_raw: str) -> str | None:
        """The ended body a published department name spells (明川县食品药品监督管理局 → 食品药品监督管理局)."""
        raw = compact(department_raw)
        for current in self._current_names:  # 文化和旅游局 contains 旅游局 but is its successor
            raw = raw.replace(current, "|")
        return next((name for name, spellings in self._ended_spellings if any(s in raw for s in spellings)), None)

    @functools.cached_property
    def _ended_spellings(self) -> list[tuple[str, list[str]]]:
        return [(name, [compact(s) for s in self.body(name).spellings]) for name in self.ended]

    @functools.cached_property
    def _current_names(self) -> list[str]:
        """Names of bodies that still exist (targets no later event ended), longest first."""
        names = {compact(s) for e in self.events for t in e.targets if t not in self.ended
                 for s in self.body(t).spellings}
        return sorted(names, key=len, reverse=True)

    def holds(self, short_name: str, body: str) -> bool:
        """Whether a department (canonical short name) is the existing body ``body``."""
        return short_name in short_names(body)


@functools.lru_cache(maxsize=4096)
def short_names(body: str) -> frozenset[str]:
    """The canonical short names a body's name stands for (经济和信息化委员会 → 工业和信息化局 too)."""
    resolved = resolve_department(body)
    return frozenset({body, resolved.short_name if resolved else body})


def read_lineage(path: str | Path) -> Lineage:
    doc = read_yaml(path)
    problems: list[str] = []
    bodies = {}
    for name, spec in (doc.get("bodies") or {}).items():
        if name == "__line__":
            continue
        spec = spec or {}
        bodies[name] = Body(name, list(spec.get("aliases") or []), list(spec.get("in_law") or []))
    events = []
    for n, ev in enumerate(doc.get("events") or [], 1):
        where = f"{Path(path).name} {line(ev)}" if isinstance(ev, dict) else f"{Path(path).name} 第{n}个事件"
        if not isinstance(ev, dict):
            problems.append(f"{where}：事件应为映射（type、from、to……）")
            continue
        kind, sources, targets = ev.get("type"), _names(ev.get("from")), _names(ev.get("to"))
        if kind not in TYPES:
            problems.append(f"{line(ev)}：type 应为 {'、'.join(TYPES)} 之一，而不是 {kind!r}")
        if not sources or not targets:
            problems.append(f"{line(ev)}：事件须有 from 和 to")
        if kind in ("merge", "rename") and len(targets) != 1:
            problems.append(f"{line(ev)}：{kind} 只能有一个 to")
        scope = {k: v for k, v in (ev.get("scope") or {}).items() if k != "__line__"}
        unknown = set(scope) - set(SCOPE_KEYS)
        if unknown:
            problems.append(f"{line(ev)}：scope 只能含 {'、'.join(SCOPE_KEYS)}，而不是 {'、'.join(sorted(unknown))}")
        if kind == "move_function" and not scope:
            problems.append(f"{line(ev)}：move_function 须用 scope 说明划转哪些事项（categories、keywords、provisions）")
        events.append(LineageEvent(str(ev.get("id") or f"{Path(path).stem}-{n}"), kind, sources, targets,
                                   scope, str(ev.get("date") or ""), str(ev.get("document") or ""), where))
    if problems:
        raise InputFileError(path, problems)
    return Lineage(bodies, events)


def combine(*lineages: Lineage) -> Lineage:
    """One lineage from several files; refuses a cycle of merges (甲并入乙、乙又并入甲)."""
    bodies, events = {}, []
    for lin in lineages:
        for name, body in lin.bodies.items():
            known = bodies.setdefault(name, Body(name))
            known.aliases = list(dict.fromkeys(known.aliases + body.aliases))
            known.in_law = list(dict.fromkeys(known.in_law + body.in_law))
        events.extend(lin.events)
    g = nx.DiGraph((s, t, {"event": e}) for e in events if e.type in ENDING for s in e.sources for t in e.targets)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return Lineage(bodies, events)
    where = "；".join(f"{u} → {v}（{g.edges[u, v]['event'].origin}）" for u, v in cycle)
    raise InputFileError(cycle and g.edges[cycle[0][0], cycle[0][1]]["event"].origin.split(" ")[0],
                         [f"机构沿革成环：{where}"])


@functools.cache
def builtin_lineage() -> Lineage:
    return read_lineage(BUILTIN)


def lineage_with(*paths: str | Path) -> Lineage:
    """The built-in 2018 lineage plus the events in ``paths``."""
    return combine(builtin_lineage(), *(read_lineage(p) for p in paths))


def _names(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]
