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
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from quanze.rules.model import Hit
from quanze.rules.primitives import COLUMNS, TEXTS, Param, Primitive, register
from quanze.rules.textsim import may_overlap, names_a_provision, pairs_in_blocks


@register
class Similar(Primitive):
    name = "similar"
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
    }

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
        for a, b, score in pairs_in_blocks(X[pos], blocks, params["threshold"], params["top_k"], keep):
            found[(a, b)] = score
        if params["provision_threshold"] is not None:
            for (a, b), score in _provision_pairs(X[pos], blocks, ids, owner, names, provisions, same,
                                                  params).items():
                if (a, b) not in found and keep(a, b):
                    found[(a, b)] = score
        for (a, b), score in sorted(found.items()):
            ev = {"score": score, "compared": [texts[pos[a]], texts[pos[b]]]}
            common = sorted(shared(a, b))
            if common:
                ev["shared_provisions"] = [_show(p) for p in common]
                ev["paths"] = [ctx.provision_path(ids[a], ids[b], p) for p in common]
            fields = {"score": f"{score:.2f}", "matter": texts[pos[a]],
                      "provisions": f"，共同依据{'、'.join(ev['shared_provisions'])}" if common else ""}
            yield Hit([ids[a], ids[b]], ev, fields=fields)


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
