"""A law library: resolve cited titles to documents and check cited articles.

The corpus layout is one Markdown file per law version, named
``<folder>/<name>(<publish date>).md``, with metadata in ``db.sqlite3`` (table
``law``: name, level, publish date, expired flag; table ``category``: folder).
Articles are the lines that start with ``第X条``.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from quanze.loaders.citations import canonical_title
from quanze.loaders.model import Citation
from quanze.loaders.text import chinese_number

_ARTICLE_LINE = re.compile(r"^\s*(?:\*\*)?\s*第([零〇一二两三四五六七八九十百千0-9]+)条(?:之([一二三四五六七八九十]+))?")
_LEVELS = {"法律": "法律", "行政法规": "行政法规", "部门规章": "部门规章", "司法解释": "司法解释",
           "宪法": "宪法", "地方性法规": "地方性法规"}


@dataclass
class LawDocument:
    """One version of a law in the corpus."""

    id: str
    name: str
    level: str
    publish: str
    expired: bool
    path: Path | None
    _articles: set[int] | None = field(default=None, repr=False)
    _texts: dict[int, str] | None = field(default=None, repr=False)

    def article(self, number: int) -> str:
        """The text of 第number条 in this version, from its line to the next article or heading ('' when no
        text is stored or the version has no such article)."""
        if self._texts is None:
            texts: dict[int, list[str]] = {}
            current: list[str] | None = None
            if self.path is not None and self.path.exists():
                for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                    m = _ARTICLE_LINE.match(line)
                    if m:
                        n = None if m.group(2) else chinese_number(m.group(1))
                        current = texts.setdefault(n, []) if n is not None and n not in texts else None
                    elif line.lstrip().startswith(("#", "<!--")):
                        current = None
                    if current is not None and line.strip():
                        current.append(line.strip())
            self._texts = {n: "\n".join(lines) for n, lines in texts.items()}
        return self._texts.get(number, "")

    def articles(self) -> set[int]:
        """Article numbers present in this version's text (empty when no text is stored)."""
        if self._articles is None:
            found: set[int] = set()
            if self.path is not None and self.path.exists():
                for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                    m = _ARTICLE_LINE.match(line)
                    if m and not m.group(2):
                        n = chinese_number(m.group(1))
                        if n is not None:
                            found.add(n)
            self._articles = found
        return self._articles


class LawLibrary:
    """Law corpus in the layout described above, indexed by canonical title."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        db = self.root / "db.sqlite3"
        if not db.exists():
            raise FileNotFoundError(f"法律库目录中没有 db.sqlite3：{self.root}")
        files = {p.stem: p for p in self.root.rglob("*.md")}
        self._by_title: dict[str, list[LawDocument]] = {}
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            rows = con.execute(
                "select l.id, l.name, l.level, coalesce(l.publish, ''), l.expired from law l").fetchall()
        for law_id, name, level, publish, expired in rows:
            path = files.get(f"{name}({publish})")
            doc = LawDocument(law_id, name, _LEVELS.get(level, level), publish, bool(expired), path)
            self._by_title.setdefault(canonical_title(name), []).append(doc)
        for versions in self._by_title.values():
            versions.sort(key=lambda d: (not d.expired, d.path is not None, d.publish))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_title.values())

    def lookup(self, title: str) -> LawDocument | None:
        """The current version of the cited document (an expired one if no other exists)."""
        for key in _title_variants(title):
            versions = self._by_title.get(key)
            if versions:
                return versions[-1]
        return None

    def resolve(self, citation: Citation) -> None:
        """Fill ``resolved``, ``law_id``, ``expired``, ``level`` and ``article_exists``."""
        doc = self.lookup(citation.title)
        citation.resolved = doc is not None
        if doc is None:
            return
        citation.law_id = doc.id
        citation.expired = doc.expired
        if doc.level:
            citation.level = doc.level
        if citation.article is not None and doc.path is not None:
            citation.article_exists = citation.article in doc.articles()


def _title_variants(title: str) -> list[str]:
    t = canonical_title(title)
    out = [t]
    bare = re.sub(r"\((?:试行|暂行|\d{4}年(?:修订|修正|本)?|修订|修正)\)$", "", t)
    if bare != t:
        out.append(bare)
    return out


@dataclass
class ResolutionSummary:
    """What share of cited documents and citations the library resolves."""

    documents: int = 0
    documents_resolved: int = 0
    citations: int = 0
    citations_resolved: int = 0
    articles_checked: int = 0
    articles_missing: list[dict] = field(default_factory=list)
    unresolved_titles: Counter = field(default_factory=Counter)
    expired_titles: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        def share(a, b):
            return round(a / b, 4) if b else None

        return {
            "documents": self.documents,
            "documents_resolved": self.documents_resolved,
            "documents_resolved_share": share(self.documents_resolved, self.documents),
            "citations": self.citations,
            "citations_resolved": self.citations_resolved,
            "citations_resolved_share": share(self.citations_resolved, self.citations),
            "articles_checked": self.articles_checked,
            "articles_missing": self.articles_missing,
            "unresolved_titles": [{"title": t, "count": n} for t, n in self.unresolved_titles.most_common()],
            "expired_titles": [{"title": t, "count": n} for t, n in self.expired_titles.most_common()],
        }


def summarise_resolution(items) -> ResolutionSummary:
    """Resolution figures over items whose citations a LawLibrary has resolved."""
    s = ResolutionSummary()
    docs: dict[str, bool] = {}
    missing: dict[tuple[str, int], dict] = {}
    for item in items:
        for c in item.citations:
            if c.resolved is None:
                continue
            s.citations += 1
            s.citations_resolved += bool(c.resolved)
            docs[canonical_title(c.title)] = bool(c.resolved)
            if not c.resolved:
                s.unresolved_titles[canonical_title(c.title)] += 1
            if c.expired:
                s.expired_titles[canonical_title(c.title)] += 1
            if c.article_exists is not None:
                s.articles_checked += 1
            if c.article_exists is False:
                entry = missing.setdefault((canonical_title(c.title), c.article), {
                    "title": canonical_title(c.title), "article": c.article, "article_text": c.article_text,
                    "items": []})
                entry["items"].append({"id": item.id, "name": item.name, "source": item.source.to_dict()})
    s.documents = len(docs)
    s.documents_resolved = sum(docs.values())
    s.articles_missing = sorted(missing.values(), key=lambda e: (e["title"], e["article"]))
    return s
