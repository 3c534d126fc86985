"""outlier: departments of one kind at one level whose item count stands out (R16), or a province whose
departments of one kind list far more or fewer items than the same departments of other provinces (R23).

The peers are every government (or province) of the run, but all a hit reads of them is their counts: a part
of the run shares its counts (``share``), the counts are added up, and each part reports its own departments
(or provinces) against the sum."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from quanze.rules.context import union_of
from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, Param, Primitive, register


@register
class Outlier(Primitive):
    name = "outlier"
    schema = {
        "peers": Param("list", ["short_name", "admin_level"], "同类部门按哪些字段归类", choices=COLUMNS),
        "min_peers": Param("integer", 4, "至少有多少个同类部门才比较", min=2),
        "z": Param("number", 2.0, "z 分数达到多少算异常", min=0),
        "min_ratio": Param("number", 0.2, "与中位数至少相差的比例", min=0),
        "min_gap": Param("number", 0, "与中位数至少相差的事项数（小部门差一两项不算）", min=0),
        "per": Param("text", "department", "比较的对象：每个部门，或每个省（该省同类部门平均每个部门的事项数）",
                     choices=("department", "province")),
    }

    shares = True  # the peers' counts of every partition, added up
    joins = True  # a province's count is made of the rows of all its governments

    def share(self, ctx, scope, params):
        if params["per"] == "province":
            known = scope[scope["province"].fillna("") != ""]
            keys = [*params["peers"], "province"]
            groups = known.groupby(keys, sort=False)
            return ProvinceCounts(Counter(dict(groups.size())),
                                  {k: {d for d in v if d == d} for k, v in groups["department_id"].unique().items()},
                                  {k: set(v) for k, v in groups["department"].unique().items()})
        keys = [*params["peers"], "department_id", "department"]
        return Counter(dict(scope.groupby(keys).size()))

    def complete(self, whole, params, inputs):
        if params["per"] == "province":
            return whole
        keys = [*params["peers"], "department_id", "department"]
        frame = pd.DataFrame([(*k, n) for k, n in whole.items()], columns=[*keys, "n"])
        return frame.groupby(keys)["n"].sum().reset_index()  # in the order a groupby of every item gives

    def evaluate_given(self, ctx, scope, params, whole):
        if params["per"] == "province":
            yield from _provinces(scope, params, whole)
            return
        here = scope.groupby("department_id").indices
        for peer_key, peers in whole.groupby(params["peers"]):
            if len(peers) < params["min_peers"]:
                continue
            spread = _spread(peers["n"].tolist())
            if spread is None:
                continue
            mean, sd, median = spread
            for p in peers.itertuples(index=False):
                z = (p.n - mean) / sd
                # among near-equal peers a one-item difference has a large z but is no finding
                if p.department_id in here and _stands_out(p.n, z, median, params):
                    sources = _sources(scope.iloc[here[p.department_id]])
                    yield Hit([], {"count": int(p.n), "peer_median": median, "peer_counts": dict(
                        zip(peers["department"], map(int, peers["n"]))), "z": round(z, 2), "_sources": sources},
                        key=p.department_id, departments=[p.department],
                        fields={"direction": "偏多" if z > 0 else "偏少", "peers": len(peers)})


@dataclass
class ProvinceCounts:
    """Items per (kind of department, province), and the departments holding them: R23's share of a part
    (a province's count is made in several parts; each names its own rows as the count's sources)."""

    n: Counter
    departments: dict  # department ids
    names: dict  # and their names

    def __add__(self, other: ProvinceCounts) -> ProvinceCounts:
        return ProvinceCounts(self.n + other.n, union_of(self.departments, other.departments),
                              union_of(self.names, other.names))


def _stands_out(count: float, z: float, median: float, params: dict) -> bool:
    """Far enough from the peers: by z, and by the share of the median and the items (``min_gap``) apart."""
    return abs(z) >= params["z"] and abs(count - median) >= max(params["min_ratio"] * median, params["min_gap"])


def _sources(rows) -> list[dict]:
    """The rows a count was made of, as one source per file and sheet (first to last row)."""
    return [{"file": f, "sheet": s, "rows": [int(g["row"].min()), int(g["row_last"].max())]}
            for (f, s), g in rows.groupby(["file", "sheet"], sort=True)]


def _spread(values: list[float]) -> tuple[float, float, float] | None:
    """(mean, standard deviation, median) of the peers' counts; None when they are all equal."""
    sd = statistics.pstdev(values)
    return None if sd == 0 else (statistics.mean(values), sd, statistics.median(values))


def _provinces(scope, params, whole: ProvinceCounts):
    """Each province's mean count per department of one kind, against the other provinces' (R23)."""
    peers_by = list(params["peers"])
    known = scope[scope["province"].fillna("") != ""]
    if not whole.n:
        return
    per = pd.DataFrame([(*k, n, len(whole.departments[k])) for k, n in whole.n.items()],
                       columns=[*peers_by, "province", "n", "departments"])
    per["mean"] = per["n"] / per["departments"]
    for peer_key, peers in per.groupby(peers_by, sort=False):
        if len(peers) < params["min_peers"]:
            continue
        values = peers["mean"].tolist()
        spread = _spread(values)
        if spread is None:
            continue
        mean, sd, median = spread
        peer_key = peer_key if isinstance(peer_key, tuple) else (peer_key,)
        for p in peers.itertuples(index=False):
            z = (p.mean - mean) / sd
            if not _stands_out(p.mean, z, median, params):
                continue
            rows = known[(known["province"] == p.province)
                         & (known[peers_by] == pd.Series(peer_key, index=peers_by)).all(axis=1)]
            if len(rows):
                kind = "".join(f"{v}级" if c == "admin_level" else str(v) for c, v in zip(peers_by, peer_key))
                yield Hit([], {"count": round(p.mean, 1), "peer_median": round(median, 1), "z": round(z, 2),
                               "province_means": dict(zip(peers["province"], (round(v, 1) for v in values))),
                               "_sources": _sources(rows)},
                          key="|".join([p.province, *map(str, peer_key)]),
                          departments=sorted(whole.names[(*peer_key, p.province)])[:20],
                          fields={"direction": "偏多" if z > 0 else "偏少", "peers": len(peers), "province": p.province,
                                  "kind": kind, "n_departments": int(p.departments)})
