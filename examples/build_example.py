"""Write the bundled example lists (明川县) from ``mingchuan.yaml`` and ``mingchuan-second-template.yaml``.

The workbooks imitate what departments publish: a merged title row, header cells
with line breaks, 实施层级及权限 merged over two columns, each item spread over
two rows with merged cells, and department names spelt more than one way.  The
second template is another county's habit: one sheet per category and no 权力类型
column, other header wordings in another order, one row per item.
Run ``python examples/build_example.py`` after editing the YAML; a workbook whose
content did not change is left as it is (byte for byte).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
HEADER = ["序号", "事项\n名称", "子项\n名称", "权力\n类型", "实施依据", "行使\n主体", "承办\n机构",
          "实施层级\n及权限", "", "部门职责", "责任事项内容", "责任事项依据", "追责对象\n范围", "追责情形", "备注"]
RESP_BASIS = {
    "行政处罚": "【法律】《中华人民共和国行政处罚法》第五条、第三十三条",
    "行政许可": "【法律】《中华人民共和国行政许可法》第三十条、第三十四条、第六十一条",
    "行政强制": "【法律】《中华人民共和国行政强制法》第十八条",
}


def _split_resp(text: str) -> tuple[str, str]:
    lines = text.split("\n")
    half = max(1, len(lines) // 2)
    return "\n".join(lines[:half]), "\n".join(lines[half:])


def write_department(dept: dict, cfg: dict, out: Path, file_name: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = dept["short"]
    title = f"{dept['name']}{cfg['year']}年权责清单"
    ws.cell(1, 1, title).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for c, h in enumerate(HEADER, 1):
        ws.cell(2, c, h).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=2, start_column=8, end_row=2, end_column=9)
    level = dept.get("level", "县级")
    row = 3
    for seq, item in enumerate(dept["items"], 1):
        subs = item.get("sub") or [""]
        first_row = row
        templates = cfg["templates"]
        resp = item.get("resp", templates["resp"].get(item["cat"], templates["resp"]["default"]))
        # the department is spelt two ways, as in real lists
        holder = dept["name"] if seq % 2 else dept["name"].replace(cfg["county"], "县", 1)
        holder = item.get("holder", holder)  # a row that still names a pre-reform body
        for sub in subs:
            top, bottom = _split_resp(resp)
            values = [seq, item["name"], sub, item["cat"], item.get("basis", ""), holder, item.get("unit", ""),
                      level, item.get("scope", f"负责本县{item['name']}"), item.get("duties", ""), top,
                      RESP_BASIS.get(item["cat"], ""), templates["acc_scope"], item.get("acc", templates["acc"]),
                      item.get("remark", "")]
            for c, v in enumerate(values, 1):
                ws.cell(row, c, v).alignment = Alignment(wrap_text=True, vertical="center")
            ws.cell(row + 1, 11, bottom).alignment = Alignment(wrap_text=True)
            ws.merge_cells(start_row=row, start_column=3, end_row=row + 1, end_column=3)
            for c in (5, 6, 7, 8, 9, 10, 12, 13, 14, 15):
                ws.merge_cells(start_row=row, start_column=c, end_row=row + 1, end_column=c)
            row += 2
        for c in (1, 2, 4):
            ws.merge_cells(start_row=first_row, start_column=c, end_row=row - 1, end_column=c)
    for col, width in zip("ABCDEFGHIJKLMNO", (6, 30, 18, 10, 60, 20, 14, 10, 20, 20, 50, 30, 16, 40, 12)):
        ws.column_dimensions[col].width = width
    return _save(wb, out / (file_name or f"{title}.xlsx"))


def write_second_template(dept: dict, header: list[list[str]], cfg: dict, out: Path) -> Path:
    """A list in the second template: a sheet per category, named by it, with its own title row.

    ``header`` gives each column as [published wording, field]; the 责任事项 and 追责情形
    come from the same templates as the first template's.
    """
    templates = cfg["templates"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    n = 0
    for category, items in dept["sheets"].items():
        ws = wb.create_sheet(category)
        ws.cell(1, 1, f"{dept['name']}{cfg['year']}年权责清单（{category}）").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        for c, (label, _field) in enumerate(header, 1):
            ws.cell(2, c, label).alignment = Alignment(wrap_text=True)
        for seq, item in enumerate(items, 1):
            n += 1
            resp = templates["resp"].get(category, templates["resp"]["default"])
            values = {"seq": seq, "name": item["name"], "basis": item["basis"],
                      # the department is spelt two ways here too
                      "department": dept["name"] if n % 2 else dept["name"].replace(cfg["county"], "县", 1),
                      "responsibilities": item.get("resp", resp), "accountability": item.get("acc", templates["acc"])}
            for c, (_label, field) in enumerate(header, 1):
                ws.cell(seq + 2, c, values[field]).alignment = Alignment(wrap_text=True, vertical="center")
        for col, width in zip("ABCDEF", (6, 40, 20, 60, 50, 40)):
            ws.column_dimensions[col].width = width
    return _save(wb, out / f"{dept['name']}{cfg['year']}年权责清单.xlsx")


def write_duties(entries: list[dict], path: Path) -> Path:
    """A 三定 duty table as analysts keep it: a title row, 部门 merged over its duties."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "三定职责"
    ws.cell(1, 1, "部门主要职责（三定规定摘录）").font = Font(bold=True, size=14)
    ws.merge_cells("A1:C1")
    ws.append(["序号", "部门", "主要职责"])
    for entry in entries:
        first = ws.max_row + 1
        for n, duty in enumerate(entry["duties"], 1):
            ws.append([n, entry["department"] if n == 1 else None, duty])
        ws.merge_cells(start_row=first, start_column=2, end_row=ws.max_row, end_column=2)
    ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 24, 80
    return _save(wb, path)


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    """Save ``wb``, unless ``path`` already holds the same workbook: only the time of saving
    (docProps/core.xml) would differ, and the committed files should not change for it."""
    buf = io.BytesIO()
    wb.save(buf)
    new = buf.getvalue()
    if not (path.exists() and _same_workbook(path.read_bytes(), new)):
        path.write_bytes(new)
    return path


def _same_workbook(a: bytes, b: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        names = za.namelist()
        return names == zb.namelist() and all(za.read(n) == zb.read(n) for n in names if n != "docProps/core.xml")


def _only(out: Path, paths: list[Path]) -> list[Path]:
    """Remove the workbooks in ``out`` that this build did not write (a department taken out)."""
    for old in set(out.glob("*.xlsx")) - set(paths):
        old.unlink()
    return paths


def build(source: Path = HERE / "mingchuan.yaml", out: Path = HERE / "mingchuan",
          second: Path = HERE / "mingchuan-second-template.yaml") -> list[Path]:
    cfg = yaml.safe_load(source.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_department(d, cfg, out) for d in cfg["departments"]]
    if second.exists():
        other = yaml.safe_load(second.read_text(encoding="utf-8"))
        paths += [write_second_template(d, other["header"], cfg, out) for d in other["departments"]]
    return _only(out, paths)


def build_inputs(source: Path = HERE / "mingchuan-inputs.yaml", lists: Path = HERE / "mingchuan.yaml",
                 out: Path = HERE / "mingchuan-inputs") -> list[Path]:
    """The reference inputs: 通用目录, 乡镇模板, 已取消事项 (list layout) and 三定职责."""
    cfg = yaml.safe_load(lists.read_text(encoding="utf-8"))
    inputs = yaml.safe_load(source.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for key in ("catalogue", "township", "cancelled"):
        spec = dict(inputs[key])
        paths.append(write_department(spec, cfg, out, f"{key}-{spec['short']}.xlsx"))
    paths.append(write_duties(inputs["duties"], out / "duties-三定职责.xlsx"))
    return _only(out, paths)


if __name__ == "__main__":
    for p in build() + build_inputs():
        print(p.relative_to(HERE.parent))
