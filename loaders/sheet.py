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

from quanze.loaders.categories import category_in, normalise_category
from quanze.loaders.citations import parse_basis
from quanze.loaders.departments import DepartmentName, resolve_department
from quanze.loaders.formats import RawSheet
from quanze.loaders.header import (HeaderMap, column_letter, field_of, find_tables, is_repeated_header,
                                   override_for)
from quanze.loaders.levels import parse_levels, split_levels_cell
from quanze.loaders.model import FileReport, PowerItem, Provenance, SheetReport
from quanze.loaders.responsibilities import split_responsibilities
from quanze.loaders.text import compact, has_control, normalise, strip_control

_NOTE = re.compile(r"^(注|说明|备注|填表说明|附注)[:：0-9一]")
TEXT_FIELDS = ("code", "scope", "unit", "basis", "responsibilities", "responsibility_basis", "accountability",
               "accountability_scope", "accountability_basis", "duties", "remedy", "remarks", "levels")


@dataclass
class FileContext:
    """What the file as a whole says: its name, its government, the list's owner."""

    file: str
    region: str = ""
    province: str = ""
    owner: DepartmentName | None = None
    overrides: list | None = None  # an analyst's column mapping file, matched per sheet (header.override_for)


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
    section: str = ""  # the category of a section row (一、行政许可) above the item
    rows: int = 0  # rows read into this leaf (its first row and its continuation rows)

    def add(self, row_no: int, cells: dict[str, str], section: str = "") -> None:
        self.last_row = row_no
        self.rows += 1
        for k, v in cells.items():
            if v and k in TEXT_FIELDS and v not in self.values.setdefault(k, []):
                self.values[k].append(v)
        if cells.get("category") and cells["category"] not in self.category_raw:
            self.category_raw.append(cells["category"])
        self.section = self.section or section

    def text(self, key: str) -> str:
        return "\n".join(self.values.get(key, []))


def fill_merged_down(rows: list[list[object]], merged, start: int) -> list[list[object]]:
    """Copy each vertically merged range's value into the rows below it.

    Rows stay as long as they were (a row is never padded to the widest one,
    which a hostile file makes enormous); only rows a merge reaches are copied.
    """
    out = list(rows)
    copied: set[int] = set()
    for r0, r1, c0, _c1 in merged:
        if r1 - r0 < 2 or r0 < start or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0 + 1, min(r1, len(out))):
            row = out[r]
            if c0 < len(row) and row[c0] not in (None, ""):
                continue
            if r not in copied:
                row = out[r] = list(row)
                copied.add(r)
            if c0 >= len(row):
                row.extend([None] * (c0 + 1 - len(row)))
            row[c0] = value
    return out


def stable_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def main_item_id(department_id: str, category: str, name: str) -> str:
    """The id a 主项 with 子项 gives all of them (``main_id``)."""
    return stable_id(department_id, category, compact(name))


def item_id(department_id: str, category: str, name: str, sub_name: str, levels: list[str]) -> str:
    """The content-derived id of an item: the same row loads with the same id every time."""
    return stable_id(department_id, category, compact(name), compact(sub_name), ",".join(levels))


def parse_sheet(raw: RawSheet, ctx: FileContext, report: FileReport) -> list[PowerItem]:
    name = strip_control(raw.name)
    sheet = SheetReport(sheet=name)
    report.sheets.append(sheet)
    if not any(compact(c) for row in raw.rows for c in row):
        sheet.warnings.append("空工作表，已跳过")
        return []
    tables = find_tables(raw.rows, raw.merged, override_for(ctx.overrides, ctx.file, name))
    if not tables:
        report.reject(name, None, "找不到可识别的表头：没有一行的各列（按表头文字和下面的内容）能认出「事项名称」"
                                  "及至少一个其他字段（如实施依据、实施主体、权力类型），整张表未导入；"
                                  "可用列映射文件指定各列")
        return []
    first = tables[0]
    sheet.header_row = first.row + 1
    sheet.columns = {first.labels[c]: f for c, f in sorted(first.columns.items())}
    sheet.mapping = first.mapping()
    sheet.ignored = [{"column": column_letter(c), "header": t} for c, t in sorted(first.ignored.items())]
    if len(tables) > 1:
        sheet.tables = [{"header_row": t.row + 1, "mapping": t.mapping()} for t in tables]
        sheet.warnings.append(f"本表有{len(tables)}个表格（表头在第{'、'.join(str(t.row + 1) for t in tables)}行），"
                              "各自按自己的表头导入")
    rows = fill_merged_down(raw.rows, raw.merged, first.row + 1)
    items: list[PowerItem] = []
    for table in tables:
        titles = _titles(raw.rows[table.title_start:table.first_row])
        sheet.warnings.extend(table.warnings)
        if table.column_of("category") is None and category_in(name) is None \
                and not any(category_in(t) for t in titles):
            sheet.warnings.append(f"第{table.row + 1}行表头下的表格没有「权力类型」列，工作表名和标题也没有写明权力类别，"
                                  "类别将从文件名或按事项名称推断，并在事项上注明来源")
        leaves = _group_rows(rows, raw, table, name, sheet, report)
        made = [it for group in leaves for it in _build_items(group, name, titles, ctx, report)]
        sheet.count("continuation", sum(leaf.rows - 1 for group in leaves for leaf in group))
        sheet.count("rejected", sum(len(group) for group in leaves) - len(made))  # one item a leaf, or none
        items.extend(made)
    return items


def _titles(rows) -> list[str]:
    """The texts above a table's header: the list's title and notes."""
    return [t for row in rows for t in dict.fromkeys(compact(c) for c in row) if t]


def _group_rows(rows, raw: RawSheet, header: HeaderMap, sheet_name: str, sheet: SheetReport,
                report: FileReport) -> list[list[_Leaf]]:
    groups: list[list[_Leaf]] = []
    section_category = ""
    uncached = raw.uncached
    name_col = header.column_of("name")
    end = len(rows) if header.end is None else header.end
    for r in range(header.row + 1, end):
        row_no = r + 1
        row = rows[r]
        values = [v for v in map(compact, row) if v]
        if not values:
            continue
        sheet.rows_read += 1
        if any(c < len(row) and isinstance(row[c], str) and has_control(row[c]) for c in header.columns):
            sheet.warnings.append(f"第{row_no}行含有不可见的控制字符，已删除")
        cells = {f: normalise(row[c]) if c < len(row) else "" for c, f in header.columns.items()}
        single = len(set(values)) == 1 and values[0] != cells.get("name")
        if _NOTE.match(values[0]) and (single or not cells.get("name")):  # 注：…, 备注：… below the table
            sheet.warnings.append(f"第{row_no}行为说明文字，未作为事项导入")
            sheet.count("note")
            continue
        if single:
            if normalise_category(values[0]):
                section_category = values[0]  # a section row such as 一、行政许可（11项）
                sheet.count("section")
            else:
                report.reject(sheet_name, row_no, f"只有一格有内容（「{values[0][:30]}」），不是完整的事项行")
                sheet.count("rejected")
            continue
        if field_of(cells.get("name")) == "name" or is_repeated_header(row, header):
            sheet.count("header")
            continue  # header repeated on a printed page
        if uncached and _formula_cells(r, row_no, header, uncached, cells, sheet_name, sheet, report):
            sheet.count("rejected")
            continue
        name, seq = compact(cells.get("name")), compact(cells.get("seq"))
        current = groups[-1] if groups else None
        if name:
            if current is None or name != compact(current[0].name) or seq != current[0].seq:
                leaf = _Leaf(seq, name, compact(cells.get("sub_name")), cells.get("department", ""), row_no, row_no)
                leaf.add(row_no, cells, section_category)
                groups.append([leaf])
                continue
            if _written_again(raw, r, name_col) and _new_basis(current[-1], cells):
                sheet.warnings.append(f"第{row_no}行与第{current[-1].first_row}行事项名称、序号相同而实施依据不同，"
                                      "已合并为一个事项；如为两个事项，请填写不同的序号或子项名称")
        elif current is None or (seq and seq != current[0].seq):
            report.reject(sheet_name, row_no, "事项名称为空" + (f"（序号 {seq}）" if seq else "") + "，该行未导入")
            sheet.count("rejected")
            continue
        _continue_group(current, row_no, cells, section_category)
    return groups


def _formula_cells(r: int, row_no: int, header: HeaderMap, uncached: dict, cells: dict[str, str], sheet_name: str,
                   sheet: SheetReport, report: FileReport) -> bool:
    """Report cells that are formulas without a saved result; True when the row cannot load."""
    for c, f in header.columns.items():
        formula = uncached.get((r, c))
        if formula is None or cells.get(f):
            continue
        label = header.labels.get(c) or f
        if f == "name":
            report.reject(sheet_name, row_no, f"「{label}」是公式「{str(formula)[:40]}」，文件中没有保存计算结果，"
                                              "该行未导入；请在 Excel/WPS 中打开并保存后重新导入")
            return True
        sheet.warnings.append(f"第{row_no}行「{label}」是公式「{str(formula)[:40]}」，文件中没有保存计算结果，"
                              "该格按空白导入；请在 Excel/WPS 中打开并保存后重新导入")
    return False


def _written_again(raw: RawSheet, r: int, name_col: int | None) -> bool:
    """The name cell of row r was written in the file, not copied down from a merged cell."""
    if name_col is None or r >= len(raw.rows):
        return False
    row = raw.rows[r]
    return name_col < len(row) and row[name_col] not in (None, "")


def _new_basis(leaf: _Leaf, cells: dict[str, str]) -> bool:
    basis = cells.get("basis", "")
    return bool(basis) and bool(leaf.values.get("basis")) and basis not in leaf.values["basis"] \
        and not cells.get("sub_name")


def _continue_group(group: list[_Leaf], row_no: int, cells: dict[str, str], section: str = "") -> None:
    """Add a row to its 主项: a new 子项 or 实施主体 starts a new leaf."""
    leaf = group[-1]
    sub, dept = cells.get("sub_name", ""), cells.get("department", "")
    if (sub and compact(sub) != compact(leaf.sub_name)) or (
            dept and leaf.department_raw and compact(dept) != compact(leaf.department_raw)):
        new = _Leaf(leaf.seq, leaf.name, compact(sub) or leaf.sub_name, dept or leaf.department_raw, row_no, row_no)
        new.add(row_no, cells, section)
        group.append(new)
    else:
        if dept and not leaf.department_raw:
            leaf.department_raw = dept
        leaf.add(row_no, cells, section)


def _build_items(group: list[_Leaf], sheet_name: str, titles: list[str], ctx: FileContext,
                 report: FileReport) -> list[PowerItem]:
    items = []
    for leaf in group:
        item = _leaf_to_item(leaf, sheet_name, titles, ctx, report)
        if item is not None:
            items.append(item)
    if len(items) > 1 or (items and items[0].sub_name):
        main = main_item_id(items[0].department_id, items[0].category or "", items[0].name)
        for it in items:
            it.main_id = main
    return items


def category_of(leaf_raw: str, section: str, sheet_name: str, titles: list[str], file: str) -> tuple[str | None, str, str]:
    """(category, where it came from, the label as published) for an item.

    The item's own cell first, then a section row above it, the sheet's name,
    the titles above the table and the file's name; the pipeline's model
    (``category_source = model``) only fills what none of these names.
    """
    if leaf_raw:
        return normalise_category(leaf_raw), "column", leaf_raw
    if section:
        return normalise_category(section), "section", section
    for source, texts in (("sheet", [sheet_name]), ("title", titles), ("file", [file.rsplit(".", 1)[0]])):
        for text in texts:
            found = category_in(text)
            if found:
                return found, source, text
    return None, "", ""


def _leaf_to_item(leaf: _Leaf, sheet_name: str, titles: list[str], ctx: FileContext,
                  report: FileReport) -> PowerItem | None:
    where = leaf.first_row
    category, category_source, category_raw = category_of(
        leaf.category_raw[0] if leaf.category_raw else "", leaf.section, sheet_name, titles, ctx.file)
    if category_source == "column" and category is None:
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
        category=category, category_raw=category_raw, category_source=category_source,
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
        province=ctx.province,
    )
