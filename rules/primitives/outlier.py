"""outlier: departments of one kind at one level whose item count stands out (R16)."""

from __future__ import annotations

import statistics

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
    }

    def evaluate(self, ctx, scope, params):
        counts = scope.groupby([*params["peers"], "department_id", "department"]).size().reset_index(name="n")
        for peer_key, peers in counts.groupby(params["peers"]):
            if len(peers) < params["min_peers"]:
                continue
            values = peers["n"].tolist()
            mean, sd = statistics.mean(values), statistics.pstdev(values)
            if sd == 0:
                continue
            median = statistics.median(values)
            for p in peers.itertuples(index=False):
                z = (p.n - mean) / sd
                # among near-equal peers a one-item difference has a large z but is no finding
                if abs(z) >= params["z"] and abs(p.n - median) >= params["min_ratio"] * median:
                    rows = scope[scope["department_id"] == p.department_id]
                    sources = [{"file": f, "sheet": s, "rows": [int(g["row"].min()), int(g["row_last"].max())]}
                               for (f, s), g in rows.groupby(["file", "sheet"])]
                    yield Hit([], {"count": int(p.n), "peer_median": median, "peer_counts": dict(
                        zip(peers["department"], map(int, peers["n"]))), "z": round(z, 2), "_sources": sources},
                        key=p.department_id, departments=[p.department],
                        fields={"direction": "偏多" if z > 0 else "偏少", "peers": len(peers)})
