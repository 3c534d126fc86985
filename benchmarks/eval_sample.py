"""Draw the labelled overlap pairs (tests/eval/overlap_pairs.csv) so that recall can be estimated.

    python benchmarks/eval_sample.py [--shared ../shared] [--seed 17] [--write]

The population is every pair of items of two different departments of one government
that the overlap rules could ever call one matter:

- ``within``: one government × one category (the block of R01b and R03);
- ``cross``: one government, two of the enforcement categories 行政处罚 / 行政强制 / 行政检查
  (the same conduct as a penalty in one department and a coercive measure in another).

For every pair four independent signals are computed (none of them is a rule's verdict):

- ``name_sim``: cosine of the names' cores, the rules' own TF-IDF (``textsim``, ``RunContext.vectors``);
- ``relation``: ``article`` when the two cite one article (non-generic documents, ``article_key``),
  ``law`` when they cite one document but no common article, ``none`` otherwise;
- ``law_sim``: cosine (character bigrams, TF-IDF) of the texts of the articles each item cites,
  read from the law library (``LawLibrary.lookup`` → the version's Markdown, ``第X条`` lines);
  where the library lacks the document, the item's own 实施依据 text stands in;
- ``object``: the object of the power, the phrase between 对 and the verb or 的 of the name;
  ``obj_match`` is 1 when the two objects are equal or one contains the other.

What is drawn:

1. every cross-department pair the overlap rules propose at their defaults (R01a, R01b, R02, R03;
   R10 pairs items of one department and so proposes none), stratum ``rules``, inclusion probability 1;
2. the pairs already labelled (kept, given the stratum they fall in);
3. a random sample of the remaining population in strata over the signals' bands (see ``stratum``),
   each stratum's first ``n`` pairs in the order of a seeded hash of the pair id (so drawing again,
   with the labelled file in place, gives the same set).

A stratum's inclusion probability is (labelled pairs in it) / (population pairs in it), the legacy
pairs counted among the drawn; ``weight`` is its inverse, the number of population pairs each
labelled pair stands for.  Weighted by it, recall over the sample estimates recall over the population.

The holdout is a fifth of the pairs, grouped by item: items are ordered by a seeded hash of their
id and taken into the holdout set H one by one until the pairs touching H are at least a fifth of
all pairs; a pair is in the holdout iff one of its items is in H.  No item of H is in any tuning
pair (the other item of a holdout pair may be: the pair graph is connected, so no split keeps both
sides of every pair apart without dropping pairs).

Without ``--write`` the script prints the strata; with it, it rewrites the CSV, keeping every
existing label and note (by pair id), leaving ``same_matter`` empty for new pairs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from quanze.loaders import LawLibrary
from quanze.loaders.text import normalise
from quanze.pipeline import prepare
from quanze.rules import textsim
from quanze.rules.context import RunContext
from quanze.rules.engine import run
from quanze.rules.evaluation import predicted_pairs
from quanze.rules.pairfeatures import article_texts

from common import add_shared, real_lists  # a sibling module of these scripts

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "tests" / "eval" / "overlap_pairs.csv"
PROPOSING = ["R01a", "R01b", "R02", "R03", "R10"]
# the rules as they were when the set was drawn (before the pair score proposed pairs of its own):
# the `rules` stratum is theirs, so that drawing again gives the same set
AS_DRAWN = ["R01b.model=false", "R03.model=false"]
ENFORCEMENT = ("行政处罚", "行政强制", "行政检查")
COLUMNS = ["pair_id", "a_id", "b_id", "a_source", "b_source", "same_matter", "note", "stratum", "inclusion_prob",
           "weight", "holdout", "name_sim", "relation", "law_sim", "obj_match"]
# how many random pairs each stratum gets (beside the legacy pairs already in it)
DRAW_WITHIN = 18
DRAW_WITHIN_NULL = 40  # the huge stratum with no signal at all
DRAW_CROSS = 14
HOLDOUT_SHARE = 0.2
# the object of a power: 对 …… up to the verb or 的 (对未取得许可证生产种子的处罚 → 未取得许可证生产种子)
_OBJECT = re.compile(r"^(?:关于)?对(?:于)?(.{2,40}?)(?:的|进行|实施|予以|处以|采取|依法)")
_OBJECT_FRAME = re.compile(r"^(?:违反|未按|未经|未|擅自|不按|拒不|不)")


def pair_id(a: str, b: str) -> str:
    lo, hi = sorted((a, b))
    return hashlib.sha1(f"{lo}|{hi}".encode()).hexdigest()[:12]


def seeded(seed: int, key: str) -> str:
    return hashlib.sha1(f"{seed}|{key}".encode()).hexdigest()


def name_object(name: str) -> str:
    """The phrase between 对 and the verb or 的 of an item's name ('' when the name has no such frame)."""
    m = _OBJECT.match(normalise(name))
    return _OBJECT_FRAME.sub("", m.group(1)) if m else ""


def objects_match(a: str, b: str) -> bool:
    return bool(a and b and len(min(a, b, key=len)) >= 2 and (a in b or b in a))


def article_text(library: LawLibrary, title: str, article: int) -> str:
    """The text of ``title`` 第``article``条 as the library holds it ('' when it does not)."""
    doc = library.lookup(title)
    if doc is None or doc.path is None or not doc.path.exists():
        return ""
    return article_texts(doc.path).get(int(article), "")


def cited_texts(tables, library: LawLibrary) -> list[str]:
    """Per item (in table order): the library text of the articles it cites, else its 实施依据."""
    c = tables.citations
    c = c[~c["document"].isin(textsim.generic_documents()) & c["article"].notna()]
    texts: dict[str, list[str]] = defaultdict(list)
    for item_id, doc, art in zip(c["item_id"], c["document"], c["article"]):
        t = article_text(library, doc, int(art))
        if t and t not in texts[item_id]:
            texts[item_id].append(t)
    items = tables.items
    return ["".join(texts.get(i) or [b or ""]) for i, b in zip(items["id"], items["basis_text"])]


def _incidence(keys_of: dict[str, set[str]], ids) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, item_id in enumerate(ids):
        for k in keys_of.get(item_id, ()):
            rows.append(r)
            cols.append(vocab.setdefault(k, len(vocab)))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), max(len(vocab), 1)))


def name_band(s: float) -> str:
    return "hi" if s >= 0.5 else "mid" if s >= 0.25 else "lo"


def stratum(kind: str, relation: str, name_sim: float, law_sim: float, obj: bool) -> str:
    """within: relation × name band × evidence (e1: object match, or — without a shared article —
    cited texts alike, law_sim ≥ 0.4); cross: relation × name band (hi ≥ 0.4)."""
    if kind == "cross":
        return f"cross/{relation}/{'hi' if name_sim >= 0.4 else 'lo'}"
    evidence = obj or (relation != "article" and law_sim >= 0.4)
    return f"within/{relation}/{name_band(name_sim)}/{'e1' if evidence else 'e0'}"


def population(prep, library: LawLibrary) -> dict[str, np.ndarray]:
    """Every candidate pair (item positions ``i`` < ``j`` by id) with its signals, as columns."""
    tables = prep.tables
    items = tables.items
    ctx = RunContext(tables, {})
    X = ctx.vectors("core")
    L = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(
        cited_texts(tables, library))
    ids = items["id"].to_numpy()
    A = _incidence(ctx.provisions_of(), ids)
    D = _incidence(ctx.documents_of(), ids)
    objects = [name_object(n) for n in items["name"]]
    vocab = sorted(set(objects))
    code = np.array([vocab.index(o) for o in objects])
    contains = np.array([[objects_match(u, v) for v in vocab] for u in vocab])
    dept = items["department_id"].to_numpy()
    main = items["main_id"].to_numpy()
    gov = items["government"].to_numpy()
    cat = items["category"].fillna("").to_numpy()
    parts: dict[str, list] = defaultdict(list)

    def add(kind: str, left: np.ndarray, right: np.ndarray, same_block: bool):
        li, rj = np.meshgrid(np.arange(len(left)), np.arange(len(right)), indexing="ij")
        i, j = left[li.ravel()], right[rj.ravel()]
        keep = (dept[i] != dept[j]) & (main[i] != main[j])
        if same_block:
            keep &= i < j
        sel = np.flatnonzero(keep)
        r, s = li.ravel()[sel], rj.ravel()[sel]
        i, j = i[sel], j[sel]
        parts["i"].append(np.where(ids[i] < ids[j], i, j))
        parts["j"].append(np.where(ids[i] < ids[j], j, i))
        parts["kind"].append(np.full(len(i), kind, dtype=object))
        parts["name_sim"].append((X[left] @ X[right].T).toarray()[r, s])
        parts["law_sim"].append((L[left] @ L[right].T).toarray()[r, s])
        sa = (A[left] @ A[right].T).toarray()[r, s] > 0
        sd = (D[left] @ D[right].T).toarray()[r, s] > 0
        parts["relation"].append(np.where(sa, "article", np.where(sd, "law", "none")).astype(object))
        parts["obj_match"].append(contains[code[i], code[j]].astype(int))

    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, (g, c) in enumerate(zip(gov, cat)):
        blocks[(g, c)].append(i)
    for (g, c), members in sorted(blocks.items()):
        if c:
            add("within", np.asarray(members), np.asarray(members), True)
    for g in sorted(set(gov)):
        for c1, c2 in [(ENFORCEMENT[0], ENFORCEMENT[1]), (ENFORCEMENT[0], ENFORCEMENT[2]),
                       (ENFORCEMENT[1], ENFORCEMENT[2])]:
            left, right = blocks.get((g, c1)), blocks.get((g, c2))
            if left and right:
                add("cross", np.asarray(left), np.asarray(right), False)
    pop = {k: np.concatenate(v) for k, v in parts.items()}
    pop["a_id"], pop["b_id"] = ids[pop["i"]], ids[pop["j"]]
    pop["pair_id"] = np.array([pair_id(a, b) for a, b in zip(pop["a_id"], pop["b_id"])], dtype=object)
    pop["stratum"] = np.array([stratum(*row) for row in zip(pop["kind"], pop["relation"], pop["name_sim"],
                                                             pop["law_sim"], pop["obj_match"])], dtype=object)
    return pop


def _row(pop: dict[str, np.ndarray], k: int) -> dict:
    return {"pair_id": pop["pair_id"][k], "a_id": pop["a_id"][k], "b_id": pop["b_id"][k],
            "relation": pop["relation"][k], "name_sim": round(float(pop["name_sim"][k]), 4),
            "law_sim": round(float(pop["law_sim"][k]), 4), "obj_match": int(pop["obj_match"][k]),
            "stratum": pop["stratum"][k]}


def proposed(prep) -> set[frozenset[str]]:
    result = run(prep.tables, selection=PROPOSING, settings=AS_DRAWN)
    return predicted_pairs(result.findings, set(PROPOSING))


def read_existing(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row.get("pair_id") or pair_id(row["a_id"], row["b_id"]): row for row in rows}


def holdout_items(pairs: list[dict], seed: int) -> set[str]:
    """The item set H (see the module docstring): seeded-hash order, until a fifth of the pairs touch it."""
    touching: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(pairs):
        touching[p["a_id"]].append(k)
        touching[p["b_id"]].append(k)
    held: set[str] = set()
    covered: set[int] = set()
    for item in sorted(touching, key=lambda i: seeded(seed, "item|" + i)):
        if len(covered) >= HOLDOUT_SHARE * len(pairs):
            break
        held.add(item)
        covered.update(touching[item])
    return held


def draw(prep, library: LawLibrary, seed: int, existing: dict[str, dict]) -> tuple[list[dict], dict]:
    pop = population(prep, library)
    at = {pid: k for k, pid in enumerate(pop["pair_id"])}
    items = prep.tables.items.set_index("id")
    rule_pairs = {pair_id(*sorted(p)): sorted(p) for p in proposed(prep)}
    chosen: dict[str, dict] = {}
    for pid, (a, b) in rule_pairs.items():
        base = _row(pop, at[pid]) if pid in at else {"pair_id": pid, "a_id": a, "b_id": b, "relation": "",
                                                      "name_sim": "", "law_sim": "", "obj_match": ""}
        chosen[pid] = {**base, "stratum": "rules"}
    for pid, row in existing.items():
        if pid not in chosen:
            base = _row(pop, at[pid]) if pid in at else {"pair_id": pid, "a_id": row["a_id"], "b_id": row["b_id"], "relation": "",
                                    "name_sim": "", "law_sim": "", "obj_match": "", "stratum": "other"}
            chosen[pid] = dict(base)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for pid, h in zip(pop["pair_id"], pop["stratum"]):
        if pid not in rule_pairs:
            by_stratum[h].append(pid)
    sizes = {h: len(m) for h, m in by_stratum.items()}
    for h, members in sorted(by_stratum.items()):
        n = DRAW_CROSS if h.startswith("cross") else DRAW_WITHIN_NULL if h == "within/none/lo/e0" else DRAW_WITHIN
        # the first n in seeded order, whatever else is chosen: drawing again gives the same pairs
        for pid in sorted(members, key=lambda k: seeded(seed, "pair|" + k))[:n]:
            chosen.setdefault(pid, _row(pop, at[pid]))
    drawn = Counter(p["stratum"] for p in chosen.values())
    rows = []
    for pid, p in sorted(chosen.items(), key=lambda kv: (kv[1]["stratum"], kv[0])):
        old = existing.get(pid, {})
        a, b = (old["a_id"], old["b_id"]) if old else (p["a_id"], p["b_id"])
        prob = 1.0 if p["stratum"] in ("rules", "other") else drawn[p["stratum"]] / sizes[p["stratum"]]
        rows.append({"pair_id": pid, "a_id": a, "b_id": b, "a_source": source(items, a), "b_source": source(items, b),
                     "same_matter": old.get("same_matter", ""), "note": old.get("note", ""), "stratum": p["stratum"],
                     "inclusion_prob": f"{prob:.10g}", "weight": f"{1 / prob:.10g}",
                     "name_sim": p["name_sim"], "relation": p["relation"], "law_sim": p["law_sim"],
                     "obj_match": p["obj_match"]})
    held = holdout_items(rows, seed)
    for r in rows:
        r["holdout"] = int(r["a_id"] in held or r["b_id"] in held)
    return rows, {"population": sizes, "drawn": dict(drawn), "rules": len(rule_pairs)}


def source(items, item_id: str) -> str:
    r = items.loc[item_id]
    return f"{r['file']}|{r['sheet']}|{r['row']}"


def write(rows: list[dict], path: Path = PAIRS) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in COLUMNS})


BLIND = 220
BLIND_COLUMNS = ["government", "department", "category", "name", "basis", "responsibilities"]


def write_blind(rows: list[dict], tables, folder: Path, seed: int, n: int = BLIND) -> None:
    """For a second, independent labeller: the policy and ``n`` pairs chosen by a seeded hash, with what
    the two items say and nothing else (no label, score, stratum or signal)."""
    readme = (REPO / "tests" / "eval" / "README.md").read_text(encoding="utf-8")
    policy = readme[readme.index("## Policy"):readme.index("## Columns")].rstrip() + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.md").write_text(policy, encoding="utf-8")
    items = tables.items.set_index("id")
    picked = sorted(rows, key=lambda r: seeded(seed, "blind|" + r["pair_id"]))[:n]
    with (folder / "pairs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pair_id", *(f"{side}_{c}" for side in "ab" for c in BLIND_COLUMNS)])
        for r in sorted(picked, key=lambda r: r["pair_id"]):
            cells = [r["pair_id"]]
            for item_id in (r["a_id"], r["b_id"]):
                it = items.loc[item_id]
                cells += [f"{it['government'].split('|')[0]}（{it['admin_level']}级）", it["department"],
                          it["category"] or "", it["title"], it["basis_text"],
                          (it["responsibilities_text"] or "")[:300]]
            w.writerow(cells)


def main() -> int:
    ap = argparse.ArgumentParser()
    add_shared(ap)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--write", action="store_true", help="rewrite tests/eval/overlap_pairs.csv")
    ap.add_argument("--blind", metavar="DIR", help="write the policy and pairs for an independent labeller there")
    args = ap.parse_args()
    klmy = real_lists(args)
    if klmy is None:
        return 2
    library = LawLibrary(Path(args.shared) / "data" / "laws")
    prep = prepare([klmy], laws=library)
    rows, info = draw(prep, library, args.seed, read_existing(PAIRS))
    print(f"{len(rows)} pairs; {info['rules']} proposed by the rules; "
          f"holdout {sum(r['holdout'] for r in rows)}\n")
    print("| stratum | population | drawn |\n|---|---|---|")
    for h in sorted(set(info["population"]) | set(info["drawn"])):
        print(f"| {h} | {info['population'].get(h, '')} | {info['drawn'].get(h, 0)} |")
    if args.write:
        write(rows)
    if args.blind:
        write_blind(rows, prep.tables, Path(args.blind), args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
