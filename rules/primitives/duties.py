"""duty_match: match a department's duties (三定) and its power items in both directions (R05).

Duties come from a 三定 table given as input (department + duty text).  An item
serves a duty when enough of its core name appears in the duty
(``textsim.containment``), when the two share a phrase of ``phrase`` characters
(导游人员: the matter named, however long the violation after it), or when its
own 部门职责 cell names the duty it serves.  Words are weighed over the whole run
and by how few kinds of department use them, so a department's own matters count
and the wording every department or every duty shares (法定代表人变更, 负责……工作,
监督管理) does not.  ``direction: duty`` reports 职责缺失 (a duty no item serves);
``direction: item`` reports 职责偏离 (an item serving no duty).  Coverage per
department is added to the run's statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register
from quanze.rules.textsim import common_phrases, common_words, containment, group_weights, phrases, weigh


@register
class DutyMatch(Primitive):
    name = "duty_match"
    whole_run = True
    schema = {
        "direction": Param("text", "duty", "duty：职责找事项（职责缺失）；item：事项找职责（职责偏离）",
                           choices=("duty", "item")),
        "threshold": Param("number", 0.3, "职责与事项相符的最低分", min=0, max=1),
        "phrase": Param("integer", 4, "共有多少字的词组即算相符（0 为不用）", min=0, max=20),
    }
    needs = ("duties",)

    def evaluate(self, ctx, scope, params):
        if params["direction"] not in ("duty", "item"):
            raise ValueError("direction 只能是 duty（职责→事项）或 item（事项→职责）")
        duties: pd.DataFrame = ctx.inputs["duties"]
        coverage = ctx.stats.setdefault("duty_coverage", {})
        ctx.stats["duty_departments_without_list"] = sorted(set(duties["department"][
            ~duties["short_name"].isin(ctx.items["short_name"])]))
        threshold, phrase = params["threshold"], params["phrase"]
        # both directions read the same scores: computed once per run
        matches = ctx.cached(("duty_match", phrase, tuple(scope["id"])),
                             lambda: list(_matches(ctx, scope, duties, phrase)))
        for dept_id, items, mine, score in matches:
            department = items["department"].iloc[0]
            if params["direction"] == "duty":
                covered = score.max(axis=0) >= threshold
                stats = {"duties": len(mine), "duties_with_items": int(covered.sum())}
                coverage.setdefault(department, {}).update(stats)
                for k in np.flatnonzero(~covered):
                    duty = mine.iloc[k]
                    src = {"file": duty["file"], "sheet": duty["sheet"], "rows": [int(duty["row"])] * 2}
                    yield Hit([], {"duty": duty["duty"], "coverage": stats, "_sources": [src]},
                              key=f"{dept_id}|{duty['duty']}", departments=[department],
                              fields={"duty": duty["duty"], "names": []})
            else:
                best, item_score = score.argmax(axis=1), score.max(axis=1)
                served = item_score >= threshold
                stats = {"items": len(items), "items_with_duty": int(served.sum())}
                coverage.setdefault(department, {}).update(stats)
                for k in np.flatnonzero(~served):
                    ev = {"coverage": stats, "nearest_duty": mine["duty"].iloc[best[k]],
                          "score": round(float(item_score[k]), 4)}
                    yield Hit([items["id"].iloc[k]], ev)


def _matches(ctx, scope: pd.DataFrame, duties: pd.DataFrame, phrase: int):
    """(department id, its items, its duties, items × duties scores) for each department with duties."""
    if scope.empty or duties.empty:
        return
    cores = [ctx.texts("core")[ctx.position[i]] for i in scope["id"]]
    cells = scope["duties"].fillna("").tolist()
    X, terms = weigh(duties["duty"].tolist() + cores + cells)
    n_all, m_all = len(duties), len(scope)
    frame = common_words(X[:n_all], terms)  # 负责……工作: the wording of every duty
    frame_phrases = common_phrases(duties["duty"].tolist(), phrase) if phrase else frozenset()
    X = normalize(X @ sp.diags(group_weights(X[n_all:n_all + m_all], scope["short_name"].tolist())))
    rows = pd.Series(np.arange(m_all), index=scope.index)
    # a 三定 table is one government's: its duties are matched with that government's department
    tables = duties.groupby([duties["short_name"], duties["region"].fillna("")]).indices
    for dept_id, items in scope.groupby("department_id", sort=True):
        short, region = items["short_name"].iloc[0], items["region"].iloc[0]
        own = np.sort(np.concatenate([tables.get((short, r), []) for r in {"", region}])).astype(int)
        if not len(own):
            continue
        mine = duties.iloc[own].reset_index(drop=True)
        at = rows[items.index].to_numpy()
        score = containment(X[n_all + at], terms, mine["duty"].tolist(), frame)  # items × duties
        if phrase:  # a phrase of the item's matter in the duty (导游人员, 食品安全), whatever the words around it
            named = [phrases(d, phrase) - frame_phrases for d in mine["duty"]]
            shared = [[not grams.isdisjoint(d) for d in named] for grams in (phrases(cores[k], phrase) for k in at)]
            score = np.maximum(score, np.array(shared, dtype=np.float64))
        # an item whose 部门职责 cell restates a duty serves it as well
        own_cells = [cells[k] for k in at]
        if any(c.strip() for c in own_cells):
            score = np.maximum(score, containment(X[own], terms, own_cells, frame).T)
        yield dept_id, items, mine, score
