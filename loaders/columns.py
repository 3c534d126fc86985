"""What a column holds: evidence for each canonical field from its header and its cells.

Departments publish lists in hundreds of templates, so a header wording the
synonym table has never seen must still map when the column's cells say what
it is, and a known header whose cells contradict it (a 类别 column full of law
titles) must not.  Each column gets a score for every field from two kinds of
evidence — its header (exact synonym, keyword, likeness to a synonym) and its
cells (the share that is a category label, a citation, a body name, numbered
responsibility clauses …) — and :func:`assign` gives each field at most one
column and each column at most one field, the best total (Hungarian method).

Every assignment keeps its evidence (:class:`ColumnEvidence`), so the load
report can say which column became which field and why.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from quanze.loaders.categories import normalise_category
from quanze.loaders.levels import parse_levels, split_levels_cell
from quanze.loaders.reference import table
from quanze.loaders.text import compact

FIELD_LABELS = {
    "seq": "序号", "code": "事项编码", "name": "事项名称", "sub_name": "子项名称", "category": "权力类型",
    "basis": "实施依据", "department": "实施主体", "unit": "承办机构", "levels": "行使层级", "scope": "权限范围",
    "duties": "部门职责", "responsibilities": "责任事项", "responsibility_basis": "责任事项依据",
    "accountability_scope": "追责对象范围", "accountability": "追责情形", "accountability_basis": "追责依据",
    "remedy": "监督方式及救济渠道", "remarks": "备注",
}
FIELDS = tuple(FIELD_LABELS)
MIN_SCORE = 0.35  # a column whose best field scores less is not imported
SAMPLE_ROWS = 80  # cells below the header read for content evidence

# Fields whose cells have a signature of their own: for these, a header whose
# cells do not show the signature is trusted only partly.
CHECKABLE = {"seq", "code", "category", "basis", "department", "levels", "responsibilities", "accountability",
             "name", "responsibility_basis"}


@dataclass(frozen=True)
class ColumnEvidence:
    """Why a column became a field: header and content scores, and their combination."""

    field: str
    header: float
    content: float
    score: float
    how: str  # 表头（同义词）/ 表头（关键词）/ 表头（相似）/ 内容 / 指定

    @property
    def kind(self) -> str:
        if self.how == "指定":
            return "override"
        if self.header >= 0.5 and self.content >= 0.3:
            return "header+content"
        return "header" if self.header >= self.content else "content"


def header_key(text: object) -> str:
    return re.sub(r"[*＊\s]", "", compact(text))


@functools.cache
def synonyms() -> dict[str, str]:
    out = {}
    for name, synonyms in table("headers")["fields"].items():
        for s in synonyms:
            out[header_key(s)] = name
    for key, fields in table("headers")["spanning"].items():
        out.setdefault(header_key(key), fields[0])
    return out


@functools.cache
def _keywords() -> list[tuple[re.Pattern, str, float]]:
    return [(re.compile(p), f, float(w)) for f, rules in table("headers")["keywords"].items() for p, w in rules]


@functools.cache
def _bigrams() -> dict[str, list[tuple[str, frozenset]]]:
    out: dict[str, list[tuple[str, frozenset]]] = {}
    for key, f in synonyms().items():
        out.setdefault(f, []).append((key, _grams(key)))
    return out


def _grams(s: str) -> frozenset:
    return frozenset(s[i:i + 2] for i in range(len(s) - 1)) or frozenset([s])


@functools.lru_cache(maxsize=16384)
def header_scores(text: object) -> tuple[tuple[str, float, str], ...]:
    """(field, score, how) for every field a header cell may name, best first.

    An exact synonym scores 1; a header that contains a field's keyword (名称,
    依据, 主体 …, ``keywords`` in headers.yaml) scores that keyword's weight; a
    header much like a synonym (shared character pairs) scores up to 0.6.
    """
    key = header_key(text)
    if not key or len(key) > 40:
        return ()
    bare = re.sub(r"\(.*?\)", "", key)
    syn = synonyms()
    best: dict[str, tuple[float, str]] = {}

    def offer(f: str, s: float, how: str) -> None:
        if s > best.get(f, (0.0, ""))[0]:
            best[f] = (s, how)

    for k in (key, bare):
        if k in syn:
            offer(syn[k], 1.0, "表头（同义词）")
    for pattern, f, weight in _keywords():
        if pattern.search(key):
            offer(f, weight, "表头（关键词）")
    grams = _grams(bare or key)
    for f, entries in _bigrams().items():
        sim = max(len(grams & g) / len(grams | g) for _, g in entries)
        if sim >= 0.34:
            offer(f, round(0.6 * min(1.0, sim / 0.67), 3), "表头（相似）")
    return tuple(sorted(((f, s, how) for f, (s, how) in best.items()), key=lambda x: -x[1]))


# ---- content -------------------------------------------------------------------------------

_CITE = re.compile(r"《[^》]{2,}》|第[一二三四五六七八九十百零〇\d]+条|【(法律|行政法规|法规|规章|地方性法规|部门规章|国务院决定|规范性文件)】")
_BODY = re.compile(r"(人民政府|委员会|管理局|监督局|局|委|办公室|办|厅|署|部门|主管部门|机关|机构|支队|大队|总队|中心|政府|部|院|所|站|队|公司)(\)|（[^）]*）)?$")
_UNIT = re.compile(r"(科|处|室|股|组|中心|大队|中队|站|所|队|办)(\)|）)?$")
_SEQ = re.compile(r"^(\d{1,5}(\.0)?|\d{1,4}([.\-－]\d{1,4}){1,3}|[一二三四五六七八九十]{1,3}[、.]?|\(\d{1,3}\))$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{7,35}$")
_STAGE = re.compile(r"(受理|审查|审核|决定|送达|立案|调查|取证|告知|听证|执行|监管|检查|审理|公示|批准)")
_CLAUSE_NO = re.compile(r"(^|\n|[;；。])\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*[.、．)]")
_ACCOUNT = re.compile(r"(追究|追责|问责|责任追究|承担.{0,6}责任|应当承担|处分|失职|渎职|滥用职权|玩忽职守|徇私舞弊|"
                      r"不依法|未依法|不履行|不正确履行|违反规定|违规|擅自|不予受理|拖延|索取|收受)")
_CONDITIONS = re.compile(r"(有下列情形|下列情形之一|的[;；。]|的\n|的$)")
_LABELLED = re.compile(r"(责任[:：]|阶段|环节[:：])")
_PERSONS = re.compile(r"(承办人|负责人|分管领导|主要领导|工作人员|审核人|批准人|责任人)")
_ACTION = re.compile(r"(处罚|许可|检查|审批|核准|登记|备案|确认|征收|征用|奖励|表彰|裁决|强制|查封|扣押|冻结|给付|补助|补贴|"
                     r"认定|审核|批准|监督|管理|服务|发放|核发|注册|变更|注销|吊销|撤销|划拨|决定|评定|鉴定|查处|"
                     r"设立|审定|考核|颁发|资格|证明|公示|抽查|的)")
_SCOPE = re.compile(r"(负责|权限|范围|辖区|行政区域|本级|管辖|全市|全县|全区|本行政区)")
_DUTY = re.compile(r"^(\d{1,2}[.、．]\s*)?(负责|承担|拟订|拟定|组织|贯彻|指导|统筹|参与|制定|研究|会同)")
_REMEDY = re.compile(r"(复议|诉讼|申诉|救济|投诉|举报|监督电话|信访)")
_PROCEDURAL = re.compile(r"《(中华人民共和国)?(行政许可法|行政处罚法|行政强制法|公务员法|监察法|公职人员政务处分法|"
                         r"行政机关公务员处分条例|国家赔偿法|行政复议法|行政诉讼法)》")


@dataclass(frozen=True)
class CellSigns:
    """What one cell's text looks like; computed once per distinct text."""

    category: bool
    cite: bool
    procedural: bool
    body: bool
    unit: bool
    seq: bool
    code: bool
    levels: bool
    name: float
    responsibilities: bool
    accountability: bool
    persons: bool
    scope: bool
    duty: bool
    remedy: bool

    @functools.cached_property
    def flags(self) -> tuple[bool, ...]:
        """The signs a column's share is taken of (``SHARED_SIGNS``), in that order."""
        return tuple(getattr(self, a) for a in SHARED_SIGNS)


# the signs whose share over a column's cells tells which field it is
SHARED_SIGNS = ("category", "cite", "procedural", "body", "unit", "seq", "code", "levels", "responsibilities",
                "accountability", "persons", "scope", "duty", "remedy")


@functools.lru_cache(maxsize=65536)
def cell_signs(text: str) -> CellSigns:
    s = compact(text)
    n = len(s)
    category = n <= 14 and normalise_category(s) is not None
    cite = bool(_CITE.search(s))
    bodies = [b for b in re.split(r"[、,，;；]", s) if b]
    body = 2 <= n <= 60 and not cite and bool(bodies) and all(_BODY.search(b) for b in bodies[:4]) \
        and not _ACTION.search(re.sub(r"(管理局|监督管理局|管理委员会|服务中心|管理中心|管理站|管理所)", "", s))
    unit = 2 <= n <= 20 and bool(_UNIT.search(s)) and not cite
    seq = n <= 12 and bool(_SEQ.match(s))
    code = bool(_CODE.match(s)) and any(ch.isdigit() for ch in s)
    levels = n <= 60 and bool(parse_levels(split_levels_cell(s)[0]))
    stages = len(set(_STAGE.findall(s)))
    numbered = len(_CLAUSE_NO.findall(text))
    conditions = len(_CONDITIONS.findall(s)) >= 2 or "有下列情形" in s
    labelled = len(_LABELLED.findall(s)) >= 1
    responsibilities = n >= 12 and (labelled and stages >= 1 or not conditions and (
        stages >= 2 or (stages >= 1 and numbered >= 2)))
    accountability = n >= 8 and (bool(_ACCOUNT.search(s)) or conditions) and not (labelled and not conditions)
    persons = n >= 3 and len(_PERSONS.findall(s)) >= 1 and n <= 200
    name = 0.0
    if 3 <= n <= 120 and not category and not seq and not code and not body and not s.startswith(("《", "【")):
        name = 1.0 if _ACTION.search(s) else 0.55
        if n > 70 or numbered >= 2:
            name *= 0.5
        if s.startswith(("负责", "承担", "依法", "按照", "根据")):
            name *= 0.3  # how a duty or a scope is phrased, not an item
    return CellSigns(category, cite, cite and bool(_PROCEDURAL.search(s)) and not _non_procedural_cite(s), body,
                     unit, seq, code, levels, name, responsibilities, accountability, persons,
                     n >= 6 and bool(_SCOPE.search(s)), bool(_DUTY.match(s)) and n >= 8, bool(_REMEDY.search(s)))


def _non_procedural_cite(s: str) -> bool:
    """A cell that cites some law other than the procedural ones (a real 实施依据)."""
    titles = re.findall(r"《([^》]{2,})》", s)
    return any(not _PROCEDURAL.search(f"《{t}》") for t in titles)


def sub_item_share(values: list[str], names: list[str]) -> float:
    """Share of a column's values that stand in rows of a 主项 written over several rows.

    A 子项 column is filled where the item name is merged over (or repeated in)
    the rows of one 主项, each row another 子项: a row whose name cell is empty
    (the merged continuation) or equal to a neighbour's.
    """
    hits = total = 0
    for i, v in enumerate(values):
        if not v:
            continue
        total += 1
        name = names[i]
        if not name or (i and names[i - 1] == name) or (i + 1 < len(names) and names[i + 1] == name):
            hits += 1
            continue
        nxt = next((j for j in range(i + 1, len(names)) if names[j] or values[j]), None)
        if nxt is not None and not names[nxt] and values[nxt]:
            hits += 1  # the first row of a merged 主项
    return hits / total if total else 0.0


@dataclass(frozen=True)
class ColumnCells:
    """A column's cells below a candidate header: the signs' shares and how full it is."""

    filled: float  # share of data rows with a value in this column
    distinct: float  # distinct values / values
    shares: dict[str, float]


def column_cells(values: list[str], rows: int) -> ColumnCells:
    texts = [v for v in values if v]
    if not texts:
        return ColumnCells(0.0, 0.0, {})
    signs = [cell_signs(t) for t in texts]
    k = len(signs)
    counts = np.array([x.flags for x in signs], dtype=bool).sum(axis=0).tolist()  # one pass, not one per sign
    shares = {a: n / k for a, n in zip(SHARED_SIGNS, counts)}
    shares["name"] = sum(x.name for x in signs) / k
    shares["long"] = sum(len(t) > 40 for t in texts) / k
    return ColumnCells(k / max(rows, 1), len(set(texts)) / k, shares)


def content_scores(cells: ColumnCells) -> dict[str, float]:
    """How well a column's cells fit each field, 0..1."""
    if not cells.shares:
        return {}
    s = cells.shares
    fill = cells.filled
    short_text = 1.0 - s["long"]
    cite_other = max(0.0, s["cite"] - s["procedural"])
    out = {
        "seq": s["seq"] * (1.0 if cells.distinct > 0.5 or fill < 0.5 else 0.6),
        "code": s["code"],
        "category": s["category"],
        "basis": cite_other + 0.4 * s["procedural"] if s["cite"] else 0.0,
        "responsibility_basis": s["cite"] * 0.45 + s["procedural"] * 0.5,
        "accountability_basis": s["cite"] * 0.35 + s["procedural"] * 0.25,
        "department": s["body"] * (0.9 if s["unit"] > 0.6 else 1.0),
        "unit": s["unit"] * (1.0 - 0.5 * s["body"]),
        "levels": s["levels"] * (1.0 - 0.5 * s["cite"]),
        "responsibilities": s["responsibilities"] * (1.0 - 0.5 * s["persons"]) * (1.0 - 0.5 * s["cite"]),
        "accountability": s["accountability"] * (1.0 - 0.6 * s["persons"] * short_text) * (1.0 - 0.5 * s["cite"]),
        "accountability_scope": s["persons"] * short_text,
        "scope": s["scope"] * 0.6 * (1.0 - s["levels"] * 0.5) * (1.0 - s["cite"]),
        "duties": s["duty"] * 0.6 * (1.0 - s["cite"]),
        "remedy": s["remedy"] * 0.6,
        "name": s["name"] * (0.6 + 0.4 * fill) * (0.6 + 0.4 * min(1.0, cells.distinct * 1.5)),
    }
    return {f: round(v, 3) for f, v in out.items() if v > 0}


# Fields whose cell signature is strong enough to contradict a header, and the
# fields that share a signature (a 责任事项依据 column cites laws as 实施依据 does).
STRONG = ("seq", "code", "category", "basis", "department", "levels", "responsibilities", "accountability")
FAMILY = {f: fam for fam in (("basis", "responsibility_basis", "accountability_basis"), ("name", "sub_name"),
                             ("accountability", "accountability_scope"), ("levels", "scope"),
                             ("department", "unit")) for f in fam}


def contradiction(field: str, content: dict[str, float]) -> float:
    """How strongly the cells say the column is some other field than ``field``."""
    own = FAMILY.get(field, (field,))
    return max((content.get(g, 0.0) for g in STRONG if g not in own), default=0.0)


def combine(field: str, header: float, content: float, against: float) -> float:
    """One score from both kinds of evidence.

    Content that shows a field's signature counts as much as a header; a header
    counts fully unless the cells say plainly that the column is another field
    (``against``), and then for little.
    """
    if field in CHECKABLE:
        trust = 0.3 if against >= 0.7 and content < 0.1 else 1.0
        bonus = 0.05 if header and content >= 0.3 else 0.0
        return header * trust * 0.92 + content * (1.0 - header) * 0.9 + bonus
    return header * 0.9 + content * (1.0 - header) * 0.7


def assign(headers: list[dict[str, tuple[float, str]]], cells: list[ColumnCells],
           fixed: dict[int, str] | None = None) -> dict[int, ColumnEvidence]:
    """The best one-to-one assignment of columns to fields.

    ``headers`` gives each column's header evidence (field → score, how);
    ``fixed`` maps columns to fields (or ``ignore``) from an analyst's mapping
    file: those are taken as they are and left out of the assignment.
    """
    fixed = fixed or {}
    out = {c: ColumnEvidence(f, 1.0, 1.0, 1.0, "指定") for c, f in fixed.items()}
    taken = {e.field for e in out.values()}
    cols = [c for c in range(len(headers)) if c not in fixed]
    fields = [f for f in FIELDS if f not in taken]
    if not cols or not fields:
        return out
    score = np.zeros((len(cols), len(fields)))
    parts: dict[tuple[int, int], tuple[float, float, str]] = {}
    for i, c in enumerate(cols):
        hs = headers[c]
        cs = content_scores(cells[c])
        for j, f in enumerate(fields):
            h, how = hs.get(f, (0.0, ""))
            ct = cs.get(f, 0.0)
            if not h and not ct:
                continue
            score[i, j] = combine(f, h, ct, contradiction(f, cs)) - 0.0005 * c  # equal evidence: the leftmost column wins
            parts[(i, j)] = (h, ct, how if h >= ct or h >= 0.5 else "内容")
    for i, j in zip(*linear_sum_assignment(-score)):
        if score[i, j] >= MIN_SCORE:
            h, ct, how = parts[(i, j)]
            out[cols[i]] = ColumnEvidence(fields[j], round(h, 3), round(ct, 3), round(float(score[i, j]), 3), how)
    return out
