"""Parse 实施依据 text into citations of documents and articles.

A published basis cell looks like::

    【法律】《中华人民共和国安全生产法》（2002年6月29日…通过 根据…《关于修改〈…〉的决定》第三次修正）
        第九十三条：生产经营单位的决策机构……（quoted article text）
    【规章】《危险化学品建设项目安全监督管理办法》（…）
        第三十六条第三项：……

Rules the parser keeps:

- Only the part of a line before its first top-level colon is read: after the
  colon the list quotes the article, and titles or article numbers inside the
  quote are not citations.
- Parentheses after a title are dropped whole (revision history, dates, decree
  numbers), so an article is never attached to an amending decision named in
  them; a document number such as 国发〔2016〕72号 found there is kept.
- 第X条第Y款、第Z款, 第X条至第Y条 (expanded, at most 50 articles), 第X条之一,
  Chinese or Arabic numerals.
- A document named with no article gives a citation with ``article=None``.
"""

from __future__ import annotations

import functools
import re

from quanze.loaders.model import Citation
from quanze.loaders.text import chinese_number, compact, normalise

_NUM = "零〇○一二两三四五六七八九十百千0-9"
_SPEC = re.compile(
    rf"第(?P<a>[{_NUM}]+)条(?:之(?P<sub>[一二三四五六七八九十]+))?"
    rf"(?:第(?P<k>[{_NUM}]+)款)?(?:第(?P<x>[{_NUM}]+)项)?")
_MORE = re.compile(
    rf"^\s*(?P<sep>、|,|和|及|或者|或|至|到|-|~|—)\s*第(?P<n>[{_NUM}]+)(?P<unit>条|款|项)")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,15}[〔\[(]\d{4}[〕\])]第?\d+号")
_TAG = re.compile(r"【\s*([^】]{1,12}?)\s*】")
# 《关于修改〈…〉的决定》 and the like only say how a law was amended: never a basis.
_AMENDING = re.compile(r"关于(?:废止和)?修改|修正案|关于修改和废止|关于废止和修改")
# text right after a title that belongs to its revision history
_HISTORY_AFTER = re.compile(r"^[^()《》\n]{0,80}?(?:通过|修正|修订|公布|发布|施行|令第)[^()《》\n]{0,80}?\)")
_MISSING_OPEN = re.compile(r"(^|】)\s*\(([^()《》\n]{2,40})》", re.M)
MAX_PAREN_SPAN = 400
_LINE_LEAD = re.compile(r"^(?:\d+[.、)]|[(][一二三四五六七八九十\d]+[)]|依据|根据|按照|参照)+")
MAX_RANGE = 50
_QUOTES = str.maketrans({"〈": "《", "〉": "》", "<": "《", ">": "》"})

# tag in the text → legal level before the title's own form refines it
_TAG_LEVEL = {
    "法律": "法律", "行政法规": "行政法规", "法规": "法规", "地方性法规": "地方性法规",
    "规章": "规章", "部门规章": "部门规章", "地方政府规章": "地方政府规章", "政府规章": "地方政府规章",
    "规范性文件": "规范性文件", "其他": "规范性文件", "文件": "规范性文件", "其他规范性文件": "规范性文件",
    "国务院决定": "国务院决定", "司法解释": "司法解释", "党内法规": "规范性文件",
}
_LOCAL = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|自治州|州|县|盟|地区)|新疆|西藏|内蒙古|广西|宁夏|自治区)")


@functools.lru_cache(maxsize=65536)  # a list cites a few hundred documents, each on many rows
def canonical_title(title: str) -> str:
    """Title as compared with the law library: no 中华人民共和国 prefix, one quote style."""
    t = compact(title).translate(_QUOTES).strip("《》")
    t = re.sub(r"^中华人民共和国(?!国家)", "", t)
    return t


def infer_level(title: str, tag: str = "") -> str:
    """Legal level from the tag (【法规】) refined by the title's form."""
    t = canonical_title(title)
    local = bool(_LOCAL.match(t)) and not t.startswith(("国务院", "国家"))
    level = _TAG_LEVEL.get(tag, "")
    if level == "法规":
        return "地方性法规" if local else "行政法规"
    if level == "规章":
        return "地方政府规章" if local else "部门规章"
    if level:
        return level
    if t.endswith("法") and not local:
        return "法律"
    if t.endswith("条例"):
        return "地方性法规" if local else "行政法规"
    if t.startswith("国务院") and t.endswith("决定"):
        return "国务院决定"
    if re.search(r"(办法|规定|细则|规则)$", t):
        return "地方政府规章" if local else "部门规章"
    if re.search(r"(通知|意见|目录|方案|清单|公告|批复|通告|函|纪要)$", t):
        return "规范性文件"
    return ""


def _matching(text: str, i: int, opening: str, closing: str) -> int:
    """Index of the bracket closing the one at ``i`` (nested), or -1."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == opening:
            depth += 1
        elif text[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    return -1


def _repair(text: str) -> str:
    """Mend what breaks the reading order: a parenthesis spread over lines, 《 typed as (."""
    text = _MISSING_OPEN.sub(lambda m: f"{m.group(1)}《{m.group(2)}》", text)
    out, i = [], 0
    while True:
        j = text.find("(", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        k = _matching(text[: j + MAX_PAREN_SPAN], j, "(", ")")
        if k < 0:
            out.append(text[i:j + 1])
            i = j + 1
            continue
        out.append(text[i:j])
        out.append(text[j:k + 1].replace("\n", " "))
        i = k + 1


def _header(line: str) -> str:
    """The part of a line before its first colon outside brackets."""
    depth = 0
    for i, ch in enumerate(line):
        if ch in "(《【〔[":
            depth += 1
        elif ch in ")》】〕]" and depth:
            depth -= 1
        elif ch in ":：" and depth == 0:
            return line[:i]
    return line


def _specs(header: str, start: int) -> tuple[list[tuple[int, int | None, int | None, str]], int]:
    """Article specs starting at ``start``: [(article, 款, 项, text)], end index."""
    m = _SPEC.match(header, start)
    a = chinese_number(m.group("a"))
    k = chinese_number(m.group("k")) if m.group("k") else None
    x = chinese_number(m.group("x")) if m.group("x") else None
    out = [(a, k, x, m.group(0))]
    base = f"第{m.group('a')}条" + (f"之{m.group('sub')}" if m.group("sub") else "")
    end = m.end()
    while True:
        more = _MORE.match(header[end:])
        if not more:
            break
        n = chinese_number(more.group("n"))
        unit, sep = more.group("unit"), more.group("sep")
        if n is None:
            break
        if unit == "条":
            if sep in ("至", "到", "-", "~", "—") and a is not None and a < n <= a + MAX_RANGE:
                out.extend((v, None, None, f"第{v}条") for v in range(a + 1, n + 1))
                a, base = n, f"第{more.group('n')}条"
                end += more.end()
                continue
            break  # a new article is matched by the caller's loop
        if unit == "款":
            k, x = n, None
        else:
            x = n
        out.append((a, k, x, base + more.group(0).strip("、,和及或者至到-~— ")))
        end += more.end()
        # a 款 may be followed by its own 项
        sub = re.match(rf"第([{_NUM}]+)项", header[end:])
        if unit == "款" and sub:
            out[-1] = (a, k, chinese_number(sub.group(1)), out[-1][3] + sub.group(0))
            end += sub.end()
    return out, end


def parse_basis(text: object) -> list[Citation]:
    """Citations in a 实施依据 cell, in the order they appear."""
    return [Citation(**c) for c in _parse_cached(normalise(text))]


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[dict, ...]:
    citations: list[dict] = []
    doc: dict | None = None
    doc_has_article = False
    tag = ""

    def close_doc():
        if doc is not None and not doc_has_article:
            citations.append(dict(doc))

    for raw_line in _repair(text).split("\n"):
        line = _LINE_LEAD.sub("", raw_line.strip())
        if not line:
            continue
        header = _header(line)
        is_citation_line = line.startswith(("【", "《", "第")) or "《" in header[:12]
        if not is_citation_line:
            continue  # quoted article text or prose
        i = 0
        while i < len(header):
            ch = header[i]
            if ch == "【":
                m = _TAG.match(header, i)
                if m:
                    tag = m.group(1)
                    i = m.end()
                    continue
            if ch in "《〈":
                close = "》" if ch == "《" else "〉"
                j = _matching(header, i, ch, close)
                if j < 0:
                    break
                title = header[i + 1:j].strip()
                if _AMENDING.search(title):
                    i = j + 1
                    continue
                history = _HISTORY_AFTER.match(header, j + 1)
                if title and history and "(" not in header[j + 1:history.end() - 1]:
                    close_doc()
                    doc = {"title": title, "level_tag": tag, "level": infer_level(title, tag)}
                    doc_has_article = False
                    i = history.end()
                    continue
                if title:
                    close_doc()
                    doc = {"title": title, "level_tag": tag, "level": infer_level(title, tag)}
                    doc_has_article = False
                    after = header[j + 1:j + 40]
                    m = _DOC_NO.match(after.lstrip())
                    if m:
                        doc["doc_no"] = m.group(0)
                i = j + 1
                continue
            if ch == "(":
                j = _matching(header, i, "(", ")")
                if j < 0:
                    break
                inner = header[i + 1:j]
                m = _DOC_NO.search(inner)
                if doc is not None and m and not doc.get("doc_no") and not doc_has_article:
                    doc["doc_no"] = m.group(0)
                i = j + 1
                continue
            if ch == "第" and _SPEC.match(header, i):
                specs, end = _specs(header, i)
                if doc is not None:
                    for a, k, x, t in specs:
                        if a is not None:
                            citations.append({**doc, "article": a, "paragraph": k, "item": x, "article_text": t})
                            doc_has_article = True
                i = end
                continue
            i += 1
    close_doc()
    return tuple(citations)


def cites_article(text: object) -> bool:
    """Whether the basis text names an article anywhere (第X条)."""
    return bool(re.search(rf"第[{_NUM}]+条", normalise(text)))
