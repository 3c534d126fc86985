"""duty_match: match a department's duties (三定) and its power items in both directions (R05).

Duties come from a 三定 table given as input (department + duty text).  An item
serves a duty when most of its core name (by TF-IDF weight) appears in the duty
(``textsim.containment``), or when its own 部门职责 cell names the duty it
serves.  ``direction: duty`` reports 职责缺失 (a duty no item serves);
``direction: item`` reports 职责偏离 (an item serving no duty).  Coverage per
department is added to the run's statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quanze.rules.model import Hit
from quanze.rules.primitives import Primitive, register
from quanze.rules.textsim import containment, vectorise


@register
class DutyMatch(Primitive):
    name = "duty_match"
    defaults = {"direction": "duty", "threshold": 0.3}
    needs = ("duties",)

    def evaluate(self, ctx, scope, params):
        if params["direction"] not in ("duty", "item"):
            raise ValueError("direction 只能是 duty（职责→事项）或 item（事项→职责）")
        duties: pd.DataFrame = ctx.inputs["duties"]
        coverage = ctx.stats.setdefault("duty_coverage", {})
        ctx.stats["duty_departments_without_list"] = sorted(set(duties["department"][
            ~duties["short_name"].isin(ctx.items["short_name"])]))
        for dept_id, items in scope.groupby("department_id", sort=True):
            # a 三定 table is one government's: its duties are matched with that government's department
            mine = duties[(duties["short_name"] == items["short_name"].iloc[0])
                          & duties["region"].fillna("").isin(["", items["region"].iloc[0]])].reset_index(drop=True)
            if mine.empty:
                continue
            cores = [ctx.texts("core")[ctx.position[i]] for i in items["id"]]
            X = vectorise(mine["duty"].tolist() + cores + items["duties"].fillna("").tolist())
            n, m = len(mine), len(items)
            score = containment(X[n:n + m], X[:n])  # items × duties
            # an item whose 部门职责 cell restates a duty serves it as well
            cell = containment(X[:n], X[n + m:]).T if items["duties"].str.strip().ne("").any() else 0 * score
            score = np.maximum(score, cell)
            item_best, item_score = score.argmax(axis=1), score.max(axis=1)
            served = item_score >= params["threshold"]
            covered = score.max(axis=0) >= params["threshold"]
            department = items["department"].iloc[0]
            stats = {"duties": n, "duties_with_items": int(covered.sum()), "items": len(items),
                     "items_with_duty": int(served.sum())}
            coverage[department] = stats
            if params["direction"] == "duty":
                for k in np.flatnonzero(~covered):
                    duty = mine.iloc[k]
                    src = {"file": duty["file"], "sheet": duty["sheet"], "rows": [int(duty["row"])] * 2}
                    yield Hit([], {"duty": duty["duty"], "coverage": stats, "_sources": [src]},
                              key=f"{dept_id}|{duty['duty']}", departments=[department],
                              fields={"duty": duty["duty"], "names": []})
            else:
                for k in np.flatnonzero(~served):
                    row = items.iloc[k]
                    ev = {"coverage": stats, "nearest_duty": mine["duty"].iloc[item_best[k]],
                          "score": round(float(item_score[k]), 4)}
                    yield Hit([row["id"]], ev)
