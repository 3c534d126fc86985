"""Text similarity of item names, only ever inside blocks.

Names are reduced to their core (``core_text``: the violation of a penalty, the
object of a licence), cut with jieba plus a domain dictionary, and weighted with
TF-IDF.  Pairs are scored with cosine similarity inside blocks (one government,
one category …) with a per-item top-k, never over all pairs (architecture.md).
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils._sparse import _align_api_if_sparse

from quanze.loaders.text import normalise
from quanze.rules.catalogue import data_table

DICT_PATH = Path(__file__).with_name("data") / "jieba_dict.txt"
CHUNK = 512
_PUNCT = re.compile(r"[\W_]+")
# article numbers say which article, not what matter: two laws' 第六十二条 are unrelated
_ARTICLE = re.compile(r"第[零〇一二两三四五六七八九十百千0-9]+[条款项]")


@functools.cache
def _tokenizer():
    with warnings.catch_warnings():  # jieba imports pkg_resources, which warns (in English) on every run
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    tk.load_userdict(str(DICT_PATH))
    return tk


@functools.cache
def _boilerplate() -> list[re.Pattern]:
    return [re.compile(p) for p in data_table("text")["boilerplate"]]


@functools.cache
def stopwords() -> frozenset[str]:
    return frozenset(data_table("text")["stopwords"])


@functools.cache
def generic_documents() -> frozenset[str]:
    return frozenset(data_table("text")["generic_documents"])


@functools.lru_cache(maxsize=200_000)
def core_text(name: str) -> str:
    """A name without the frame around the matter (对……的处罚, ……的监督检查, ……核发)."""
    s = normalise(name)
    s = re.sub(r"\([^()]{0,40}\)", "", s)
    for pattern in _boilerplate():
        reduced = pattern.sub("", s)
        if len(reduced) >= 2:
            s = reduced
    return s


def core_column(names: pd.Series) -> pd.Series:
    """Each name's :func:`core_text`, worked out once per distinct name (a province repeats a name thousands of times)."""
    return names.map({n: core_text(n) for n in names.unique()})


@functools.lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Words (jieba search mode: 食品安全标准 also gives 食品, 安全, 标准) and the character
    bigrams inside longer words, without stopwords or punctuation."""
    stop = stopwords()
    text = _ARTICLE.sub(" ", text)
    words = [w for w in _tokenizer().lcut_for_search(text) if not _PUNCT.fullmatch(w) and w not in stop]
    bigrams = [f"_{w[i:i + 2]}" for w in words if len(w) > 2 for i in range(len(w) - 1)]
    return tuple(words + bigrams)


@functools.cache
def _provision_name() -> re.Pattern:
    return re.compile(data_table("text")["provision_name"])


def names_a_provision(name: str) -> bool:
    """The name is only a provision reference (对《……条例》第三十五条禁止行为的处罚)."""
    return bool(_provision_name().match(core_text(name)) or _provision_name().match(normalise(name)))


@functools.cache
def _sectors() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), label) for p, label in data_table("text")["sectors"].items()]


@functools.lru_cache(maxsize=200_000)
def sectors(name: str) -> frozenset[str]:
    return frozenset(label for rx, label in _sectors() if rx.search(name))


@functools.lru_cache(maxsize=200_000)
def own_procedure(name: str) -> bool:
    return bool(re.search(data_table("text")["own_procedure"], name))


def may_overlap(a: str, b: str, same_owner: bool = False) -> bool:
    """Whether two names can be one matter at all: not split by sector, and, across
    departments, not each department's own procedure (data/text.yaml): obstructing one's
    own inspection is two matters in two departments, but one matter listed twice in one."""
    sa, sb = sectors(a), sectors(b)
    if sa and sb and not sa & sb:
        return False
    return same_owner or not (own_procedure(a) or own_procedure(b))


def vectorise(texts: Sequence[str], max_df: float = 1.0):
    """L2-normalised TF-IDF rows, one per text."""
    return weigh(texts, max_df)[0]


class _Vectorizer(TfidfVectorizer):
    """TfidfVectorizer counting each distinct text once per process.

    Rules weigh the same names again and again (every government against a catalogue, each rule its
    own blocks); sklearn's counting walks every token of every text in Python each time.  Here a
    text's term ids and counts are kept (``_term_counts``) and a call only renumbers them the way
    sklearn numbers terms (by first occurrence in the call), so the matrix is sklearn's own (tests/test_text.py),
    but with each row's terms in column order (its norm summed in that order: equal to sklearn's to the last
    bits); pruning, sorting and weighting stay sklearn's.
    """

    def _count_vocab(self, raw_documents, fixed_vocab):
        if fixed_vocab:
            return super()._count_vocab(raw_documents, fixed_vocab)
        terms = _numbering()
        rows = [_term_counts(doc, terms) for doc in raw_documents]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(ids) for ids, _ in rows], out=indptr[1:])
        if not indptr[-1]:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        ids = np.concatenate([ids for ids, _ in rows])
        counts = np.concatenate([c for _, c in rows]).astype(np.float64)
        seen, first = np.unique(ids, return_index=True)
        rank = np.empty(len(seen), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(seen))  # sklearn's id: order of first occurrence
        local = rank[np.searchsorted(seen, ids)]
        dtype = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
        X = sp.csr_array((counts, local.astype(dtype), indptr.astype(dtype)), shape=(len(rows), len(seen)),
                         dtype=self.dtype)
        X.sort_indices()
        vocabulary = {terms.names[g]: int(r) for g, r in zip(seen.tolist(), rank.tolist())}
        return vocabulary, _align_api_if_sparse(X)

    def _sort_features(self, X, vocabulary):
        # each row's terms kept in column order: its norm is then summed in the order a part of the run,
        # weighed with the whole run's weights (``vectorise_with``), sums it, and the rows agree to the last bit
        X = super()._sort_features(X, vocabulary)
        X.sort_indices()
        return X


class _Terms:
    """One numbering of every term seen (shared by the threads of a service)."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self._lock = threading.Lock()

    def id(self, term: str) -> int:
        tid = self.ids.get(term)
        if tid is None:
            with self._lock:
                tid = self.ids.setdefault(term, len(self.names))
                if tid == len(self.names):
                    self.names.append(term)
        return tid


MAX_TERMS = 2_000_000  # a long-running service starts a new numbering past this (its memory stays bounded)
_terms = _Terms()


def _numbering() -> _Terms:
    if len(_terms.names) > MAX_TERMS:
        new_numbering()
    return _terms


def new_numbering() -> None:
    """Number terms afresh (calls under way keep the numbering they started with)."""
    global _terms
    _terms = _Terms()


@functools.lru_cache(maxsize=400_000)
def _term_counts(text: str, terms: _Terms) -> tuple[np.ndarray, np.ndarray]:
    """The text's term ids and counts, terms in order of first occurrence (as sklearn counts them)."""
    counter: dict[int, int] = {}
    for term in tokens(text):
        tid = terms.id(term)
        counter[tid] = counter.get(tid, 0) + 1
    return np.fromiter(counter, dtype=np.int64, count=len(counter)), \
        np.fromiter(counter.values(), dtype=np.int64, count=len(counter))


def weigh(texts: Sequence[str], max_df: float = 1.0):
    """``vectorise``, with the term of each column."""
    vec = _Vectorizer(analyzer=tokens, sublinear_tf=True, max_df=max_df, min_df=1)
    if not any(texts):
        return None, np.array([], dtype=object)
    return vec.fit_transform(list(texts)), vec.get_feature_names_out()


@dataclass
class TermCounts:
    """How many of ``n`` texts hold each term: all a TF-IDF fit reads of the texts it is not asked to weigh.

    Summed over the parts of a run (``+``), it lets one part weigh its own texts with the whole run's
    weights (``weigh_with``), so a partition need not hold every item to give the single process's rows."""

    n: int = 0
    df: Counter = field(default_factory=Counter)

    def __add__(self, other: TermCounts) -> TermCounts:
        return TermCounts(self.n + other.n, self.df + other.df)


def term_counts(texts: Sequence, analyzer: Callable[[str], Sequence[str]] = None) -> TermCounts:
    """The document frequency of each term of ``texts`` (repeated texts counted each time), by ``analyzer``
    (default: ``tokens``, as ``vectorise`` cuts them)."""
    analyzer = analyzer or tokens
    df: Counter = Counter()
    for text, repeats in Counter(texts).items():
        for term in set(analyzer(text)) if text else ():
            df[term] += repeats
    return TermCounts(len(texts), df)


def weigh_with(counts: sp.csr_matrix, terms: Sequence[str], whole: TermCounts, max_df: float = 1.0):
    """Rows of term ``counts`` (columns ``terms``, sorted as sklearn sorts its vocabulary) weighed by the
    whole run's ``TermCounts``: sklearn's smooth IDF and pruning over the whole run, value for value, since
    a part's terms keep the relative order they have among the whole run's."""
    df = np.array([whole.df.get(t, 0) for t in terms], dtype=np.int64)
    keep = np.flatnonzero(df <= max_df * whole.n)  # sklearn drops the terms in more than max_df of the texts
    weights = TfidfTransformer(sublinear_tf=True)
    weights.idf_ = np.log((1 + whole.n) / (1 + df[keep])) + 1
    return weights.transform(sp.csr_matrix(counts)[:, keep]).tocsr()


def weigh_part(texts: Sequence[str], whole: TermCounts):
    """``weigh`` of ``texts``, a part of a run, with the whole run's TF-IDF weights (``whole``): the rows and the
    term of each column (the terms these texts hold)."""
    if not any(texts):
        return None, np.array([], dtype=object)
    vec = _Vectorizer(analyzer=tokens, use_idf=False, norm=None)
    counts = vec.fit_transform(list(texts))
    terms = vec.get_feature_names_out()
    return weigh_with(counts, terms, whole), terms


def vectorise_with(texts: Sequence[str], whole: TermCounts, max_df: float = 1.0):
    """``vectorise`` of ``texts``, a part of a run, with the TF-IDF weights of the whole run (``whole``):
    the rows the whole run's fit gives them, over the columns of the terms they hold."""
    if not whole.df:
        return None
    vec = _Vectorizer(analyzer=tokens, use_idf=False, norm=None)
    try:
        counts = vec.fit_transform(list(texts))
    except ValueError:  # not one term in this part's texts
        return sp.csr_matrix((len(texts), 1))
    return weigh_with(counts, vec.get_feature_names_out(), whole, max_df)


def by_block(blocks: Sequence) -> dict:
    """Block label → the positions in it (missing labels belong to no block)."""
    out: dict = {}
    for pos, b in enumerate(blocks):
        if b is not None and b == b:
            out.setdefault(b, []).append(pos)
    return out


def pairs_in_blocks(X, blocks: Sequence, threshold: float, top_k: int,
                    keep: Callable[[int, int], bool] | None = None) -> Iterator[tuple[int, int, float]]:
    """(i, j, score) with i < j, score ≥ threshold, i and j in the same block.

    Each item keeps at most ``top_k`` partners; similarities are computed one block
    at a time in row chunks, so memory grows with the block, not with the input.
    """
    for idx in by_block(blocks).values():
        if len(idx) < 2:
            continue
        idx = np.asarray(idx)
        Xb = X[idx]
        for start in range(0, len(idx), CHUNK):
            # row r is item start + r: only partners after it, so each pair comes once
            dense = np.triu((Xb[start:start + CHUNK] @ Xb.T).toarray(), k=start + 1)
            rows, cols = np.nonzero(dense >= threshold)  # row by row, partners in column order
            bounds = np.searchsorted(rows, np.arange(dense.shape[0] + 1))
            for r in np.unique(rows):
                row, cand = dense[r], cols[bounds[r]:bounds[r + 1]]
                if len(cand) > top_k:
                    cand = cand[np.argpartition(-row[cand], top_k)[:top_k]]
                for j in cand:
                    a, b = int(idx[start + r]), int(idx[j])
                    if keep is None or keep(a, b):
                        yield a, b, float(round(row[j], 4))


def best_match(X_left, X_right, left_blocks: Sequence, right_blocks: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """For each left row: the best-scoring right row in the same block, and its score (−1, 0 when none)."""
    best = np.full(X_left.shape[0], -1)
    score = np.zeros(X_left.shape[0])
    right_by_block = by_block(right_blocks)
    for b, lidx in by_block(left_blocks).items():
        ridx = right_by_block.get(b)
        if not ridx:
            continue
        lidx, ridx = np.asarray(lidx), np.asarray(ridx)
        for start in range(0, len(lidx), CHUNK):
            rows = lidx[start:start + CHUNK]
            dense = (X_left[rows] @ X_right[ridx].T).toarray()
            arg = dense.argmax(axis=1)
            best[rows] = ridx[arg]
            score[rows] = dense[np.arange(len(rows)), arg]
    return best, score


def containment(X_part, terms: np.ndarray, wholes: Sequence[str], generic: frozenset[str] = frozenset()) -> np.ndarray:
    """How much of each ``part`` text (its squared TF-IDF weight) appears in each ``whole`` text.

    A short item name against a long duty statement: cosine punishes the length
    of the duty, containment asks only whether the item's words are in it.  A word
    counts when it appears verbatim, whatever the words around it: jieba cuts
    依法对托育机构 as 对托育|机构, and 托育 is still in it.  ``generic`` words (负责,
    工作 in every duty) count neither way.  Dense (parts × wholes).
    """
    used = np.unique(X_part.indices)
    words = [t.removeprefix("_") for t in terms[used]]
    # one character is found in any long text by chance
    keep = np.array([len(w) > 1 and w not in generic for w in words], dtype=np.float64)
    present = np.array([[w in whole for whole in wholes] for w in words], dtype=np.float64)
    part = X_part[:, used]
    weight = np.asarray(part.multiply(part).todense()) * keep
    total = weight.sum(axis=1, keepdims=True)
    return (weight @ present.reshape(len(used), len(wholes))) / np.where(total > 0, total, 1.0)


def term_users(texts: Sequence[str], groups: Sequence) -> dict[str, set[str]]:
    """Term → the ``groups`` (departments) whose texts use it, for ``group_weights``: a part of a run's share
    (the parts' sets, joined, are the whole run's)."""
    out: dict[str, set[str]] = {}
    for group, text in set(zip(np.asarray(groups, dtype=object).astype(str), texts)):
        for term in set(tokens(text)) if text else ():
            out.setdefault(term, set()).add(group)
    return out


def group_weights(terms: Sequence[str], users: dict[str, set[str]], groups: int) -> np.ndarray:
    """Per term of ``terms``, how few of the ``groups`` groups use it (``users``: ``term_users`` of the whole
    run), as a smoothed IDF over groups, 1 for a term all use.

    Over departments: a department's own matters (食品生产企业) weigh more than the wording
    every department shares (法定代表人变更); with one group every term weighs 1."""
    used_by = np.array([len(users.get(t, ())) for t in terms], dtype=np.float64)
    return np.log((1 + groups) / (1 + used_by)) + 1


def phrases(text: str, n: int) -> frozenset[str]:
    """Every run of ``n`` characters inside the text's words and punctuation-free stretches."""
    return frozenset(part[i:i + n] for part in _PUNCT.split(text) for i in range(len(part) - n + 1))


def common_phrases(texts: Sequence[str], n: int, share: float = 0.5, least: int = 3) -> frozenset[str]:
    """The ``n``-character runs in more than ``share`` of the texts and in at least ``least``
    of them (监督管理 in every duty; one or two texts have no common wording)."""
    counts = Counter(p for t in texts for p in phrases(t, n))
    return frozenset(p for p, c in counts.items() if c > share * len(texts) and c >= least)


def common_words(X, terms: np.ndarray, share: float = 0.5, least: int = 3) -> frozenset[str]:
    """The words in more than ``share`` of the rows of ``X`` and in at least ``least`` of them:
    the frame every text of a kind has."""
    if X is None or not X.shape[0]:
        return frozenset()
    df = np.bincount(X.indices, minlength=X.shape[1])
    return frozenset(t.removeprefix("_") for t in terms[(df > share * X.shape[0]) & (df >= least)])
