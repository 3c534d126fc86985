"""reference_diff: compare the lists with a reference catalogue given as input.

The reference is a list in the published layout (a 通用目录, a county's template
for townships, a list of cancelled items, the national 基本目录), loaded like any other list.
Inside each government (``within: government``), or inside each province at each level
(``within: province``: the province holds an item when any of its governments of that level
does), an item matches a reference item by code, by the same core name, or by name
similarity.  Reported, as asked by ``report``:

- 缺位  a reference item no list of that department holds (unless ``optional``
        says the reference item need not be held, e.g. 赋权 items of a township template);
- 越位  an item of a department the reference covers, absent from the reference;
- 错位  a matched pair whose category, department or basis documents differ;
- 更名  a reference item held only under another name (matched by similarity, never by the
        same code or core name);
- 在列  a matched pair (for a list of cancelled items: still listed).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

import pandas as pd

from quanze.rules.conditions import mask
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register
from quanze.rules.textsim import best_match, core_text, vectorise
from quanze.tables import as_tables, row_source

KINDS = ("缺位", "越位", "错位", "更名", "在列")


@register
class ReferenceDiff(Primitive):
    name = "reference_diff"
    cost = 25
    schema = {
        "reference": Param("text", "catalogue", "对照的目录（输入名）",
                           choices=("catalogue", "township", "cancelled", "national")),
        "within": Param("text", "government", "逐个本级政府比对，或逐省逐层级比对（省内任一政府持有即算持有）",
                        choices=("government", "province")),
        "report": Param("list", ["缺位", "越位", "错位"], "报告哪几种情况", choices=KINDS),
        "threshold": Param("number", 0.75, "名称相似度达到多少算同一事项", min=0, max=1),
        "compare": Param("list", ["category", "short_name", "documents"], "错位比较的字段",
                         choices=("category", "short_name", "documents")),
        "by_department": Param("boolean", True, "是否只比对目录覆盖到的部门"),
        "optional": Param("conditions", [], "目录中不必认领的事项（不算缺位）"),
        "same_level": Param("boolean", True, "是否只比对本层级适用的目录事项"),
    }

    joins = True  # within a province, a renamed matter's holders are in several governments

    def sharing(self, params):
        return params["within"] == "province"

    def evaluate(self, ctx, scope, params):
        if self.sharing(params):
            yield from super().evaluate(ctx, scope, params)
            return
        _check(params)
        ref = ctx.cached(("reference", params["reference"]),
                         lambda: as_tables(ctx.inputs[params["reference"]]).items)
        if scope.empty or ref.empty:
            return
        # one filtered reference per level, not per government, with its rows as plain dicts
        # (a pandas row per item costs more than the matching at province scale)
        at_level = _levels(ref, params)
        for government, items in scope.groupby("government", sort=True):
            yield from self._diff(items.reset_index(drop=True), *at_level(items["admin_level"].iloc[0]), params,
                                  government)

    def share(self, ctx, scope, params):
        """Within a province: this part's distinct holdings (``Holdings``)."""
        scope = _in_province(scope)
        columns = list(dict.fromkeys([*UNIT, *DISTINCT, "department", *params["compare"]]))
        at = ctx.run_rows()[ctx.items.index.get_indexer(scope.index)]
        return Holdings(scope[columns].assign(_at=at).drop_duplicates([*UNIT, *DISTINCT]))

    def complete(self, whole, params, inputs):
        """Each province and level against the catalogue, on its distinct holdings: the hits, as (province and
        level, a hit whose subjects are the holdings it stands for, ``_keys``)."""
        ref = as_tables(inputs[params["reference"]]).items
        if whole.rows.empty or ref.empty:
            return []
        at_level = _levels(ref, params)
        out = []
        for unit, items in whole.rows.groupby(UNIT, sort=True):
            items = items.reset_index(drop=True)
            items["members"] = [[k] for k in _keys(items)]
            out.extend((unit, hit) for hit in self._diff(items, *at_level(unit[1]), params, "|".join(unit)))
        return out

    def evaluate_given(self, ctx, scope, params, whole):
        _check(params)
        scope = _in_province(scope)
        holders: dict[str, list[str]] = {}
        for key, item_id in zip(_keys(scope), scope["id"]):
            holders.setdefault(key, []).append(item_id)
        units = set(zip(scope["province"], scope["admin_level"]))
        for unit, hit in whole:
            if unit not in units:
                continue
            subjects = [i for k in hit.subjects for i in holders.get(k, ())]
            if hit.subjects and not subjects:
                continue
            # the items of a matter in the run's order; a hit is joined with the other parts' by what it is about
            yield Hit(sorted(subjects, key=ctx.position.__getitem__), dict(hit.evidence), key=hit.key,
                      departments=list(hit.departments), fields=hit.fields,
                      part_of="|".join([hit.key, *unit, *hit.subjects]))

    def _diff(self, items: pd.DataFrame, ref: pd.DataFrame, refs: list[dict], params: dict, where: str):
        if params["by_department"]:
            covered = set(items["short_name"]) & set(ref["short_name"])
            items = items[items["short_name"].isin(covered)].reset_index(drop=True)
            keep = ref["short_name"].isin(covered).to_numpy()
            ref, refs = ref[keep].reset_index(drop=True), list(compress(refs, keep))
        if items.empty or ref.empty:
            return
        (to_ref, to_ref_score), (from_ref, from_ref_score) = _match(items, ref)
        report = set(params["report"])
        optional = mask(ref, params["optional"]).tolist() if params["optional"] else [False] * len(ref)
        # the department named for a missing item: the list's own spelling where it has one
        department = dict(zip(items["short_name"].iloc[::-1], items["department"].iloc[::-1]))
        for r, (j, s) in enumerate(zip(from_ref, from_ref_score)):
            if (j < 0 or s < params["threshold"]) and "缺位" in report and not optional[r]:
                row = refs[r]
                # named by content, not by the reference's id, which depends on the region it loaded under
                key = f"缺位|{row['short_name']}|{row['category']}|{row['title']}|{where}"
                yield Hit([], {"kind": "缺位", "reference_item": row["title"], "reference_category": row["category"],
                               "_sources": [row_source(row)]}, key=key,
                          departments=[department.get(row["short_name"], row["department"])],
                          fields={"names": [row["title"]], "note": f"目录中有此事项，{_whose(where, params)}清单中没有"})
        # an item row stands for itself, or (within a province) for every item of its name in the department
        ids = items["members"].tolist() if "members" in items else [[i] for i in items["id"]]
        if "更名" in report:
            yield from _renamed(items, ids, to_ref, to_ref_score, refs, params["threshold"], where)
        compared = {col: items[col].tolist() for col in params["compare"]}
        for i, (j, s) in enumerate(zip(to_ref, to_ref_score)):
            if j < 0 or s < params["threshold"]:
                if "越位" in report:
                    yield Hit(ids[i], {"kind": "越位"}, key="越位", fields={"note": "清单中有此事项，目录中没有"})
                continue
            row = {"id": ids[i][0], **{col: values[i] for col, values in compared.items()}}
            other = refs[j]
            evidence = {"kind": "", "reference_item": other["title"], "score": round(float(s), 4),
                        "_sources": [row_source(other)]}
            if "在列" in report:
                evidence["kind"] = "在列"
                yield Hit(ids[i], evidence, key=f"在列|{other['id']}")
                continue
            diffs = _differences(row, other, params["compare"])
            if diffs and "错位" in report:
                evidence.update(kind="错位", differences=diffs)
                yield Hit(ids[i], evidence, key=f"错位|{other['id']}",
                          fields={"note": "；".join(f"{k}清单为“{a}”，目录为“{b}”" for k, a, b in diffs)})


def _whose(where: str, params: dict) -> str:
    """Whose lists lack a reference item, as a message says it: '' (the list's own), or 南湖省省级的"""
    if params["within"] != "province":
        return ""
    province, level = where.split("|")
    return f"{province}{level}级的"


# a province's holdings are compared at each level; a holding is a department's matter by category, name and code
UNIT = ["province", "admin_level"]
DISTINCT = ["short_name", "category", "title", "code"]


@dataclass
class Holdings:
    """One row per province, level, department, category, name and code held, the first in the run's order
    (``_at``, its row there): what a province holds, of some of its items (a province's hundred counties
    hold one matter a hundred times; it is matched once)."""

    rows: pd.DataFrame

    def __add__(self, other: Holdings) -> Holdings:
        rows = pd.concat([self.rows, other.rows], ignore_index=True).sort_values("_at", kind="stable")
        return Holdings(rows.drop_duplicates([*UNIT, *DISTINCT]).reset_index(drop=True))


def _keys(items: pd.DataFrame) -> list[str]:
    """Each row's holding, as one string."""
    return ["\x1f".join(map(str, k)) for k in zip(*(items[c] for c in [*UNIT, *DISTINCT]))]


def _in_province(scope: pd.DataFrame) -> pd.DataFrame:
    return scope[scope["province"].fillna("") != ""]


def _check(params: dict) -> None:
    unknown = [k for k in params["report"] if k not in KINDS]
    if unknown:
        raise ValueError(f"report 只能含 {'、'.join(KINDS)}，而不是 {'、'.join(unknown)}")


def _levels(ref: pd.DataFrame, params: dict):
    """Level → the reference rows meant for it and the same as plain dicts, made once per level."""
    made: dict[str, tuple[pd.DataFrame, list[dict]]] = {}

    def at_level(level: str):
        if level not in made:
            frame = _at_level(ref, level) if params["same_level"] else ref
            made[level] = frame, frame.to_dict("records")
        return made[level]
    return at_level


def _renamed(items: pd.DataFrame, ids: list[list[str]], to_ref, to_ref_score, refs: list[dict], threshold: float,
             where: str):
    """Reference items that only items of another name match (by similarity, not by code or core name): one hit
    per reference item."""
    def same(i: int, j: int) -> bool:
        code = items["code"].iat[i]
        return (bool(code) and code == refs[j]["code"]) or core_text(items["title"].iat[i]) == core_text(refs[j]["title"])

    matched = [(i, int(j)) for i, (j, s) in enumerate(zip(to_ref, to_ref_score)) if j >= 0 and s >= threshold]
    exact = {j for i, j in matched if same(i, j)}
    renamed: dict[int, list[str]] = {}
    for i, j in matched:
        if j not in exact:
            renamed.setdefault(j, []).extend(ids[i])
    for j, subjects in renamed.items():
        row = refs[j]
        yield Hit(subjects, {"kind": "更名", "reference_item": row["title"], "_sources": [row_source(row)]},
                  key=f"更名|{row['short_name']}|{row['category']}|{row['title']}|{where}",
                  fields={"note": f"目录中为「{row['title']}」，清单中改用了别的名称"})


def _at_level(ref: pd.DataFrame, admin_level: str) -> pd.DataFrame:
    """Reference rows meant for this level: a 通用目录 often covers several (省级、市级、县级 columns);
    a row with no level named applies to every level."""
    meant = ref["levels"].map(lambda lv: not lv or admin_level in lv.split("、"))
    return ref if meant.all() else ref[meant].reset_index(drop=True)


def _match(items: pd.DataFrame, ref: pd.DataFrame):
    """Best reference row for each item and best item for each reference row, with scores.

    The same code or the same core name scores 1; otherwise the most similar row of
    the same category: a licence never matches an inspection merely by its object.
    """
    icore = [core_text(n) for n in items["title"]]
    rcore = [core_text(n) for n in ref["title"]]
    X = vectorise(icore + rcore)
    Xi, Xr = X[: len(items)], X[len(items):]
    return (_best(items, icore, Xi, ref, rcore, Xr), _best(ref, rcore, Xr, items, icore, Xi))


def _best(left, lcore, Xl, right, rcore, Xr):
    best, score = best_match(Xl, Xr, left["category"].tolist(), right["category"].tolist())
    exact: dict = {}
    for j, (c, cat) in enumerate(zip(rcore, right["category"])):
        exact.setdefault((c, cat), j)
        exact.setdefault(c, j)
    codes = {c: j for j, c in enumerate(right["code"]) if c}
    for i, (c, cat, code) in enumerate(zip(lcore, left["category"], left["code"])):
        j = codes.get(code) if code else None
        j = exact.get((c, cat), exact.get(c)) if j is None else j
        if j is not None:
            best[i], score[i] = j, 1.0
    return best, score


LABELS = {"category": "类别", "short_name": "实施部门", "documents": "依据"}


def _differences(row, other, compare: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for col in compare:
        a, b = row[col], other[col]
        if col == "documents":
            same = not a or not b or set(a.split("、")) & set(b.split("、"))
        else:
            same = a == b
        if not same:
            out.append((LABELS.get(col, col), a, b))
    return out

