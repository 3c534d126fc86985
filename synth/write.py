"""Write synthetic lists in the published layout, the reference inputs, and ``truth.json``.

One file per department of each government, titled as departments title them
(``青山县市场监督管理局2024年权责清单``), with a title row above the header and
line breaks inside header cells.  Ids in the truth are computed with the
loader's own functions, so they are the ids the loader assigns.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import zipfile
from collections import Counter, defaultdict
from itertools import groupby
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from quanze.loaders.departments import find_region, resolve_department
from quanze.loaders.levels import parse_levels
from quanze.loaders.sheet import item_id, split_levels_cell
from quanze.loaders.text import normalise
from quanze.synth.generate import LEVEL_WORD, SynthItem, Synthetic, basis_text, data

YEAR = 2024
HEADER = ["序号", "事项\n名称", "子项\n名称", "权力\n类型", "实施依据", "实施主体", "行使\n层级", "权限范围",
          "责任事项", "追责情形", "备注"]
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def _responsibilities(it: SynthItem) -> str:
    if it.responsibilities is not None:
        return it.responsibilities
    templates = data("vocabulary")["responsibilities"]
    return templates.get(it.category, templates["default"])


def _row(seq: int, it: SynthItem) -> list:
    vocab = data("vocabulary")
    acc = vocab["accountability"] if it.accountability is None else it.accountability
    scope = it.scope if it.scope is not None else f"负责本{it.government.level}{it.name}"
    return [seq, it.name, "", it.category, basis_text(it), it.holder_name, LEVEL_WORD[it.government.level],
            scope, _responsibilities(it), acc, it.remarks]


def _write_xlsx(path: Path, title: str, rows: list[list], header: list[str] = HEADER, sheet: str = "权责清单",
                merged: list[tuple[int, int]] = ()) -> None:
    """A title row merged above the header, then the rows; ``merged`` are (first, last) rows
    whose first cell spans them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, title).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for c, h in enumerate(header, 1):
        ws.cell(2, c, h).alignment = Alignment(wrap_text=True)
    for row in rows:
        ws.append(row)
    for first, last in merged:
        ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the workbook with fixed timestamps, so the same seed gives the same bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in entries:
            if name == "docProps/core.xml":
                blob = _fixed_core(blob)
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), blob, zipfile.ZIP_DEFLATED)


def _fixed_core(blob: bytes) -> bytes:
    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", blob)


def _write_csv(path: Path, title: str, rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([title] + [""] * (len(HEADER) - 1))
        w.writerow(HEADER)
        w.writerows(rows)


def write_duties(path: Path, title: str, duties: list) -> None:
    """The 三定 table as 编办 keep it: 部门 | 职责, each department merged over its duties."""
    rows, merged = [], []
    for name, group in groupby(duties, key=lambda t: t[0].region + t[1]):
        texts = [duty for _, _, duty in group]
        first = len(rows) + 3  # below the title and the header
        rows += [[None if k else name, duty] for k, duty in enumerate(texts)]
        if len(texts) > 1:
            merged.append((first, first + len(texts) - 1))
    _write_xlsx(path, title, rows, header=["部门", "主要职责"], sheet="部门职责", merged=merged)


def write_list(path: Path, title: str, items: list[SynthItem], fmt: str) -> None:
    rows = [_row(n, it) for n, it in enumerate(items, 1)]
    (_write_xlsx if fmt == "xlsx" else _write_csv)(path, title, rows)


@functools.cache
def _levels(level: str) -> list[str]:
    """The levels the loader reads from the 行使层级 cell written for ``level``."""
    return parse_levels(split_levels_cell(LEVEL_WORD[level])[0])


def assign_ids(items: list[SynthItem]) -> None:
    """Give each item of a list the id the loader will give it (loaders/sheet.py, ``item_id``)."""
    for it in items:
        it.id = item_id(department_id(it.government, it.department), it.category, it.name, "",
                        _levels(it.government.level))


def list_title(region: str, department: str) -> str:
    return f"{region}{department}{YEAR}年权责清单"


def department_id(gov, department: str) -> str:
    """The id the loader gives the department whose list this is (region|level|short name),
    reading the government from the list's title as the loader does."""
    return _department_id(gov.region, gov.level, department)


@functools.cache
def _department_id(region: str, level: str, department: str) -> str:
    levels = _levels(level)
    return resolve_department(region + department, find_region(list_title(region, department)),
                              levels[0] if len(levels) == 1 else "").id


def _files(items: list[SynthItem]) -> dict[str, list[SynthItem]]:
    """Items by the list they are published in: one per government and department."""
    out: dict[str, list[SynthItem]] = defaultdict(list)
    for it in items:
        out[list_title(it.government.region, it.department)].append(it)
    return out


def write(data_: Synthetic, out: str | Path, fmt: str | None = None, progress=None) -> dict:
    """Write the lists under ``out/lists`` (a nation's in a folder per province, as a country's lists are
    kept), the inputs under ``out/inputs`` and ``out/truth.json``."""
    fmt = fmt or data("presets")[data_.preset]["format"]
    out = Path(out)
    lists = out / "lists"
    inputs = out / "inputs"
    for d in (lists, inputs):
        d.mkdir(parents=True, exist_ok=True)
        for old in sorted(d.rglob("*"), reverse=True):  # files first, then the folders they were in
            old.rmdir() if old.is_dir() else old.unlink()
    groups = _files(data_.items)
    for n, (title, items) in enumerate(groups.items()):
        if progress and n % 50 == 0:
            progress("写出清单", n, len(groups))
        assign_ids(items)
        folder = lists / items[0].government.province.region if data_.provinces else lists
        folder.mkdir(exist_ok=True)
        write_list(folder / f"{title}.{fmt}", title, items, fmt)
    if progress:
        progress("写出清单", len(groups), len(groups))
    written_inputs = {}
    for name, title, items in (("catalogue", "县级权责清单通用目录", data_.catalogue),
                               ("township", "乡镇权责清单模板（法定目录和赋权目录）", data_.township_template),
                               ("cancelled", "已取消行政权力事项目录", data_.cancelled),
                               ("national", "全国权责清单基本目录", data_.national)):
        if items:
            path = inputs / f"{name}-{title}.xlsx"
            write_list(path, title, items, "xlsx")
            written_inputs[name] = str(path.relative_to(out))  # relative: the folder can move
    if data_.duties:
        path = inputs / "duties-部门三定职责.xlsx"
        write_duties(path, "部门主要职责（三定规定）", data_.duties)
        written_inputs["duties"] = str(path.relative_to(out))
    truth = [_truth_entry(t) for t in data_.truth]
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    summary = {
        "preset": data_.preset, "seed": data_.seed, "format": fmt, "lists": len(groups),
        **({"provinces": [g.region for g in data_.provinces]} if data_.provinces else {}),
        "items": len(data_.items), "governments": dict(Counter(g.level for g in data_.governments)),
        "categories": dict(Counter(it.category for it in data_.items).most_common()),
        "responsibility_rows": sum(_clauses(it) for it in data_.items),
        "planted": dict(sorted(Counter(t["rule"] for t in truth).items())), "inputs": written_inputs,
    }
    (out / "synth.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def _clauses(it: SynthItem) -> int:
    return sum(1 for line in _responsibilities(it).splitlines() if line.strip())


def _truth_entry(t: dict) -> dict:
    entry = {"rule": t["rule"], "items": sorted(it.id for it in t["items"])}
    if t.get("duty"):  # the key R05a gives a duty no item serves (rules/primitives/duties.py)
        entry["key"] = f"{department_id(*t['department'])}|{normalise(t['duty'])}"
    elif t.get("department"):
        entry["key"] = department_id(*t["department"])
    elif t.get("key"):
        entry["key"] = t["key"]
    if t.get("note"):
        entry["note"] = t["note"]
    return entry
