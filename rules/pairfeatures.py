"""Features of a pair of power items: what says that two items of two departments are one matter.

The pair scorer (``rules/pairscore.py``, trained by ``benchmarks/train_pair_model.py``) reads these
numbers; each has a Chinese label (``LABELS``) so that the evidence of a score can name what carried it.

Everything an item contributes is computed once per item (``item_signals``: name vectors, the
provisions it cites, the texts of those articles from the law library, the text its 实施依据 quotes,
the object of its name, its power type and sector), and a batch of pairs is then scored with sparse
row products (``pair_features``), so that candidate pairs of a whole province cost a few matrix
products, not a loop over pairs of texts.

The features:

- ``name_sim``: cosine of the names' cores (the rules' TF-IDF, ``RunContext.vectors("core")``); 0 when
  either name is only an article reference, whose words say nothing (``ref_name``);
- ``name_char_sim``: the same over character bigrams of the cores (robust to jieba's cuts and word order);
- ``name_contained``: the share of the shorter core's character bigrams found in the longer one (a
  general name inside a specific one: 安全生产许可证 / 建筑施工企业安全生产许可证);
- ``shared_article``: the two cite one article of one (non-generic) document;
- ``same_law``: they cite one document but no common article;
- ``adjacent_article``: one document, articles at most two apart (but not the same);
- ``law_text_sim``: cosine (character bigrams) of the texts of the cited articles, read from the law
  library (two items citing different articles whose texts describe one conduct);
- ``law_text_other_article``: ``law_text_sim`` when the two share no article (different articles, one
  conduct: the obligation and its penalty, a national law and a regional regulation);
- ``quote_sim``: the same over the article text quoted inside each item's 实施依据;
- ``object_equal`` / ``object_contains``: the object of the power (the phrase between 对 and the verb
  or 的) is the same, or one contains the other (种子 / 农作物种子);
- ``lists_cases``: a name lists several cases (……等行为, ……、……或者……); ``shared_article_lists_cases``:
  so, and the two share an article (an item listing an article's cases covers each of them);
- ``pt_处罚_处罚`` … ``pt_其他``: the unordered pair of power types (处罚, 强制, 检查), one-hot;
- ``sector_conflict``: the two are restricted to different sectors (煤矿 / 交通运输 …);
  ``sector_one_side``: one is restricted to a sector, the other is not (a generic item covers it);
- ``own_procedure``: one of them is a department's own procedure (obstructing its own inspection);
- ``ref_name``: at least one name is only an article reference (对《……办法》第十四条禁止行为的处罚);
- ``ref_match``: such a name's document and article is one the other item names or cites — compared by
  document and article, never by the words 第十四条.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from quanze.loaders.citations import canonical_title
from quanze.loaders.text import chinese_number, normalise
from quanze.rules import textsim
from quanze.rules.context import RunContext
from quanze.tables import Tables

POWER_TYPES = {"行政处罚": "处罚", "行政强制": "强制", "行政检查": "检查"}
_TYPE_PAIRS = ["处罚_处罚", "强制_强制", "检查_检查", "处罚_强制", "处罚_检查", "强制_检查"]
FEATURES = ["name_sim", "name_char_sim", "name_contained", "shared_article", "same_law", "adjacent_article",
            "law_text_sim", "law_text_other_article", "quote_sim", "object_equal", "object_contains",
            "lists_cases", "shared_article_lists_cases", *(f"pt_{p}" for p in _TYPE_PAIRS), "pt_其他",
            "sector_conflict", "sector_one_side", "own_procedure", "ref_name", "ref_match"]
LABELS = {
    "name_sim": "名称相近", "name_char_sim": "名称字面相近", "name_contained": "一方名称包含于另一方",
    "shared_article": "共用条款", "same_law": "同一法规的其他条款",
    "adjacent_article": "相邻条款", "law_text_sim": "条文内容相近", "law_text_other_article": "不同条款的条文内容相近",
    "quote_sim": "依据引文相近", "object_equal": "对象相同", "object_contains": "对象相互包含",
    "lists_cases": "事项列举多种情形", "shared_article_lists_cases": "共用条款且列举多种情形",
    **{f"pt_{p}": "权力类型：" + "与".join(p.split("_")) for p in _TYPE_PAIRS}, "pt_其他": "权力类型：其他",
    "sector_conflict": "行业限定不同", "sector_one_side": "一方限定行业、一方通用", "own_procedure": "本部门程序事项", "ref_name": "名称仅为条款引用",
    "ref_match": "引用条款一致",
}
ADJACENT = 2  # articles at most this far apart are neighbours
_NUMBER = "零〇一二两三四五六七八九十百千0-9"
_ARTICLE_LINE = re.compile(rf"^\s*(?:\*\*)?\s*第([{_NUMBER}]+)条(?:之[一二三四五六七八九十]+)?")
# a name that is only an article reference: its document and article
_REFERENCE = re.compile(rf"《([^》]{{2,40}})》第([{_NUMBER}]+)条")
# the quoted article text inside 实施依据: what follows 第X条 up to the next article, document or tag
_QUOTE = re.compile(rf"第[{_NUMBER}]+条(?:之[一二三四五六七八九十]+)?[:：]?\s*(.+?)(?=第[{_NUMBER}]+条[:：]|【|《|\n|$)", re.S)
# the object of a power: 对 …… up to the verb or 的 (对未取得许可证生产种子的处罚 → 未取得许可证生产种子)
_OBJECT = re.compile(r"^(?:关于)?对(?:于)?(.{2,40}?)(?:的|进行|实施|予以|处以|采取|依法)")
_OBJECT_FRAME = re.compile(r"^(?:违反|未按|未经|未|擅自|不按|拒不|不)")
# a name listing several cases: ……等行为, ……等违法行为, or three or more parts (、 或者 ，)
_LISTS = re.compile(r"等(?:违法|违规)?(?:行为|情形|活动)")
_PARTS = re.compile(r"[、，,；;]|或者")


def name_object(name: str) -> str:
    """The phrase between 对 and the verb or 的 of an item's name ('' when the name has no such frame)."""
    m = _OBJECT.match(normalise(name))
    return _OBJECT_FRAME.sub("", m.group(1)) if m else ""


def lists_cases(name: str) -> bool:
    """The name lists several cases (an item covering each of them, policy convention 4)."""
    n = normalise(name)
    return bool(_LISTS.search(n)) or len(_PARTS.findall(textsim.core_text(n))) >= 2


def reference_of(name: str) -> str:
    """``document#article`` of a name that is only an article reference ('' for any other name)."""
    if not textsim.names_a_provision(name):
        return ""
    m = _REFERENCE.search(normalise(name))
    if not m:
        return ""
    article = chinese_number(m.group(2))
    return f"{canonical_title(m.group(1))}#{article}" if article is not None else ""


def quoted_text(basis: str | None) -> str:
    """The article texts an item's 实施依据 quotes (what follows each 第X条), joined."""
    return "".join(m.group(1).strip() for m in _QUOTE.finditer(basis or "") if len(m.group(1).strip()) > 4)


@functools.cache
def article_texts(path: Path) -> dict[int, str]:
    """Article number → its text, from one Markdown version in the law library."""
    out: dict[int, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _ARTICLE_LINE.match(line)
        if m:
            current = chinese_number(m.group(1))
            if current is not None and current not in out:
                out[current] = [line.strip()]
            else:
                current = None
        elif line.startswith("#"):
            current = None
        elif current is not None and line.strip():
            out[current].append(line.strip())
    return {k: "".join(v) for k, v in out.items()}


def library_texts(citations: pd.DataFrame, ids, library) -> list[tuple[str, ...]]:
    """Per item (in ``ids`` order): the law library's texts of the non-generic articles it cites, each once,
    in citation order (empty when none). Kept as parts: most items cite articles other items cite too, and
    joining them for each of a province's items made a string of a few KB per item."""
    if library is None:
        return [()] * len(ids)
    articles_of: dict[str, dict[int, str]] = {}  # document → its articles, looked up once per document

    def articles(doc: str) -> dict[int, str]:
        if doc not in articles_of:
            found = library.lookup(doc)
            has = found is not None and found.path is not None and found.path.exists()
            articles_of[doc] = article_texts(found.path) if has else {}
        return articles_of[doc]

    texts: dict[str, list[str]] = {}
    for item_id, doc, art in zip(citations["item_id"], citations["document"], citations["article"]):
        t = articles(doc).get(int(art), "")
        if t and t not in texts.setdefault(item_id, []):
            texts[item_id].append(t)
    return [tuple(texts.get(i, ())) for i in ids]


@dataclass
class DistinctRows:
    """A matrix with one row per distinct text, read by item: ``rows[i]`` is the rows of items ``i``.

    Names and cited articles repeat from one government's list to the next; a province's 641 k items
    have far fewer distinct texts, so their bigram rows are kept once each."""

    matrix: sp.csr_matrix
    codes: np.ndarray  # item position → its text's row

    def __getitem__(self, items) -> sp.csr_matrix:
        return self.matrix[self.codes[items]]


_CHAR_BIGRAMS = CountVectorizer(analyzer="char", ngram_range=(2, 2)).build_analyzer()


def _joined(texts) -> list[str]:
    return ["".join(t) if isinstance(t, tuple) else (t if isinstance(t, str) else "") for t in texts]


def bigram_counts(texts: list[str] | list[tuple[str, ...]]) -> textsim.TermCounts:
    """The document frequency of each character bigram of ``texts``, as ``_bigrams`` counts them: summed over
    the parts of a run, the weights a part's ``_bigrams`` needs to give the whole run's rows."""
    return textsim.term_counts(_joined(texts), _CHAR_BIGRAMS)


def _bigrams(texts: list[str] | list[tuple[str, ...]], whole: textsim.TermCounts | None = None) -> DistinctRows:
    """L2-normalised character-bigram TF-IDF rows (zero rows for empty texts); a text given as a tuple of
    parts is the parts joined; weighed over ``texts``, or over the whole run's ``whole`` when ``texts`` are
    a part of it.

    sklearn's ``TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)`` over
    ``texts``, value for value, but each distinct text is counted and kept once; a term's document
    frequency counts every text that has it, repeats included."""
    codes, distinct = pd.factorize(pd.Series(texts, dtype=object).fillna(""))
    distinct = _joined(distinct)
    empty = DistinctRows(sp.csr_matrix((max(len(distinct), 1), 1)), np.zeros(len(texts), dtype=np.int64))
    if not any(texts):
        return empty
    vec = CountVectorizer(analyzer="char", ngram_range=(2, 2))
    try:
        counts = vec.fit_transform(distinct).tocsr()
    except ValueError:  # not one bigram in this part of a run
        return empty
    counts.sort_indices()  # rows summed in column order, in a part of a run as in the whole (textsim.weigh_with)
    terms = vec.get_feature_names_out()
    if whole is None:
        present = counts.copy()
        present.data[:] = 1
        df = np.asarray(present.T @ np.bincount(codes, minlength=len(distinct))).ravel()
        whole = textsim.TermCounts(len(texts), Counter(dict(zip(terms.tolist(), df.tolist()))))
    return DistinctRows(textsim.weigh_with(counts, terms, whole), codes)


def _per_text(values, compute) -> list:
    """``compute`` of each value, evaluated once per distinct value."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    done = [compute(v) for v in distinct]
    return [done[c] for c in codes]


def _binary(rows: np.ndarray, cols: np.ndarray, height: int, width: int) -> sp.csr_matrix:
    """The 0/1 incidence matrix with a 1 at each (row, col) given (repeats count once)."""
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(height, width))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


@dataclass
class ItemSignals:
    """What each item (by position in ``tables.items``) brings to its pairs."""

    position: dict[str, int]
    names: sp.csr_matrix  # TF-IDF of the cores
    chars: DistinctRows  # character bigrams of the cores (cosine)
    grams: list[frozenset]  # the cores' character bigrams (containment)
    lists: np.ndarray  # the name lists several cases
    laws: DistinctRows  # character bigrams of the cited articles' library texts
    quotes: DistinctRows  # character bigrams of the article text quoted in 实施依据
    articles: sp.csr_matrix  # item × document#article it cites
    neighbours: sp.csr_matrix  # item × document#article within ADJACENT of one it cites (not itself)
    documents: sp.csr_matrix  # item × document it cites
    references: sp.csr_matrix  # item × document#article its name only refers to (same columns as articles)
    objects: np.ndarray  # object of the name
    types: np.ndarray  # 处罚 / 强制 / 检查 / 其他
    sectors: list[frozenset]
    own: np.ndarray  # own procedure
    ref: np.ndarray  # the name is only an article reference


def _cited(tables: Tables) -> tuple[pd.DataFrame, np.ndarray]:
    """The citations of loaded items to documents that say something of the matter, and their items' positions."""
    cited = tables.citations[~tables.citations["document"].isin(textsim.generic_documents())]
    rows = cited["item_id"].map(tables.position)
    return cited[rows.notna()], rows[rows.notna()].astype(np.int64).to_numpy()


def _bigram_texts(ctx: RunContext, library, cited: pd.DataFrame, at: np.ndarray | None = None) -> dict[str, list]:
    """Per item (of the positions ``at``, or every item), the texts whose character bigrams it is compared by:
    its core, its cited articles, its quotes."""
    items, cores = ctx.items, ctx.texts("core")
    if at is not None:
        items, cores = items.iloc[at], [cores[k] for k in at]
    return {"chars": cores,
            "laws": library_texts(cited[cited["article"].notna()], items["id"].tolist(), library),
            "quotes": _per_text(items["basis_text"], quoted_text)}


def signal_counts(tables: Tables, library=None, context: RunContext | None = None) -> dict[str, textsim.TermCounts]:
    """The bigram counts the pair signals weigh by (``bigram_counts`` of each kind of text): summed over the
    parts of a run and given to ``item_signals`` of each part, its signals are the whole run's."""
    ctx = context or RunContext(tables, {})
    return {kind: bigram_counts(texts) for kind, texts in _bigram_texts(ctx, library, _cited(tables)[0]).items()}


def item_signals(tables: Tables, library=None, context: RunContext | None = None,
                 whole: dict[str, textsim.TermCounts] | None = None,
                 positions: np.ndarray | None = None) -> ItemSignals:
    """Per-item signals of ``tables`` (the law library's texts only when ``library`` is given); ``whole``: the
    whole run's ``signal_counts`` when ``tables`` are a part of it, or when only the items at ``positions``
    are wanted (a rule's candidate pairs: a few hundred of a task's 100,000 items); the signals' rows are
    then those items, in that order."""
    ctx = context or RunContext(tables, {})
    cited, rows = _cited(tables)
    items, at = tables.items, None
    if positions is not None:
        at = np.asarray(positions, dtype=np.int64)
        items = items.iloc[at]
        local = np.full(len(tables.items), -1, dtype=np.int64)
        local[at] = np.arange(len(at))
        kept = local[rows] >= 0
        cited, rows = cited[kept], local[rows[kept]]
    ids = items["id"].tolist()
    c = cited[cited["article"].notna()]
    art_rows = rows[cited["article"].notna().to_numpy()]
    article = c["article"].astype(np.int64)
    refs = _per_text(items["name"], reference_of)
    ref_rows = np.flatnonzero([bool(r) for r in refs])
    # one column numbering for articles, the articles a name refers to, and neighbouring articles
    near = [(c["document"] + "#" + (article + d).astype(str)).to_numpy(dtype=object)
            for d in range(-ADJACENT, ADJACENT + 1) if d]
    keys = np.concatenate([(c["document"] + "#" + article.astype(str)).to_numpy(dtype=object),
                           np.array([refs[k] for k in ref_rows], dtype=object), *near])
    codes, vocab = pd.factorize(keys)
    split = np.cumsum([len(c), len(ref_rows)])
    width = max(len(vocab), 1)
    articles = _binary(art_rows, codes[:split[0]], len(ids), width)
    references = _binary(ref_rows, codes[split[0]:split[1]], len(ids), width)
    neighbours = _binary(np.tile(art_rows, len(near)), codes[split[1]:], len(ids), width)
    doc_codes, documents = pd.factorize(cited["document"])
    documents = _binary(rows, doc_codes, len(ids), max(len(documents), 1))
    names = ctx.vectors("core")
    names = sp.csr_matrix((len(ids), 1)) if names is None else sp.csr_matrix(names if at is None else names[at])
    full = [f"{n}{s or ''}" for n, s in zip(items["name"], items["sub_name"])]
    texts, whole = _bigram_texts(ctx, library, cited, at), whole or {}
    cores = texts["chars"]
    bigrams = {kind: _bigrams(t, whole.get(kind)) for kind, t in texts.items()}
    position = tables.position if at is None else {item_id: k for k, item_id in enumerate(ids)}
    return ItemSignals(
        position=position, names=names, chars=bigrams["chars"],
        grams=_per_text(cores, lambda t: textsim.phrases(t, 2)), lists=np.array(_per_text(items["name"], lists_cases)),
        laws=bigrams["laws"], quotes=bigrams["quotes"],
        articles=articles, neighbours=neighbours, documents=documents, references=references,
        objects=np.array(_per_text(items["name"], name_object), dtype=object),
        types=np.array([POWER_TYPES.get(x, "其他") for x in items["category"].fillna("")], dtype=object),
        sectors=_per_text(full, textsim.sectors),
        own=np.array(_per_text(full, textsim.own_procedure)),
        ref=np.array([bool(r) for r in refs]),
    )


def _rowdot(M: sp.csr_matrix, i: np.ndarray, j: np.ndarray, N: sp.csr_matrix | None = None) -> np.ndarray:
    """Row-wise products ⟨M[i_k], N[j_k]⟩ for every pair k."""
    N = M if N is None else N
    return np.asarray(M[i].multiply(N[j]).sum(axis=1)).ravel()


def _contained(a: frozenset, b: frozenset) -> float:
    """The share of the smaller bigram set found in the other."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small) if small else 0.0


def pair_features(signals: ItemSignals, i, j) -> np.ndarray:
    """The feature matrix (pairs × ``FEATURES``) of the pairs of item positions ``i[k]``, ``j[k]``."""
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    s = signals
    ref = s.ref[i] | s.ref[j]
    shared = _rowdot(s.articles, i, j) > 0
    same_doc = _rowdot(s.documents, i, j) > 0
    adjacent = (_rowdot(s.articles, i, j, s.neighbours) > 0) & ~shared
    ref_match = (_rowdot(s.references, i, j, s.articles + s.references) > 0) | \
                (_rowdot(s.articles, i, j, s.references) > 0)
    oi, oj = s.objects[i], s.objects[j]
    equal = np.array([bool(a) and a == b for a, b in zip(oi, oj)])
    contains = np.array([bool(a and b and len(min(a, b, key=len)) >= 2 and (a in b or b in a)) and a != b
                         for a, b in zip(oi, oj)])
    kinds = ["_".join(sorted((a, b), key=["处罚", "强制", "检查", "其他"].index)) for a, b in zip(s.types[i], s.types[j])]
    conflict = np.array([bool(s.sectors[a] and s.sectors[b] and not s.sectors[a] & s.sectors[b]) for a, b in zip(i, j)])
    one_side = np.array([bool(s.sectors[a]) != bool(s.sectors[b]) for a, b in zip(i, j)])
    contained = np.array([_contained(s.grams[a], s.grams[b]) for a, b in zip(i, j)])
    law_text = _rowdot(s.laws, i, j)
    lists = s.lists[i] | s.lists[j]
    cols = {
        "name_sim": np.where(ref, 0.0, _rowdot(s.names, i, j)),
        "name_char_sim": np.where(ref, 0.0, _rowdot(s.chars, i, j)), "name_contained": np.where(ref, 0.0, contained),
        "shared_article": shared, "same_law": same_doc & ~shared, "adjacent_article": adjacent,
        "law_text_sim": law_text, "law_text_other_article": np.where(shared, 0.0, law_text),
        "quote_sim": _rowdot(s.quotes, i, j), "object_equal": equal, "object_contains": contains,
        "lists_cases": lists, "shared_article_lists_cases": lists & shared,
        **{f"pt_{p}": np.array([k == p for k in kinds]) for p in _TYPE_PAIRS},
        "pt_其他": np.array([k not in _TYPE_PAIRS for k in kinds]),
        "sector_conflict": conflict, "sector_one_side": one_side, "own_procedure": s.own[i] | s.own[j], "ref_name": ref, "ref_match": ref_match,
    }
    return np.column_stack([np.asarray(cols[f], dtype=np.float64) for f in FEATURES]).round(6)


def features_of(tables: Tables, pairs, library=None) -> np.ndarray:
    """``pair_features`` for pairs given by item ids ``(a_id, b_id)``."""
    signals = item_signals(tables, library)
    i = [signals.position[a] for a, _ in pairs]
    j = [signals.position[b] for _, b in pairs]
    return pair_features(signals, i, j)
