"""Turn one raw sheet into power items, reporting every row that cannot load.

Merged cells are filled down first, so an item whose 序号 and 事项名称 span
several rows becomes one group of rows.  A group is one 主项; inside it each
distinct 子项 (or each distinct 实施主体, when a directory lists one item at
several levels) becomes one :class:`PowerItem`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from quanze.loaders.categories import normalise_category
from quanze.loaders.citations import parse_basis
from quanze.loaders.departments import DepartmentName, resolve_department
from quanze.loaders.formats import RawSheet
from quanze.loaders.header import HeaderMap, field_of, find_header
from quanze.loaders.levels import parse_levels
from quanze.loaders.model import FileReport, PowerItem, Provenance, SheetReport
from quanze.loaders.responsibilities import split_responsibilities
from quanze.loaders.text import compact, normalise

_NOTE = re.compile(r"^(注|说明|备注|填表说明|附注)[:：0-9一]")
TEXT_FIELDS = ("code", "scope", "unit", "basis", "responsibilities", "responsibility_basis", "accountability",
               "accountability_scope", "accountability_basis", "duties", "remedy", "remarks", "levels")


@dataclass
class FileContext:
    """What the file as a whole says: its name, its government, the list's owner."""

    file: str
    region: str = ""
    owner: DepartmentName | None = None


@dataclass
class _Leaf:
    """Rows that make one PowerItem, with each field's distinct values in order."""

    seq: str
    name: str
    sub_name: str
    department_raw: str
    first_row: int
    last_row: int
    values: dict[str, list[str]] = field(default_factory=dict)
    category_raw: list[str] = field(default_factory=list)

    def add(self, row_no: int, cells: dict[str, str]) -> None:
        self.last_row = row_no
        for k, v in cells.items():
            if v and k in TEXT_FIELDS and v not in self.values.setdefault(k, []):
                self.values[k].append(v)
        if cells.get("category") and cells["category"] not in self.category_raw:
            self.category_raw.append(cells["category"])

    def text(self, key: str) -> str:
        return "\n".join(self.values.get(key, []))


def fill_merged_down(rows: list[list[object]], merged, start: int) -> list[list[object]]:
    """Copy each vertically merged range's value into the rows below it."""
    width = max((len(r) for r in rows), default=0)
    out = [list(r) + [None] * (width - len(r)) for r in rows]
    for r0, r1, c0, _c1 in merged:
        if r1 - r0 < 2 or r0 < start or c0 >= width:
            continue
        for r in range(r0 + 1, min(r1, len(out))):
            if out[r][c0] in (None, ""):
                out[r][c0] = out[r0][c0]
    return out


def stable_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def item_id(department_id: str, category: str, name: str, sub_name: str, levels: list[str]) -> str:
    """The content-derived id of an item: the same row loads with the same id every time."""
    return stable_id(department_id, category, compact(name), compact(sub_name), ",".join(levels))


def parse_sheet(raw: RawSheet, ctx: FileContext, report: FileReport) -> list[PowerItem]:
    sheet = SheetReport(sheet=raw.name)
    report.sheets.append(sheet)
    if not any(compact(c) for row in raw.rows for c in row):
        sheet.warnings.append("空工作表，已跳过")
        return []
    header = find_header(raw.rows, raw.merged)
    if header is None:
        report.reject(raw.name, None, "找不到可识别的表头（需要「事项名称」及至少两个其他字段，如「权力类型」「实施依据」），整张表未导入")
        return []
    sheet.header_row = header.row + 1
    sheet.columns = {header.labels[c]: f for c, f in sorted(header.columns.items())}
    sheet.warnings.extend(header.warnings)
    if header.column_of("category") is None and normalise_category(raw.name) is None:
        sheet.warnings.append("没有「权力类型」列，工作表名也不是权力类别")
    rows = fill_merged_down(raw.rows, raw.merged, header.row + 1)
    leaves = _group_rows(rows, header, raw.name, sheet, report)
    return [it for group in leaves for it in _build_items(group, raw.name, ctx, report)]


def _group_rows(rows, header: HeaderMap, sheet_name: str, sheet: SheetReport, report: FileReport) -> list[list[_Leaf]]:
    groups: list[list[_Leaf]] = []
    section_category = ""
    for r in range(header.row + 1, len(rows)):
        row_no = r + 1
        cells = {f: normalise(rows[r][c]) if c < len(rows[r]) else "" for c, f in header.columns.items()}
        values = [v for v in map(compact, rows[r]) if v]
        if not values:
            continue
        sheet.rows_read += 1
        if len(set(values)) == 1 and values[0] != cells.get("name"):
            text = values[0]
            if normalise_category(text):
                section_category = text  # a section row such as 一、行政许可（11项）
            elif _NOTE.match(text):
                sheet.warnings.append(f"第{row_no}行为说明文字，未作为事项导入")
            else:
                report.reject(sheet_name, row_no, f"只有一格有内容（「{text[:30]}」），不是完整的事项行")
            continue
        if field_of(cells.get("name")) == "name":
            continue  # header repeated on a printed page
        if section_category and not cells.get("category"):
            cells["category"] = section_category
        name, seq = compact(cells.get("name")), compact(cells.get("seq"))
        current = groups[-1] if groups else None
        if name:
            if current is None or name != compact(current[0].name) or seq != current[0].seq:
                leaf = _Leaf(seq, name, compact(cells.get("sub_name")), cells.get("department", ""), row_no, row_no)
                leaf.add(row_no, cells)
                groups.append([leaf])
                continue
        elif current is None or (seq and seq != current[0].seq):
            report.reject(sheet_name, row_no, "事项名称为空" + (f"（序号 {seq}）" if seq else "") + "，该行未导入")
            continue
        _continue_group(current, row_no, cells)
    return groups


def _continue_group(group: list[_Leaf], row_no: int, cells: dict[str, str]) -> None:
    """Add a row to its 主项: a new 子项 or 实施主体 starts a new leaf."""
    leaf = group[-1]
    sub, dept = cells.get("sub_name", ""), cells.get("department", "")
    if (sub and compact(sub) != compact(leaf.sub_name)) or (
            dept and leaf.department_raw and compact(dept) != compact(leaf.department_raw)):
        new = _Leaf(leaf.seq, leaf.name, compact(sub) or leaf.sub_name, dept or leaf.department_raw, row_no, row_no)
        new.add(row_no, cells)
        group.append(new)
    else:
        if dept and not leaf.department_raw:
            leaf.department_raw = dept
        leaf.add(row_no, cells)


def _build_items(group: list[_Leaf], sheet_name: str, ctx: FileContext, report: FileReport) -> list[PowerItem]:
    items = []
    for leaf in group:
        item = _leaf_to_item(leaf, sheet_name, ctx, report)
        if item is not None:
            items.append(item)
    if len(items) > 1 or (items and items[0].sub_name):
        main = stable_id(items[0].department_id, items[0].category or "", compact(items[0].name))
        for it in items:
            it.main_id = main
    return items


def _leaf_to_item(leaf: _Leaf, sheet_name: str, ctx: FileContext, report: FileReport) -> PowerItem | None:
    where = leaf.first_row
    category_raw = leaf.category_raw[0] if leaf.category_raw else ""
    category = normalise_category(category_raw) if category_raw else normalise_category(sheet_name)
    if category_raw and category is None:
        report.reject(sheet_name, where, f"未知的权力类别「{category_raw}」（事项「{leaf.name[:40]}」），该事项未导入；"
                                         "如为本地叫法，请在 categories.yaml 中加入别名")
        return None
    if len(leaf.category_raw) > 1:
        report.sheets[-1].warnings.append(f"第{where}行起的事项有多个权力类别 {leaf.category_raw}，取第一个")
    levels_raw = leaf.text("levels")
    level_part, scope_part = split_levels_cell(levels_raw)
    levels = parse_levels(level_part)
    dept = resolve_department(leaf.department_raw, ctx.region, levels[0] if len(levels) == 1 else "") or ctx.owner
    if dept is None:
        report.reject(sheet_name, where, f"实施主体为空且无法从文件名或标题判断所属部门（事项「{leaf.name[:40]}」）")
        return None
    if not levels and dept.level:
        levels = [dept.level]
    scope = "\n".join(filter(None, [scope_part, leaf.text("scope")]))
    basis = leaf.text("basis")
    new_id = item_id(dept.id, category or "", leaf.name, leaf.sub_name, levels)
    return PowerItem(
        id=new_id, main_id=new_id, name=leaf.name, sub_name=leaf.sub_name,
        category=category, category_raw=category_raw or sheet_name,
        department=dept.display, department_id=dept.id, department_raw=leaf.department_raw,
        levels=levels, levels_raw=levels_raw, scope=scope, seq=leaf.seq,
        source=Provenance(ctx.file, sheet_name, (leaf.first_row, leaf.last_row)),
        code=leaf.text("code"), unit=leaf.text("unit"), co_departments=list(dept.co_bodies),
        basis_text=basis, citations=parse_basis(basis),
        responsibilities=split_responsibilities(leaf.text("responsibilities")),
        responsibilities_text=leaf.text("responsibilities"),
        responsibility_basis=leaf.text("responsibility_basis"),
        accountability=leaf.text("accountability"), accountability_scope=leaf.text("accountability_scope"),
        accountability_basis=leaf.text("accountability_basis"),
        duties=leaf.text("duties"), remedy=leaf.text("remedy"), remarks=leaf.text("remarks"),
    )


def split_levels_cell(text: str) -> tuple[str, str]:
    """(level part, scope part) of a 实施层级及权限 cell such as 地州市级。负责……"""
    s = normalise(text)
    if not s:
        return "", ""
    # 乡镇级 is one level word: 乡镇 must take its 级 along, or 级 would be left over as the scope
    # 县级、乡镇级 names two levels
    m = re.match(r"^((?:[^。;,；，、\n]{0,12}?(?:(?:乡镇|街道)级?|级)[、和及]?)+)[。;,；，\n ]*(.*)$", s, re.S)
    if m and parse_levels(m.group(1)):
        return m.group(1), m.group(2).strip()
    return (s, "") if len(compact(s)) <= 12 else ("", s)
