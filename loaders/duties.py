"""Read 三定 duties: one row per duty, with the department that holds it and where it was read.

A 三定规定 as published (the prose text, .txt/.md/.docx, see ``loaders/sanding.py``) gives
its duties with their numbers and lines; a duty table is simple (部门 | 职责, any title rows above, department cells may be
merged over several duties), in any format the list loader reads.  Rows without
a duty are reported, not dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from quanze.loaders.departments import resolve_department
from quanze.loaders.formats import FileFormatError, detect_format, read_sheets
from quanze.loaders.model import Rejection
from quanze.loaders.sanding import CLOSING, is_prose, sanding_rows
from quanze.loaders.text import compact, normalise

DEPARTMENT_HEADERS = ("部门", "单位", "机构", "实施主体")
DUTY_HEADERS = ("职责", "主要职责", "职能")
# row: the sheet row, or the line of a 三定 text; number: the duty's number in its department's list;
# kind: duty, or closing (完成……交办的其他任务, 职能转变: no power item is expected to serve it)
COLUMNS = ["department_raw", "department", "short_name", "region", "duty", "file", "sheet", "row", "number", "kind"]


def load_duties(paths, region: str = "") -> tuple[pd.DataFrame, list[Rejection]]:
    rows, rejected = [], []
    for path in map(Path, paths):
        if is_prose(path):
            got, bad = sanding_rows(path, region, resolve_department)
            rows.extend(got)
            rejected.extend(bad)
            continue
        try:
            sheets = read_sheets(path, detect_format(path))
        except (FileFormatError, OSError) as e:
            rejected.append(Rejection(path.name, None, None, str(e)))
            continue
        for sheet in sheets:
            _read_sheet(path.name, sheet, region, rows, rejected)
    return pd.DataFrame(rows, columns=COLUMNS), rejected


def _read_sheet(file: str, sheet, region: str, rows: list, rejected: list) -> None:
    header = next((r for r in range(min(10, len(sheet.rows))) if _columns(sheet.rows[r])), None)
    if header is None:
        rejected.append(Rejection(file, sheet.name, None, "找不到“部门”和“职责”两列的表头"))
        return
    dcol, jcol = _columns(sheet.rows[header])
    cells = [list(r) for r in sheet.rows]
    for r0, r1, c0, c1 in sheet.merged:  # a department merged over its duties
        for r in range(r0 + 1, r1):
            for c in range(c0, c1):
                if r < len(cells) and c < len(cells[r]):
                    cells[r][c] = cells[r0][c0]
    numbers: dict[str, int] = {}  # a department's duties are numbered in the order of the table
    for r in range(header + 1, len(cells)):
        row = cells[r] + [None] * 2
        dept_raw, duty = normalise(row[dcol]), normalise(row[jcol])
        if not dept_raw and not duty:
            continue
        if not duty or not dept_raw:
            rejected.append(Rejection(file, sheet.name, r + 1, "缺少职责内容" if not duty else "缺少部门名称"))
            continue
        name = resolve_department(dept_raw, region_hint=region)
        numbers[dept_raw] = numbers.get(dept_raw, 0) + 1
        rows.append({"department_raw": dept_raw, "department": name.display if name else dept_raw,
                     "short_name": name.short_name if name else dept_raw, "region": name.region if name else region,
                     "duty": duty, "file": file, "sheet": sheet.name, "row": r + 1,
                     "number": numbers[dept_raw],
                     "kind": "closing" if CLOSING.match(duty.removeprefix("负责")) else "duty"})


def _columns(cells) -> tuple[int, int] | None:
    names = [compact(c) for c in cells]
    dcol = next((i for i, n in enumerate(names) if n and any(h in n for h in DEPARTMENT_HEADERS) and "职责" not in n), None)
    jcol = next((i for i, n in enumerate(names) if n and any(n.endswith(h) or n == h for h in DUTY_HEADERS)), None)
    return (dcol, jcol) if dcol is not None and jcol is not None else None
