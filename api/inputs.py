"""The reference inputs of a dataset: files uploaded under a role beside its lists, loaded by the pipeline.

A role is the name a rule uses for the input (``duties``, ``catalogue`` …), which is also
the multipart field it is uploaded in; its Chinese label is what pages and messages show.
Files that do not load are rejected row by row, like lists, and listed in the dataset's report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from quanze.api.store import LISTS
from quanze.loaders.lineage import read_lineage
from quanze.loaders.model import Rejection
from quanze.pipeline import REFERENCE_INPUTS, reference_inputs
from quanze.tables import Tables, in_source_order

ROLES = {
    LISTS: "清单",
    "duties": "三定职责",
    "catalogue": "通用目录",
    "cancelled": "已取消事项",
    "township": "乡镇模板",
    "national": "全国基本目录",
    "lineage": "沿革",
}
HELP = {
    LISTS: "权责清单文件（Excel、CSV、JSON 等），一个或多个",
    "duties": "三定规定：职责表（Excel，含“部门”和“职责”两列），或“职能配置、内设机构和人员编制规定”全文（.txt、.md、.docx）：规则 R05a、R05b 用",
    "catalogue": "通用目录或指导目录（与清单同样的格式）：规则 R07 用",
    "cancelled": "已取消（或下放）事项目录：规则 R11 用",
    "township": "乡镇权责清单模板（法定目录加赋权目录）：规则 R14 用",
    "national": "全国权责清单基本目录（与清单同样的格式，各层级的事项）：规则 R22 用",
    "lineage": "本地机构沿革（YAML）：在内置的 2018 年机构改革沿革之外补充本地的合并、更名、划转",
}
FIELDS = {"files": LISTS, **{role: role for role in ROLES if role != LISTS}}  # form field → the role of its files
_ROW = re.compile(r"^第(\d+)行[：:]?")


def by_role(files: list[dict]) -> dict[str, list[dict]]:
    """Store rows of a dataset's files grouped by role (lists first, then the reference inputs in order)."""
    out: dict[str, list[dict]] = {role: [] for role in ROLES}
    for f in files:
        out.setdefault(f.get("role") or LISTS, []).append(f)
    return out


def load_inputs(files: list[dict], region: str) -> tuple[dict, list[Rejection]]:
    """The reference inputs among a dataset's files, through the pipeline, and what did not load.

    Rejections name the files as they were uploaded.
    """
    roles = by_role(files)
    lineage, bad = checked_lineage(roles["lineage"])
    paths = {role: [f["path"] for f in roles[role]] or None for role in REFERENCE_INPUTS if role != "lineage"}
    inputs, rejected = reference_inputs(region, lineage=[f["path"] for f in lineage] or None, **paths)
    names = original_names([f for role in REFERENCE_INPUTS for f in roles[role]])
    inputs = {k: with_names(v, names) if isinstance(v, Tables) else v for k, v in inputs.items()}
    if isinstance(inputs.get("duties"), pd.DataFrame):
        inputs["duties"]["file"] = inputs["duties"]["file"].map(lambda f: names.get(f, f))
    return inputs, [Rejection(names.get(r.file, r.file), r.sheet, r.row, r.reason) for r in rejected] + bad


def checked_lineage(files: list[dict]) -> tuple[list[dict], list[Rejection]]:
    """The lineage files that read without a problem, and the problems of the others."""
    good, bad = [], []
    for f in files:
        try:
            read_lineage(f["path"])
        except Exception as e:  # InputFileError lists its problems; anything else is one problem
            for problem in getattr(e, "problems", None) or [f"无法读取：{e}"]:
                m = _ROW.match(problem)
                bad.append(Rejection(f["name"], None, int(m.group(1)) if m else None,
                                     problem[m.end():] if m else problem))
            continue
        good.append(f)
    return good, bad


def report(files: list[dict], inputs: dict, rejected: list[Rejection]) -> dict:
    """The reference inputs' part of a dataset's load report: each file, its rows, its rejections."""
    out = []
    for role, group in by_role(files).items():
        if role == LISTS:
            continue
        value = inputs.get(role)
        for f in group:
            out.append({"file": f["name"], "role": role, "label": ROLES[role], "rows": _rows(value, f["name"]),
                        "rejected": [r.to_dict() for r in rejected if r.file == f["name"]]})
    attached = [role for role in REFERENCE_INPUTS if inputs.get(role) is not None and _size(inputs[role])]
    return {"files": out, "rejected": sum(len(f["rejected"]) for f in out), "attached": attached,
            "labels": [ROLES[r] for r in attached]}


def attached(inputs: dict) -> dict:
    """The inputs a rule can use: a reference list of which no row loaded is left out (its rule is skipped)."""
    return {k: v for k, v in inputs.items() if k not in ROLES or _size(v)}


def _size(value) -> int:
    return len(value) if isinstance(value, (Tables, pd.DataFrame)) else 1


def _rows(value, name: str) -> int | None:
    """Rows of ``value`` read from the file ``name`` (None for lineage, which has events, not rows)."""
    if isinstance(value, Tables):
        return int((value.items["file"] == name).sum())
    if isinstance(value, pd.DataFrame):
        return int((value["file"] == name).sum())
    return None


def original_names(files: list[dict]) -> dict[str, str]:
    """Stored file name → the name it was uploaded under."""
    return {Path(f["stored"]).name: f["name"] for f in files}


def with_names(tables: Tables, names: dict[str, str]) -> Tables:
    """The tables with their files named as uploaded, rows in source order again (the order follows the names)."""
    files = tables.items["file"]
    renamed = files.map(lambda f: names.get(f, f))
    if renamed.equals(files):
        return tables
    items, citations, clauses = in_source_order(tables.items.assign(file=renamed), tables.citations, tables.clauses)
    return Tables(items, citations, clauses, tables.departments)
