"""duty_match: match a department's duties (三定) and its power items in both directions (R05).

Duties come from a 三定 given as input (the published text, or a table of department + duty).
A duty governs a sector and its objects (安全生产 of 工矿商贸 生产经营单位, 种子, 农药 …); an item
acts in a sector, named in its own words or by the law it cites (an item citing 《安全生产法》 is
in 安全生产).  The sectors, their laws and the phrases every duty uses (负责, 监督管理, 统筹协调
…, which never match on their own) are data: ``rules/data/duties.yaml``.

An item's score for a duty is the larger of

- its words found in the duty (``textsim.containment``-like, stop-phrases left out), and
- the mean of that and the share of its sectors the duty governs,

each word and sector weighed by how few of the department's duties use it (安全生产 in ten
duties of 应急管理局 tells them apart less than 危险化学品 in one), and the words also by how
few kinds of department use them over the whole run.  An item whose sectors no duty of its
department governs matches no duty, whatever words they share; so does an item whose own matter
(by its law) another department's 三定 of the same government governs, or this 规定's 有关职责分工
gives to another department (民用爆炸物品 with 工信局, not 商务局's 商贸流通行业安全生产).  An enforcement item (处罚,
强制, 检查) scores half for a duty that neither supervises nor enforces (宣传教育、培训考核);
a comprehensive-enforcement duty (综合行政执法) scores what the item's best other duty does.
A phrase of ``phrase`` characters the item and the duty share (导游人员) counts as a word of
its own, and an item whose 部门职责 cell restates a duty serves it.

An item *serves* the duties it scores at least ``threshold`` for and at least ``margin`` of its
best score: the duties that govern it most specifically.  ``direction: duty`` reports 职责缺失
(a duty no item serves); ``direction: item`` reports 职责偏离 (an item scoring below
``threshold`` for every duty).  Closing duties (完成……交办的其他任务, 职能转变, 有关职责分工)
are neither reported nor matched.  Coverage per department is added to the run's statistics.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from quanze.rules.catalogue import data_table
from quanze.rules.context import union_of
from quanze.rules.model import Hit
from quanze.rules.primitives import Param, Primitive, register
from quanze.rules.textsim import (
    TermCounts, common_phrases, containment, group_weights, term_counts, term_users, weigh_part,
)


@register
class DutyMatch(Primitive):
    name = "duty_match"
    cost = 27
    schema = {
        "direction": Param("text", "duty", "duty：职责找事项（职责缺失）；item：事项找职责（职责偏离）",
                           choices=("duty", "item")),
        "threshold": Param("number", 0.3, "职责与事项相符的最低分", min=0, max=1),
        "margin": Param("number", 0.8, "事项承接的职责：得分不低于其最高分的这一比例（只算最贴切的职责）",
                        min=0, max=1),
        "phrase": Param("integer", 4, "共有多少字的词组即算相符（0 为不用）", min=0, max=20),
    }
    needs = ("duties",)

    shares = True  # the items' term counts and the departments using each term, added up over the partitions

    def share(self, ctx, scope, params):
        cores = _cores(ctx, scope)
        return DutyTerms(term_counts(cores + scope["duties"].fillna("").tolist()),
                         term_users(cores, scope["short_name"].tolist()),
                         set(np.asarray(scope["short_name"], dtype=object).astype(str)), set(ctx.items["short_name"]))

    def evaluate_given(self, ctx, scope, params, whole):
        if params["direction"] not in ("duty", "item"):
            raise ValueError("direction 只能是 duty（职责→事项）或 item（事项→职责）")
        duties: pd.DataFrame = ctx.inputs["duties"]
        coverage = ctx.stats.setdefault("duty_coverage", {})
        ctx.stats["duty_departments_without_list"] = sorted(set(duties["department"][
            ~duties["short_name"].isin(whole.listed)]))
        threshold, phrase, margin = params["threshold"], params["phrase"], params["margin"]
        # both directions read the same scores: computed once per run
        matches = ctx.cached(("duty_match", phrase, tuple(scope["id"])),
                             lambda: list(_matches(ctx, scope, duties, phrase, whole)))
        for dept_id, items, mine, score, ranked, item_sectors, duty_sectors, held in matches:
            department = items["department"].iloc[0]
            best = score.max(axis=1) if score.shape[1] else np.zeros(len(items))
            if params["direction"] == "duty":
                top = ranked.max(axis=1, keepdims=True) if ranked.shape[1] else np.zeros((len(items), 1))
                serves = (score >= threshold) & (ranked >= margin * top) & (ranked > 0)
                covered = serves.any(axis=0)
                stats = {"duties": len(mine), "duties_with_items": int(covered.sum())}
                coverage.setdefault(department, {}).update(stats)
                for k in np.flatnonzero(~covered):
                    duty = mine.iloc[k]
                    sheet = duty["sheet"] if isinstance(duty["sheet"], str) else None
                    src = {"file": duty["file"], "sheet": sheet, "rows": [int(duty["row"])] * 2}
                    number = duty.get("number")
                    ev = {"duty": duty["duty"], "duty_number": None if pd.isna(number) else int(number),
                          "duty_sectors": sorted(duty_sectors[k]), "coverage": stats, "_sources": [src]}
                    yield Hit([], ev, key=f"{dept_id}|{duty['duty']}", departments=[department],
                              fields={"duty": duty["duty"], "names": []})
            else:
                nearest = score.argmax(axis=1) if score.shape[1] else np.zeros(len(items), dtype=int)
                served = best >= threshold
                stats = {"items": len(items), "items_with_duty": int(served.sum())}
                coverage.setdefault(department, {}).update(stats)
                for k in np.flatnonzero(~served):
                    ev = {"coverage": stats, "nearest_duty": mine["duty"].iloc[nearest[k]] if len(mine) else "",
                          "duty_score": round(float(best[k]), 4), "item_sectors": sorted(item_sectors[k]),
                          "reason": _reason(item_sectors[k], set().union(*duty_sectors) if duty_sectors else set(),
                                            held[k])}
                    yield Hit([items["id"].iloc[k]], ev)


def _reason(item_sectors: frozenset, governed: set, held: frozenset = frozenset()) -> str:
    """Why an item serves no duty, in words an analyst reads."""
    if held:
        return (f"事项所管的{'、'.join(sorted(held))}由其他部门的三定规定承担（或本部门三定的有关职责分工划归其他部门），"
                "本部门职责未涉及")
    if item_sectors and not item_sectors & governed:
        return f"事项属于{'、'.join(sorted(item_sectors))}领域，部门三定职责未涉及该领域"
    return "事项所管的对象在部门三定职责中都没有提到"


@functools.cache
def _spec() -> dict:
    spec = data_table("duties")
    stops = tuple(sorted(set(spec["stop_phrases"]), key=len, reverse=True))
    owners: dict[str, list[str]] = {}
    for name, sector in spec["sectors"].items():
        for term in sector["terms"]:
            owners.setdefault(term, []).append(name)
    # longest first: 农产品质量安全 is one term, not 产品质量 and 质量安全 inside it
    terms = re.compile("|".join(map(re.escape, sorted(owners, key=len, reverse=True))))
    laws = [(name, re.compile("|".join(map(re.escape, s["laws"])))) for name, s in spec["sectors"].items()
            if s.get("laws")]
    closing = re.compile(r"^(?:负责)?(?:完成.{0,20}交办的其他(?:任务|事项|工作)|职能转变|有关职责分工|与.{1,30}的(?:有关)?职责分工)")
    parents = {name: s["parent"] for name, s in spec["sectors"].items() if s.get("parent")}
    return {"parents": parents, "stops": stops, "stop_pattern": re.compile("|".join(map(re.escape, stops))), "terms": terms, "owners": owners, "laws": laws, "closing": closing,
            "enforcing": frozenset(spec["enforcement_categories"]),
            "cue": re.compile("|".join(map(re.escape, spec["enforcement_cues"]))),
            "cue_penalty": float(spec["cue_penalty"]),
            "comprehensive": re.compile("|".join(map(re.escape, spec["comprehensive_enforcement"])))}


@functools.lru_cache(maxsize=200_000)
def is_stop(word: str) -> bool:
    """A stop-phrase, or a word inside one (监督 and 管理 inside 监督管理)."""
    return any(word in s for s in _spec()["stops"])


@functools.lru_cache(maxsize=100_000)
def own_phrases(text: str, n: int) -> frozenset[str]:
    """The ``n``-character runs of ``text`` with at least two characters outside its stop-phrases:
    殡仪服务 of 殡仪服务机构 counts, 督管理工 of 监督管理工作 does not."""
    covered = np.zeros(len(text), dtype=bool)
    for m in _spec()["stop_pattern"].finditer(text):
        covered[m.start():m.end()] = True
    out = set()
    for m in re.finditer(r"[^\W_]+", text):
        for i in range(m.start(), m.end() - n + 1):
            if (~covered[i:i + n]).sum() >= 2:
                out.add(text[i:i + n])
    return frozenset(out)


@functools.lru_cache(maxsize=200_000)
def sectors_of(text: str, documents: str = "") -> frozenset[str]:
    """The sectors ``text`` names, and those whose laws are among ``documents``."""
    spec = _spec()
    # every term, overlapping ones too (自然灾害 and 灾害救助 in 自然灾害救助), but not one inside a longer
    # term (产品质量 inside 农产品质量安全)
    spans = [(i, m.end(), m.group(0)) for i in range(len(text)) if (m := spec["terms"].match(text, i))]
    named = {name for i, j, term in spans if not any(a <= i and j <= b and (a, b) != (i, j) for a, b, _ in spans)
             for name in spec["owners"][term]}
    return frozenset(named) | law_sectors(documents)


def with_parents(sectors: frozenset[str]) -> frozenset[str]:
    """The sectors and the sectors they are part of (危险化学品 → 安全生产)."""
    parents = _spec()["parents"]
    return sectors | {parents[s] for s in sectors if s in parents}


_BODY = re.compile(r"(?:[县市区省州旗]|自治[区州县])?([\u4e00-\u9fa5]{2,16}?(?:局|委员会|委|厅|办公室|中心))负责([^。；;]*)")


def given_away(divisions: list[str], short: str) -> set[str]:
    """Sectors a 规定's 有关职责分工 gives to another department (县应急管理局负责煤矿……安全生产……)."""
    out: set[str] = set()
    for text in divisions:
        for m in _BODY.finditer(text):
            if short not in m.group(1) and m.group(1) not in short:
                out |= sectors_of(m.group(2))
    return out


@functools.lru_cache(maxsize=100_000)  # items cite the same few laws: one search per distinct citation list
def law_sectors(documents: str) -> frozenset[str]:
    """The sectors whose laws are among ``documents`` (the canonical titles an item cites)."""
    return frozenset(name for name, laws in _spec()["laws"] if laws.search(documents)) if documents else frozenset()


def _specificity(counts: np.ndarray, n: int) -> np.ndarray:
    """1 for what one duty (or none) uses, falling to near 0 for what all ``n`` use."""
    counts = np.asarray(counts, dtype=np.float64)
    if n <= 1:
        return np.ones_like(counts)
    return np.where(counts <= 1, 1.0, np.log((1 + n) / np.maximum(counts, 1)) / math.log(1 + n))


def _cores(ctx, scope: pd.DataFrame) -> list[str]:
    return [ctx.texts("core")[ctx.position[i]] for i in scope["id"]]


@dataclass
class DutyTerms:
    """What 三定 matching reads of every item of a run: the term counts of the items' matters and 部门职责
    cells, the departments (by short name) using each term, those departments, and every short name listed."""

    terms: TermCounts
    users: dict
    groups: set
    listed: set

    def __add__(self, other: DutyTerms) -> DutyTerms:
        return DutyTerms(self.terms + other.terms, union_of(self.users, other.users), self.groups | other.groups,
                         self.listed | other.listed)


def _matches(ctx, scope: pd.DataFrame, duties: pd.DataFrame, phrase: int, whole: DutyTerms):
    """Per department: (id, its items, its duties, items × duties scores, the same ranked for serving, item
    sectors, duty sectors, each item's sectors another department holds when that is why it matches none)."""
    if scope.empty or duties.empty:
        return
    spec = _spec()
    kinds = duties["kind"] if "kind" in duties else pd.Series("", index=duties.index)
    closing = kinds.eq("closing") | duties["duty"].map(lambda d: bool(spec["closing"].match(d)))
    divisions = duties[closing]  # 有关职责分工: which matters the 规定 gives to other departments
    duties = duties[~closing]
    # the sectors each department's duties govern, by government: a matter another department's
    # 三定 names is that department's (农业农村局's 种子, 工业和信息化局's 民用爆炸物品)
    holders: dict[str, dict[str, set[str]]] = {}  # region → sector → departments whose duties govern it
    for short, region, text in zip(duties["short_name"], duties["region"].fillna(""), duties["duty"]):
        for sector in sectors_of(text):
            holders.setdefault(region, {}).setdefault(sector, set()).add(short)
    cores = _cores(ctx, scope)
    names = [f"{n}{s or ''}" for n, s in zip(scope["name"], scope["sub_name"])]
    documents = scope["documents"].fillna("").astype(str).tolist() if "documents" in scope else [""] * len(scope)
    cells = scope["duties"].fillna("").tolist()
    # weighed as over the duties and every item of the run (``whole``), whichever part of it these rows are
    X, terms = weigh_part(duties["duty"].tolist() + cores + cells, whole.terms + term_counts(duties["duty"].tolist()))
    n_all, m_all = len(duties), len(scope)
    words = np.array([t.removeprefix("_") for t in terms], dtype=object)
    # jieba's words, not the character pairs beside them (法行 of 违法行为 is in 依法行使 by chance)
    usable = np.array([not t.startswith("_") and len(w) > 1 and not is_stop(w) for t, w in zip(terms, words)])
    Xi = X[n_all:n_all + m_all] @ sp.diags(group_weights(terms, whole.users, len(whole.groups)))
    rows = pd.Series(np.arange(m_all), index=scope.index)
    tables = duties.groupby([duties["short_name"], duties["region"].fillna("")]).indices
    for dept_id, items in scope.groupby("department_id", sort=True):
        short, region = items["short_name"].iloc[0], items["region"].iloc[0]
        own = np.sort(np.concatenate([tables.get((short, r), []) for r in {"", region}])).astype(int)
        if not len(own):
            continue
        mine = duties.iloc[own].reset_index(drop=True)
        texts = mine["duty"].tolist()
        at = rows[items.index].to_numpy()
        d_sectors = [sectors_of(t) for t in texts]
        governed = set().union(*d_sectors)
        parents = spec["parents"]
        elsewhere = {sector for r in {"", region} for sector, who in holders.get(r, {}).items() if who - {short}}
        elsewhere |= given_away(divisions[divisions["short_name"].eq(short)]["duty"].tolist(), short)
        elsewhere -= governed
        specific = [with_parents(sectors_of(names[k], documents[k])) for k in at]
        specific = [frozenset(x for x in s if x not in {parents.get(y) for y in s}) for s in specific]
        # a part of a sector no duty names on its own (矿山 where only 安全生产 is) is the sector's
        i_sectors = [frozenset(x for x in s if x in governed or parents.get(x) not in s)
                     for s in (with_parents(sectors_of(names[k], documents[k])) for k in at)]
        score = _score(Xi[at], words, usable, texts, d_sectors, i_sectors)
        if phrase:  # a phrase of the item's matter in the duty (导游人员), weighed like a word
            frame = common_phrases(texts, phrase)
            named = [own_phrases(d, phrase) - frame for d in texts]
            counts = {}
            for grams in named:
                for g in grams:
                    counts[g] = counts.get(g, 0) + 1
            for r, k in enumerate(at):
                if i_sectors[r]:
                    continue  # a matter the sectors name is matched by them, not by chance phrases
                for j, grams in enumerate(named):
                    shared = own_phrases(cores[k], phrase) & grams
                    if shared:
                        s = float(_specificity(np.array([min(counts[g] for g in shared)]), len(texts))[0])
                        score[r, j] = max(score[r, j], s)
        # an item acting under the law of a sector none of the department's duties governs (乡村建设规划许可
        # under 城乡规划法 in 农业农村局): shared words are not enough.  Sectors an item's name alone
        # suggests do not shut it out: a conduct (未制定应急预案, 配备计量器具) is named in every sector
        gated = np.array([bool(law_sectors(documents[k])) and not any(s & d for d in d_sectors)
                          for k, s in zip(at, i_sectors)])
        # an item whose own matters are all another department's (by that department's 三定, or by this
        # one's 有关职责分工) is not served by this department's duty of the sector around them
        # (the item's law says it is in those matters: names alone say conduct, 发包、安全评价, as above)
        held = [h if h and not sp_ & governed and h <= elsewhere else frozenset()
                for h, sp_ in ((sp_ & law_sectors(documents[k]), sp_) for k, sp_ in zip(at, specific))]
        gated |= np.array([bool(h) for h in held], dtype=bool)
        score[gated] = 0.0
        # an item whose 部门职责 cell restates a duty serves it
        own_cells = [cells[k] for k in at]
        if any(c.strip() for c in own_cells):
            score = np.maximum(score, containment(X[own], terms, own_cells).T)
        # which duty serves an enforcement item: one that supervises or enforces, rather than one of
        # publicity or training on the same matter (whether any duty covers it is the plain score's)
        enforcing = items["category"].isin(spec["enforcing"]).to_numpy()
        cue = np.array([bool(spec["cue"].search(t)) for t in texts])
        ranked = score.copy()
        ranked[np.ix_(enforcing, ~cue)] *= spec["cue_penalty"]
        comprehensive = np.array([bool(spec["comprehensive"].search(t)) for t in texts])
        if comprehensive.any() and (~comprehensive).any():
            for m in (score, ranked):
                others = m[:, ~comprehensive].max(axis=1)
                m[np.ix_(enforcing, comprehensive)] = np.maximum(m[np.ix_(enforcing, comprehensive)],
                                                                 others[enforcing, None])
        yield dept_id, items, mine, score, ranked, i_sectors, d_sectors, held


def _score(Xi, words: np.ndarray, usable: np.ndarray, texts: list[str], d_sectors: list, i_sectors: list) -> np.ndarray:
    """Items × duties: the weighted share of the item's words in the duty, raised by the share of its sectors."""
    n = len(texts)
    used = np.unique(Xi.indices)
    used = used[usable[used]]
    present = np.array([[w in t for t in texts] for w in words[used]], dtype=np.float64).reshape(len(used), n)
    part = Xi[:, used]
    weight = np.asarray(part.multiply(part).todense()) * _specificity(present.sum(axis=1), n)
    total = weight.sum(axis=1, keepdims=True)
    word = (weight @ present) / np.where(total > 0, total, 1.0)
    names = sorted(set().union(*d_sectors, *i_sectors))
    if not names:
        return word
    has_d = np.array([[s in d for s in names] for d in d_sectors], dtype=np.float64)  # duties × sectors
    has_i = np.array([[s in i for s in names] for i in i_sectors], dtype=np.float64)  # items × sectors
    w = _specificity(has_d.sum(axis=0), n)
    mass = (has_i * w).sum(axis=1, keepdims=True)
    sector = ((has_i * w) @ has_d.T) / np.where(mass > 0, mass, 1.0)
    return np.where(mass > 0, np.maximum(word, (word + sector) / 2), word)
