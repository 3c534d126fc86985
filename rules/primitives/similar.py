"""similar: pairs of items that say the same thing, found inside blocks.

Blocks are columns (one government, one category …); ``pair`` says whether the
two items must belong to different departments (多头执法, 职能交叉) or the same
one (内容相近).  Names are compared by their core (``textsim.core_text``).

Two ways a pair qualifies:

- its names are similar: cosine ≥ ``threshold``;
- with ``provision_threshold`` set, the two items cite the same article: then a
  lower similarity is enough, and so is being each other's closest item among
  the items of the two departments citing that article, or a name that is only a
  reference to that article.  An article lists several violations; the closest
  pair across two departments is the one naming the same violation.

With ``filters`` on, pairs split by sector or concerning each department's own
procedure are dropped (``textsim.may_overlap``).

With ``model`` on, every pair is also given the learned pair score (``rules/pairscore.py``): the
probability that the two are one matter, and what carried it, in Chinese.  A third way to qualify
is then added: among the candidates of ``candidate_block`` (one article cited by both, and, with
``candidate_threshold`` set, names at least that alike), a pair whose probability reaches ``min_probability`` is
reported whatever its name similarity: the same conduct worded differently, or a penalty in one
department and a coercive measure in another.  With ``veto_probability`` set, a pair the textual
tests found but the score puts below it is not reported (two names that are only references to the
fourteenth article of two different documents; one side restricted to a sector the other does not
name).  The score was learned with the cited articles' texts from the law library: without the
library it is shown but vetoes nothing, and the evidence says so.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from quanze.rules import pairscore
from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, TEXTS, Param, Primitive, register
from quanze.rules.textsim import may_overlap, names_a_provision, pairs_in_blocks


@register
class Similar(Primitive):
    name = "similar"
    cost = 35
    run_vectors = True
    schema = {
        "text": Param("text", "core", "比较名称的哪种文字", choices=TEXTS),
        "block": Param("list", ["government"], "只在这些字段相同的事项之间比较", choices=COLUMNS),
        "pair": Param("text", "different", "different：不同部门之间；same：同一部门之内", choices=("different", "same")),
        "pair_on": Param("text", "department_id", "“部门”按哪个字段区分", choices=COLUMNS),
        "threshold": Param("number", 0.6, "名称相似度达到多少即报告", min=0, max=1),
        "top_k": Param("integer", 10, "每个事项最多取多少个最相近的事项", min=1, max=1000),
        "max_df": Param("number", 1.0, "出现在多大比例名称中的词不计", min=0.01, max=1),
        "provision_threshold": Param("number", None, "引用同一条文时相似度达到多少即报告（null 为不用条文）",
                                     min=0, max=1, optional=True),
        "mutual_best": Param("boolean", True, "引用同一条文且彼此最相近即报告"),
        "filters": Param("boolean", True, "是否排除按行业分开、各管本部门程序的事项对"),
        "model": Param("boolean", False, "是否用配对模型给每一对打分（两项为同一事项的概率及其依据）"),
        "min_probability": Param("number", None, "模型概率达到多少即报告，不论名称相似度（null 为模型自带的阈值）",
                                 min=0, max=1, optional=True),
        "veto_probability": Param("number", None, "名称或条文相近、但模型概率低于此值的事项对不报告（null 为不否决；未提供法律库时不否决）",
                                  min=0, max=1, optional=True),
        "candidate_block": Param("list", None, "模型打分的候选对在这些字段相同的事项之间形成（null 同 block）",
                                 choices=COLUMNS, optional=True),
        "candidate_threshold": Param("number", None, "名称相似度达到多少的事项对也交给模型打分（null 为只给引用同一条文的打分）",
                                     min=0, max=1, optional=True),
        "candidate_top_k": Param("integer", 3, "每个事项最多把多少个名称最相近的事项交给模型打分", min=1, max=1000),
    }

    def statistics(self, params: dict) -> list[str]:
        # the pair score's signals weigh names and character bigrams over every item of the run
        extra = ["terms:core", "pair-signals"] if params.get("model") else []
        return list(dict.fromkeys([*super().statistics(params), *extra]))

    def evaluate(self, ctx, scope, params):
        X = ctx.vectors(params["text"], params["max_df"])
        if X is None or scope.empty:
            return
        pos = scope["id"].map(ctx.position).to_numpy()
        blocks = _block_labels(scope, params["block"])
        owner = scope[params["pair_on"]].to_numpy()
        main = scope["main_id"].to_numpy()
        ids = scope["id"].to_numpy()
        names = scope["name"].to_numpy()
        same = params["pair"] == "same"
        provisions = ctx.provisions_of()
        texts = ctx.texts(params["text"])

        def shared(a: int, b: int) -> set[str]:
            return provisions.get(ids[a], set()) & provisions.get(ids[b], set())

        def keep(a: int, b: int) -> bool:
            if (owner[a] == owner[b]) != same or main[a] == main[b]:
                return False  # sub-items of one 主项 are distinct by construction
            if names_a_provision(names[a]) and names_a_provision(names[b]) and not shared(a, b):
                return False  # 《某条例》第五十五条 and 第六十五条: two articles, two matters
            return not params["filters"] or may_overlap(names[a], names[b], same)

        found: dict[tuple[int, int], float] = {}
        rows = X[pos]  # the scope's rows of the run's vectors, taken once
        for a, b, score in pairs_in_blocks(rows, blocks, params["threshold"], params["top_k"], keep):
            found[(a, b)] = score
        if params["provision_threshold"] is not None:
            for (a, b), score in _provision_pairs(rows, blocks, ids, owner, names, provisions, same,
                                                  params).items():
                if (a, b) not in found and keep(a, b):
                    found[(a, b)] = score
        scored = _scored(ctx, X, pos, scope, found, blocks, provisions, keep, params) if params["model"] else {}
        library = bool(ctx.inputs.get("laws"))
        if params["model"] and params["veto_probability"] is not None and library:
            found = {pair: score for pair, score in found.items() if scored[pair][0] >= params["veto_probability"]}
        for (a, b), score in sorted(found.items()):
            ev = {"score": score, "compared": [texts[pos[a]], texts[pos[b]]]}
            probability, reasons = scored.get((a, b), (None, None))
            if probability is not None:
                ev["probability"], ev["reasons"] = probability, reasons
                if not library:
                    ev["probability_note"] = "未提供法律库：所引条文的内容未参与打分，概率偏低，也未据此排除事项对"
            common = sorted(shared(a, b))
            if common:
                ev["shared_provisions"] = [_show(p) for p in common]
                ev["paths"] = [ctx.provision_path(ids[a], ids[b], p) for p in common]
            fields = {"score": f"{score:.2f}", "matter": texts[pos[a]],
                      "probability": _probability_clause(probability, reasons),
                      "provisions": f"，共同依据{'、'.join(ev['shared_provisions'])}" if common else ""}
            yield Hit([ids[a], ids[b]], ev, fields=fields)


def _scored(ctx, X, pos, scope, found: dict, blocks, provisions, keep, params) -> dict:
    """The pair score of every pair ``found`` and of the model's own candidates; candidates reaching
    ``min_probability`` are added to ``found``.  Returns (a, b) → (probability, reasons)."""
    columns = params["candidate_block"]
    cand_blocks = blocks if columns is None else _block_labels(scope, columns)
    ids = scope["id"].to_numpy()
    candidates = set()
    if params["candidate_threshold"] is not None:
        candidates.update((a, b) for a, b, _ in pairs_in_blocks(X[pos], cand_blocks, params["candidate_threshold"],
                                                                params["candidate_top_k"], keep))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for k, item_id in enumerate(ids):
        for art in provisions.get(item_id, ()):
            groups[(cand_blocks[k], art)].append(k)
    candidates.update((m, n) for members in groups.values() for k, m in enumerate(members)
                      for n in members[k + 1:] if keep(m, n))
    pairs = sorted(set(found) | candidates)
    if not pairs:
        return {}
    model = pairscore.default_model()
    a, b = np.array(pairs).T
    p, features = pairscore.probabilities(ctx, pos[a], pos[b])
    least = model.threshold if params["min_probability"] is None else params["min_probability"]
    new = [(pairs[k], k) for k in np.flatnonzero(p >= least) if pairs[k] not in found]
    if new:
        cosines = _pair_scores(X[pos], [pair for pair, _ in new])
        found.update({pair: float(round(cosines[pair], 4)) for pair, _ in new})
    kept = [k for k, pair in enumerate(pairs) if pair in found]
    contributions = model.contributions(features[kept])
    per_block = np.bincount(np.unique(cand_blocks[a], return_inverse=True)[1])
    ctx.stats.setdefault("pair_score", []).append({
        "candidate_block": columns or params["block"], "pairs_scored": len(pairs), "blocks": len(per_block),
        "pairs_per_block_median": float(np.median(per_block)), "pairs_per_block_max": int(per_block.max()),
        "added_by_score": len(new)})
    return {pairs[k]: (round(float(p[k]), 3), model.reasons(features[k], contributions[r]))
            for r, k in enumerate(kept)}


def _probability_clause(probability: float | None, reasons: dict | None, strongest: int = 3) -> str:
    """为同一事项的概率 83%（共用条款、条文内容相近）， — the strongest reasons (all are in the
    evidence), or nothing without the model."""
    if probability is None:
        return ""
    carried = "、".join(reasons["for"][:strongest]) or "无明显支持依据"
    return f"为同一事项的概率 {probability:.0%}（{carried}），"


def _provision_pairs(X, blocks, ids, owner, names, provisions, same: bool, params) -> dict[tuple[int, int], float]:
    """Pairs of items citing one article in one block, of different owners (or of the same one when
    ``same``), see the module docstring.  Closest pairs count only across owners."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, item_id in enumerate(ids):
        for art in provisions.get(item_id, ()):
            groups[(blocks[i], art)].append(i)
    groups = {k: sorted(m) for k, m in groups.items()
              if len(m) >= 2 and (same or len({owner[i] for i in m}) >= 2)}
    score = _pair_scores(X, [(m, n) for members in groups.values()
                             for k, m in enumerate(members) for n in members[k + 1:]])
    out: dict[tuple[int, int], float] = {}
    for members in groups.values():
        named = [names_a_provision(names[m]) for m in members]
        best: dict[tuple[int, object], int] = {}  # (member, other owner) → its closest item of that owner
        for m in members:
            for n in members:
                if owner[m] != owner[n]:
                    key = (m, owner[n])
                    if key not in best or score[_ordered(m, n)] > score[_ordered(m, best[key])]:
                        best[key] = n
        for i, m in enumerate(members):
            for j in range(i + 1, len(members)):
                n = members[j]
                if (owner[m] == owner[n]) != same:
                    continue
                s = score[(m, n)]
                mutual = not same and params["mutual_best"] and best[(m, owner[n])] == n and best[(n, owner[m])] == m
                if s >= params["provision_threshold"] or mutual or named[i] or named[j]:
                    out[(m, n)] = float(round(s, 4))
    return out


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _pair_scores(X, pairs: list[tuple[int, int]], chunk: int = 200_000) -> dict[tuple[int, int], float]:
    """Cosine of each pair of rows, computed for all pairs at once (rows are L2-normalised)."""
    out: dict[tuple[int, int], float] = {}
    for start in range(0, len(pairs), chunk):
        part = np.asarray(pairs[start:start + chunk])
        sims = np.asarray(X[part[:, 0]].multiply(X[part[:, 1]]).sum(axis=1)).ravel()
        out.update(zip(pairs[start:start + chunk], sims.tolist()))
    return out


def _block_labels(scope, columns: list[str]):
    """One label per row joining its ``columns`` (all rows in one block when there are none)."""
    if not columns:
        return np.zeros(len(scope), dtype=object)
    label = scope[columns[0]].astype(str)
    for col in columns[1:]:
        label = label + "|" + scope[col].astype(str)
    return label.to_numpy(dtype=object)


def _show(key: str) -> str:
    doc, _, art = key.partition("#")
    return f"《{doc}》第{art}条"
