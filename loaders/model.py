"""Canonical records produced by the loaders.

These are plain dataclasses: the graph, the rules and the exports read them, and
``to_dict`` gives the JSON shape that other tools rely on (see README, "Outputs").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: file name, sheet, and the 1-based Excel rows."""

    file: str
    sheet: str
    rows: tuple[int, int]

    def to_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "rows": list(self.rows)}

    def __str__(self) -> str:
        first, last = self.rows
        span = f"第{first}行" if first == last else f"第{first}–{last}行"
        return f"{self.file}「{self.sheet}」{span}"


@dataclass
class Citation:
    """One cited provision (or a bare document when ``article`` is None).

    ``level`` is the legal level: from the law library when the title resolves,
    otherwise from the tag in the text (【法律】…) or the title's form.
    """

    title: str
    article: int | None = None
    paragraph: int | None = None
    item: int | None = None
    article_text: str = ""
    doc_no: str = ""
    level: str = ""
    level_tag: str = ""
    resolved: bool | None = None
    article_exists: bool | None = None
    law_id: str = ""
    expired: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def provision_key(self) -> str:
        """Identity of the provision: canonical title plus article (and 款)."""
        from quanze.loaders.citations import canonical_title

        key = canonical_title(self.title)
        if self.article is not None:
            key += f"#{self.article}"
            if self.paragraph is not None:
                key += f".{self.paragraph}"
        return key


@dataclass(frozen=True, slots=True)  # shared by every item whose cell has the same clause
class Responsibility:
    """One clause of 责任事项, tagged with its stage (受理, 审查, 事后监管 …)."""

    stage: str
    text: str
    kind: str = ""  # 直接实施责任 / 指导监督责任 when the text says so

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Department:
    """A department entity: one per (region, level, canonical short name)."""

    id: str
    name: str
    short_name: str
    region: str
    level: str
    aliases: set[str] = field(default_factory=set)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["aliases"] = sorted(self.aliases)
        return d


@dataclass
class PowerItem:
    """The unit of power: a 主项, or one of its 子项 when it has any.

    ``main_id`` groups the sub-items of one 主项 (it equals ``id`` for an item
    without sub-items); ``seq`` is the 序号 as published.
    """

    id: str
    main_id: str
    name: str
    sub_name: str
    category: str | None
    category_raw: str
    department: str
    department_id: str
    department_raw: str
    levels: list[str]
    source: Provenance
    seq: str = ""
    code: str = ""
    levels_raw: str = ""
    scope: str = ""
    unit: str = ""
    co_departments: list[str] = field(default_factory=list)
    basis_text: str = ""
    citations: list[Citation] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    responsibilities_text: str = ""
    responsibility_basis: str = ""
    accountability: str = ""
    accountability_scope: str = ""
    accountability_basis: str = ""
    duties: str = ""
    remedy: str = ""
    remarks: str = ""
    # where the category came from: column, section (a row such as 一、行政许可), sheet,
    # title, file, or model (inferred from the name); empty when nothing named one
    category_source: str = ""
    province: str = ""  # the province of the list (loaders.departments.province_of); '' when it does not say

    @property
    def title(self) -> str:
        """Name as a person reads it: 主项 / 子项."""
        return f"{self.name} / {self.sub_name}" if self.sub_name else self.name

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("source", "citations", "responsibilities")}
        d["source"] = self.source.to_dict()
        d["citations"] = [c.to_dict() for c in self.citations]
        d["responsibilities"] = [r.to_dict() for r in self.responsibilities]
        return d


@dataclass
class Rejection:
    """A row (or a whole file or sheet) that did not load, and why, in Chinese."""

    file: str
    sheet: str | None
    row: int | None
    reason: str

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f"「{self.sheet}」"
        if self.row is not None:
            where += f"第{self.row}行"
        return f"{where}：{self.reason}"


# what became of a row read that is not an item's first row, in the order the load report lists them
ROW_FATES = {
    "continuation": "续行（同一事项的后续行，已合并到上面的事项）",
    "section": "分类标题行（如“一、行政许可”）",
    "note": "说明文字行（注：……）",
    "header": "重复的表头行（分页打印时重复）",
    "rejected": "未导入的行（原因见“未导入”）",
    "duplicate": "重复事项（与已导入的事项完全相同）",
}


@dataclass
class SheetReport:
    sheet: str
    rows_read: int = 0
    items: int = 0
    main_items: int = 0
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # every mapped column: letter, header, field, evidence (header/content/header+content/override), score
    mapping: list[dict] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # columns not imported: letter and header
    tables: list[dict] = field(default_factory=list)  # when a sheet holds more than one table
    # why rows read exceed items: rows_read == items + sum(row_fates.values()) (see ROW_FATES)
    row_fates: dict[str, int] = field(default_factory=dict)

    def count(self, fate: str, n: int = 1) -> None:
        if n:
            self.row_fates[fate] = self.row_fates.get(fate, 0) + n

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FileReport:
    file: str
    path: str
    format: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    region: str = ""
    province: str = ""
    warnings: list[str] = field(default_factory=list)  # about the file as a whole
    raw_sheets: list | None = field(default=None, repr=False, compare=False)  # kept only until the region is known

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sheets)

    @property
    def main_items(self) -> int:
        return sum(s.main_items for s in self.sheets)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    def reject(self, sheet: str | None, row: int | None, reason: str) -> None:
        self.rejected.append(Rejection(self.file, sheet, row, reason))

    def warn(self, sheet: str, message: str) -> None:
        for s in self.sheets:
            if s.sheet == sheet:
                s.warnings.append(message)
                return

    def count(self, sheet: str, fate: str) -> None:
        """One more row of ``sheet`` that became no item, for the reason ``fate`` (a key of ROW_FATES)."""
        for s in self.sheets:
            if s.sheet == sheet:
                s.count(fate)
                return

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "region": self.region,
            "province": self.province,
            "items": self.items,
            "main_items": self.main_items,
            "rows_read": self.rows_read,
            "warnings": list(self.warnings),
            "sheets": [s.to_dict() for s in self.sheets],
            "rejected": [r.to_dict() for r in self.rejected],
        }
