"""JSON and JSON Lines: records, however nested, flattened to one row per leaf.

Accepted: a list of record objects; JSON Lines (one object per line); an object
whose record lists sit anywhere inside it (``{"items": [...]}``,
``{"data": {"list": [...]}}``, ``{"部门": "X局", "事项": [{…, "子项": [{…}]}]}``);
and ``{"sheets": {name: records}}`` for one sheet per name.

Flattening: a value that is an object, or a list holding objects, is a level
of records; any other value is a field (a list of plain values becomes one
cell, one value a line; an empty list or object adds nothing).  Every leaf record (one with no records below it, or
whose record lists are all empty) is one row, and carries the fields of each
record above it as columns, outermost first.

Column names: a key keeps its own name at the outermost depth where it occurs;
at any deeper depth it is qualified by the key of the list or object holding
it, so the two stay distinct: ``名称`` of an item and ``名称`` of its sub-items
(under ``子项``) become ``名称`` and ``子项名称`` (joined with a dot when either
part ends in ASCII: ``children.name``).  A qualified name that is still taken
gets （2）, （3）….  Columns are in first-seen order.

A plain value where records are expected, and a JSON Lines line that does not
parse, is kept as a row of its own text so that the sheet parser reports it.
"""

from __future__ import annotations

import json
from pathlib import Path

from quanze.loaders.readers import limits
from quanze.loaders.readers.base import FileFormatError, RawSheet
from quanze.loaders.readers.text import decode_text

Field = tuple[int, str | None, str, object]  # depth, holding key, key, value
_RAW = object()  # marks a row kept as its text


def read_json(path: Path) -> list[RawSheet]:
    data = path.read_bytes()
    containers = data.count(b"{") + data.count(b"[")  # an upper bound, counted before anything is built
    if containers > limits.MAX_JSON_CONTAINERS:
        raise FileFormatError(f"「{path.name}」JSON 中的对象和数组（约 {containers:,} 个）超过上限 "
                              f"{limits.MAX_JSON_CONTAINERS:,} 个，为防止耗尽内存未读取")
    text = decode_text(data)
    del data
    if _is_json_lines(text):
        doc = _json_lines(text, path.name)  # a broken line is one rejected row; the others load
    else:
        try:
            doc = json.loads(text)
        except RecursionError:
            raise _too_deep(path.name) from None
        except json.JSONDecodeError as e:
            raise FileFormatError(f"JSON 格式错误（第{e.lineno}行第{e.colno}列）：{_json_reason(e.msg)}") from None
    if isinstance(doc, dict) and isinstance(doc.get("sheets"), dict):
        groups = list(doc["sheets"].items())
    elif isinstance(doc, (dict, list)):
        groups = [(path.stem, doc)]
    else:
        raise FileFormatError("JSON 应为事项对象的数组、每行一个事项对象，或含有事项数组的对象")
    limits.check_sheets(path.name, len(groups))
    sheets, total, cells = [], 0, 0
    for name, node in groups:
        sheet = flatten(str(name), node, path.name)
        total += len(sheet.rows)
        cells += len(sheet.rows) * len(sheet.rows[0])
        limits.check_rows(path.name, total)
        limits.check_file_cells(path.name, cells)
        sheets.append(sheet)
    return sheets


def _is_json_lines(text: str) -> bool:
    """One object a line (the first lines tell): not a document printed over several lines."""
    lines = [line.lstrip() for line in text[:65536].splitlines() if line.strip()][:50]
    return len(lines) >= 2 and all(line.startswith("{") for line in lines)


def _json_lines(text: str, label: str) -> list[object]:
    out: list[object] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except RecursionError:
            raise _too_deep(label) from None
        except json.JSONDecodeError:
            out.append(line.strip())
        limits.check_rows(label, len(out))
    return out


def _too_deep(label: str) -> FileFormatError:
    return FileFormatError(f"「{label}」JSON 嵌套层数超过上限 {limits.MAX_JSON_DEPTH} 层，未读取")


def _json_reason(msg: str) -> str:
    reasons = {"Expecting value": "缺少值", "Expecting ',' delimiter": "缺少逗号",
               "Expecting ':' delimiter": "缺少冒号", "Unterminated string starting at": "字符串缺少结尾引号",
               "Expecting property name enclosed in double quotes": "键名应使用双引号",
               "Invalid control character at": "字符串中有控制字符", "Invalid \\escape": "转义字符无效"}
    return reasons.get(msg, "内容不完整或不是合法的 JSON")


def flatten(name: str, node: object, label: str) -> RawSheet:
    """One row per leaf record; see the module docstring for the columns."""
    leaves: list[list[Field] | tuple[object, str]] = []
    _walk(node, 0, None, [], leaves, label)
    outermost: dict[str, int] = {}
    for leaf in leaves:
        if not isinstance(leaf, tuple):
            for depth, _holder, key, _v in leaf:
                outermost[key] = min(depth, outermost.get(key, depth))
    columns: dict[tuple, str] = {}
    taken: dict[str, tuple] = {}
    rows: list[list[object]] = [[]]
    for leaf in leaves:
        if isinstance(leaf, tuple):
            rows.append([leaf[1]])
            continue
        values: dict[str, object] = {}
        for depth, holder, key, value in leaf:
            ident = ("plain", key) if depth == outermost[key] else (depth, holder, key)
            col = columns.get(ident)
            if col is None:
                col = columns[ident] = _column_name(ident, taken)
                limits.check_columns(label, len(columns))
            values[col] = value
        rows.append(values)  # type: ignore[arg-type]
    header = list(taken)
    limits.check_cells(f"{label}」中的「{name}", len(rows), len(header))
    rows[0] = list(header)
    for i in range(1, len(rows)):
        if isinstance(rows[i], dict):
            rows[i] = [rows[i].get(k) for k in header]  # type: ignore[union-attr]
    return RawSheet(name, rows)


def _column_name(ident: tuple, taken: dict[str, tuple]) -> str:
    if ident[0] == "plain":
        name = ident[1]
    else:
        _depth, holder, key = ident
        holder = holder or "上级"
        name = f"{holder}.{key}" if holder[-1:].isascii() or key[:1].isascii() else f"{holder}{key}"
    base, n = name, 1
    while name in taken:
        n += 1
        name = f"{base}（{n}）"
    taken[name] = ident
    return name


def _is_records(value: object) -> bool:
    if isinstance(value, dict):
        return bool(value)
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


def _walk(node: object, depth: int, holder: str | None, inherited: list[Field], out: list, label: str) -> None:
    if depth > limits.MAX_JSON_DEPTH:
        raise _too_deep(label)
    if isinstance(node, list):
        for v in node:
            if isinstance(v, (dict, list)):
                _walk(v, depth + 1, holder, inherited, out, label)
            else:
                out.append((_RAW, _json_text(v)))
                limits.check_rows(label, len(out))
        return
    if not isinstance(node, dict):
        out.append((_RAW, _json_text(node)))
        return
    own = list(inherited)
    children = []
    for k, v in node.items():
        if _is_records(v):
            children.append((str(k), v))
        elif v != [] and v != {}:  # an empty list or object adds nothing (an item without sub-items)
            own.append((depth, holder, str(k), _json_cell(v)))
    before = len(out)
    for k, v in children:
        _walk(v, depth + 1, k, own, out, label)
    if len(out) == before:
        out.append(own)
        limits.check_rows(label, len(out))


def _json_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json_cell(value: object) -> object:
    if isinstance(value, list):
        return "\n".join(_json_text(v) if isinstance(v, (dict, list)) else str(v) for v in value)
    if isinstance(value, dict):
        return None  # an empty object: records would have been walked
    return value
