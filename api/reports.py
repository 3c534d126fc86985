"""Findings as files for people: JSON for tools, an Excel workbook for analysts, one HTML page.

Every row of the Excel report and every finding on the page names the file,
sheet and rows of the published list it came from.  Every cell of every workbook
and CSV file goes through ``text_cell`` / ``csv_row``: the lists are uploaded by
anyone, so a name such as ``=HYPERLINK(…)`` must reach the analyst as text, never
as a formula, and a stray control character must not make a file unwritable.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import markupsafe
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from quanze.graph.model import xml_text
from quanze.rules.model import SEVERITIES

if TYPE_CHECKING:  # annotations only: writing findings does not need the engine imported
    from quanze.rules.engine import RunResult

FORMATS = (".json", ".xlsx", ".html", ".csv")
SEVERITY_FILL = {"红": "F8D7DA", "黄": "FFF3CD", "蓝": "D6E9F8"}
STATUS = {"ok": "已运行", "skipped": "未运行", "error": "出错"}
FINDING_COLUMNS = [("序号", 6), ("严重程度", 8), ("问题描述", 60), ("处理建议", 18), ("涉及部门", 24),
                   ("事项名称", 40), ("权力类别", 12), ("来源文件", 36), ("工作表", 14), ("行号", 10),
                   ("证据", 40), ("指纹", 18)]


# text starting with these is a formula (or the start of one) to Excel, WPS and LibreOffice
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_value(value):
    """A value as every export writes it: text without the characters XML 1.0 forbids, anything else as is."""
    return xml_text(value) if isinstance(value, str) else value


def text_cell(ws: Worksheet, value) -> Cell:
    """One workbook cell: text is stored as text (quote-prefixed when it looks like a formula)."""
    value = safe_value(value)
    cell = Cell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def write_row(ws: Worksheet, values) -> None:
    """Append one row to ``ws``, every value through ``text_cell``."""
    ws.append([text_cell(ws, v) for v in values])


def csv_row(values) -> list:
    """One CSV row: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    out = []
    for v in map(safe_value, values):
        out.append("'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def write_findings(result: RunResult, path: str | Path, title: str = "权责清单检查报告") -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"不支持的输出格式 {path.suffix or '（无后缀）'}：请用 {'、'.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    {".json": _json, ".xlsx": _xlsx, ".html": _html, ".csv": _csv}[suffix](result, path, title)
    return path


def _json(result: RunResult, path: Path, title: str) -> None:
    path.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")


EVIDENCE_LABELS = {
    "score": "名称相似度", "compared": "比较的核心表述", "shared_documents": "共同依据", "key": "分组",
    "missing": "缺少", "missing_stages": "缺少环节", "why": "理由", "suggested": "建议类别",
    "model_probability": "模型判断为该类别的概率", "citations": "依据", "kind": "类型", "reference_item": "目录事项",
    "differences": "差异", "duty": "职责", "nearest": "最接近", "nearest_duty": "最接近的职责",
    "coverage": "覆盖情况", "count": "事项数", "peer_median": "同类中位数", "z": "偏离程度（标准分）",
    "highest": "最高依据层级", "cited_levels": "依据层级", "required": "须有层级", "matter": "事务",
    "documents": "依据文件", "values": "各自的取值", "shared_provisions": "共同依据", "event": "沿革",
    "successors": "承继机构", "body": "原机构", "phrase": "依据中的表述", "reference_category": "目录类别",
    "present_stages": "已有环节", "model_says": "模型判断", "by": "相同的", "peer_counts": "同类部门事项数",
    "duties": "职责数", "duties_with_items": "有事项承接的职责", "items": "事项数",
    "items_with_duty": "有职责对应的事项", "item": "事项",
    "probability": "为同一事项的概率", "reasons": "打分依据", "for": "支持", "against": "反对",
    "probability_note": "说明",
    "duty_number": "职责序号", "duty_score": "与最接近职责的相符度", "duty_sectors": "职责所管领域",
    "item_sectors": "事项所属领域", "reason": "原因", "practice": "各省做法", "province_means": "各省平均每个部门事项数"}
# evidence a person does not read: graph paths between internal keys
HIDDEN_EVIDENCE = {"paths"}
_DEPARTMENT_ID = re.compile(r"^([^|]+)\|[国省市县乡]\|([^|]+)$")
_GOVERNMENT_ID = re.compile(r"^([^|]+)\|[国省市县乡]$")
_PROVISION_KEY = re.compile(r"^([^#]+)#(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_GRAPH_KEY = re.compile(r"^(?:item|prov|doc|dept|level|resp|main):")


def plain_value(value: str) -> str:
    """One evidence value as a person writes it: 明川县|县|交通运输局 → 明川县交通运输局,
    安全生产法#97.1 → 《安全生产法》第97条第1款, a graph key without its prefix."""
    value = _GRAPH_KEY.sub("", value.strip())
    m = _DEPARTMENT_ID.match(value)
    if m:
        return m.group(2) if m.group(2).startswith(m.group(1)) else m.group(1) + m.group(2)
    m = _GOVERNMENT_ID.match(value)
    if m:
        return m.group(1)
    m = _PROVISION_KEY.match(value)
    if m:
        doc, article, paragraph, item = m.groups()
        return (f"《{doc}》第{article}条" + (f"第{paragraph}款" if paragraph else "")
                + (f"第{item}项" if item else ""))
    return value


def _plain(value, key: str = "") -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if key in ("model_probability", "probability"):
            return f"{value:.0%}"
        return f"{value:.2f}".rstrip("0").rstrip(".") if key != "score" else f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        parts = [_plain(v, key) for v in value if v not in (None, "", [], {})]
        return ("；" if key == "compared" or any("、" in p for p in parts) else "、").join(parts)
    if isinstance(value, dict):
        return "；".join(f"{EVIDENCE_LABELS.get(k, k)}：{_plain(v, k)}" for k, v in value.items()
                        if v not in (None, "", [], {}))
    return plain_value(str(value))


def evidence_text(evidence: dict) -> str:
    """Evidence in plain Chinese, one line per fact (the Excel cell, the page): no internal keys, no
    ``#`` notation, no lists written as code."""
    lines = []
    for k, v in evidence.items():
        if k.startswith("_") or k in HIDDEN_EVIDENCE or v in (None, "", [], {}):
            continue
        text = _plain(v, k)
        if text:
            lines.append(f"{EVIDENCE_LABELS.get(k, k)}：{text}")
    return "\n".join(lines)


def _sheet_name(rule_id: str, title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", xml_text(f"{rule_id} {title}"))[:31]
    while name in used:
        name = name[:28] + f"_{len(used)}"
    used.add(name)
    return name


def _xlsx(result: RunResult, path: Path, title: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    write_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    write_row(ws, ["规则编号", "规则名称", "严重程度", "运行情况", "问题数", "说明"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for rr in result.runs:
        write_row(ws, [rr.rule.id, rr.rule.title, f"{rr.rule.severity}（{SEVERITIES[rr.rule.severity]}）",
                       STATUS[rr.status], rr.findings, rr.reason])
    for col, width in zip("ABCDEF", (10, 28, 16, 10, 8, 60)):
        ws.column_dimensions[col].width = width
    by_rule: dict[str, list] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule, []).append(f)
    used: set[str] = {"汇总"}
    for rr in result.runs:
        findings = by_rule.get(rr.rule.id)
        if not findings:
            continue
        sh = wb.create_sheet(_sheet_name(rr.rule.id, rr.rule.title, used))
        write_row(sh, [name for name, _ in FINDING_COLUMNS])
        for cell in sh[1]:
            cell.font = Font(bold=True)
        for n, f in enumerate(findings, 1):
            for row in finding_rows(f, n):
                write_row(sh, row)
                sh.cell(sh.max_row, 2).fill = PatternFill("solid", fgColor=SEVERITY_FILL[f.severity])
        _lay_out(sh, FINDING_COLUMNS)
    wb.save(path)


def _lay_out(ws, columns: list[tuple[str, int]]) -> None:
    """Column widths, wrapped data cells, the header row frozen: how every findings sheet reads."""
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def finding_rows(f, n: int):
    """The rows of one finding in a table for analysts: one per source row (file, sheet, row)."""
    names = "\n".join(f"{s['name']}{' / ' + s['sub_name'] if s['sub_name'] else ''}" for s in f.subjects)
    categories = "、".join(dict.fromkeys(s["category"] for s in f.subjects))
    for src in f.sources or [{"file": "", "sheet": "", "rows": ["", ""]}]:
        first, last = src["rows"]
        rows = f"{first}" if first == last else f"{first}-{last}"
        yield [n, f.severity, f.message, "、".join(f.advice), "、".join(f.departments), names, categories,
               src["file"], src["sheet"], rows, evidence_text(f.evidence), f.fingerprint]


def _csv(result: RunResult, path: Path, title: str) -> None:
    """All findings in one table, UTF-8 with a BOM so that Excel and WPS open it in Chinese."""
    import csv

    titles = {rr.rule.id: rr.rule.title for rr in result.runs}
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out)
        w.writerow(csv_row(["规则编号", "规则名称", *(name for name, _ in FINDING_COLUMNS)]))
        counts: dict[str, int] = {}
        for f in result.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
            for row in finding_rows(f, counts[f.rule]):
                w.writerow(csv_row([f.rule, titles.get(f.rule, f.title), *row]))


def report_context(result: RunResult, title: str) -> dict:
    """What the HTML page shows: counts by rule, severity and department, and every finding."""
    dept = Counter(d for f in result.findings for d in f.departments)
    return {
        "title": title,
        "runs": result.runs,
        "severities": SEVERITIES,
        "by_severity": Counter(f.severity for f in result.findings),
        "by_department": dept.most_common(),
        "findings": result.findings,
        "stats": result.stats,
        "evidence_text": evidence_text,
        "total": len(result.findings),
    }


_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True,
                          # markup the template made is kept; every value from the lists is cleaned, then escaped
                          finalize=lambda v: v if isinstance(v, markupsafe.Markup) else safe_value(v))


def _html(result: RunResult, path: Path, title: str) -> None:
    path.write_text(_ENV.get_template("report.html").render(**report_context(result, title)), encoding="utf-8")


# ---- the analyst's workbook: one row per finding, with its review, and a sheet per department ----------

BEIJING = datetime.timezone(datetime.timedelta(hours=8), "北京时间")
REVIEW_COLUMNS = [("序号", 6), ("严重程度", 8), ("规则编号", 8), ("规则名称", 20), ("部门", 24), ("事项", 40),
                  ("权力类别", 12), ("问题描述", 60), ("证据", 44), ("处理建议", 16), ("来源", 40), ("核查状态", 10),
                  ("核查人", 10), ("核查意见", 30), ("核查时间", 17)]
FEEDBACK = ("部门反馈", 40)


def beijing(ts: str | None, seconds: bool = False) -> str:
    """A stored UTC time (ISO 8601) as 北京时间, ``2026-12-02 08:30``; empty for none."""
    if not ts:
        return ""
    try:
        when = datetime.datetime.fromisoformat(ts)
    except ValueError:
        return ts
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def source_text(sources: list[dict]) -> str:
    """The source rows of a finding, one line each: 文件「工作表」第7–8行."""
    lines = []
    for src in sources:
        first, last = (src.get("rows") or ["", ""])[:2]
        rows = f"第{first}行" if first == last else f"第{first}–{last}行"
        lines.append(f"{src.get('file', '')}「{src.get('sheet') or ''}」{rows}")
    return "\n".join(dict.fromkeys(lines))


def subjects_text(f: dict) -> str:
    """The items of a finding, one line each, with their department when the finding spans several."""
    several = len(set(f.get("departments") or [])) > 1
    return "\n".join(f"{s['name']}{' / ' + s['sub_name'] if s.get('sub_name') else ''}"
                     + (f"（{s['department']}）" if several and s.get("department") else "")
                     for s in f.get("subjects") or [])


def review_row(n: int, f: dict, review: dict | None, titles: dict[str, str]) -> list:
    review = review or {}
    return [n, f["severity"], f["rule"], titles.get(f["rule"], f.get("title", "")), "、".join(f["departments"]),
            subjects_text(f), "、".join(dict.fromkeys(s.get("category") or "" for s in f.get("subjects") or [])),
            f["message"], evidence_text(f.get("evidence") or {}), "、".join(f.get("advice") or []),
            source_text(f.get("sources") or []), review.get("status") or f.get("review") or "待核查",
            review.get("reviewer") or "", review.get("comment") or "", beijing(review.get("at"))]


def write_review_workbook(findings: list[dict], path: str | Path, reviews: dict[str, dict], titles: dict[str, str],
                          heading: str, conditions: str = "", runs: list[dict] | None = None) -> Path:
    """The findings an analyst exported (already filtered) as a workbook a department can act on.

    汇总: what was exported and counts by severity, rule and department; 全部问题: one row per finding
    (its source rows in one cell) with the latest review; then one sheet per department with the
    findings concerning it and an empty 部门反馈 column for the department to fill.  Every sheet has
    an autofilter, a frozen header and a print setup (A4 landscape, fit to width, header row repeated).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    rows = [review_row(n, f, reviews.get(f["fingerprint"]), titles) for n, f in enumerate(findings, 1)]
    _summary_sheet(ws, findings, heading, conditions, runs, titles, reviews)
    used = {"汇总", "全部问题"}
    _findings_sheet(wb.create_sheet("全部问题"), REVIEW_COLUMNS, rows, findings, f"{heading}：全部问题")
    by_dept: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        for d in dict.fromkeys(f["departments"]):
            by_dept.setdefault(d, []).append(i)
    for dept in sorted(by_dept, key=lambda d: (-len(by_dept[d]), d)):
        chosen = by_dept[dept]
        sheet_rows = [[n, *rows[i][1:], ""] for n, i in enumerate(chosen, 1)]
        _findings_sheet(wb.create_sheet(_department_sheet(dept, used)), [*REVIEW_COLUMNS, FEEDBACK], sheet_rows,
                        [findings[i] for i in chosen], f"{dept}：权责清单检查问题（请在“部门反馈”列填写意见）")
    wb.save(path)
    return path


def _department_sheet(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "", xml_text(name)).strip()[:31] or "部门"
    out, n = base, 2
    while out in used:
        out = f"{base[:28]}_{n}"
        n += 1
    used.add(out)
    return out


def _print_setup(ws: Worksheet, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = xml_text(title).replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _findings_sheet(ws: Worksheet, columns, rows: list[list], findings: list[dict], title: str) -> None:
    write_row(ws, [name for name, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF5")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row, f in zip(rows, findings):
        write_row(ws, row)
        ws.cell(ws.max_row, 2).fill = PatternFill("solid", fgColor=SEVERITY_FILL.get(f["severity"], "FFFFFF"))
    _lay_out(ws, columns)
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(columns)).column_letter}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    _print_setup(ws, title)


def _summary_sheet(ws: Worksheet, findings: list[dict], heading: str, conditions: str, runs, titles,
                   reviews: dict[str, dict]) -> None:
    write_row(ws, [heading])
    ws["A1"].font = Font(bold=True, size=14)
    write_row(ws, ["导出时间", beijing(datetime.datetime.now(datetime.timezone.utc).isoformat()) + "（北京时间）"])
    write_row(ws, ["筛选条件", conditions or "全部问题"])
    write_row(ws, ["问题数", len(findings)])
    write_row(ws, [])
    sev = Counter(f["severity"] for f in findings)
    status = Counter((reviews.get(f["fingerprint"]) or {}).get("status") or "待核查" for f in findings)
    start = ws.max_row + 1
    write_row(ws, ["严重程度", "问题数"])
    for s in SEVERITIES:
        write_row(ws, [f"{s}（{SEVERITIES[s]}）", sev.get(s, 0)])
    write_row(ws, [])
    write_row(ws, ["核查状态", "问题数"])
    for s, n in status.most_common():
        write_row(ws, [s, n])
    write_row(ws, [])
    write_row(ws, ["规则编号", "规则名称", "运行情况", "问题数"])
    ran = {r["id"]: r for r in runs or []}
    by_rule = Counter(f["rule"] for f in findings)
    for rule in sorted(set(by_rule) | set(ran)):
        r = ran.get(rule, {})
        state = {"ok": "已运行", "skipped": f"未运行：{r.get('reason') or ''}", "error": f"出错：{r.get('reason') or ''}"}
        write_row(ws, [rule, titles.get(rule, ""), state.get(r.get("status"), ""), by_rule.get(rule, 0)])
    write_row(ws, [])
    write_row(ws, ["部门", "问题数", "红", "黄", "蓝"])
    by_dept: dict[str, Counter] = {}
    for f in findings:
        for d in dict.fromkeys(f["departments"]):
            by_dept.setdefault(d, Counter())[f["severity"]] += 1
    for d, c in sorted(by_dept.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        write_row(ws, [d, sum(c.values()), c.get("红", 0), c.get("黄", 0), c.get("蓝", 0)])
    for row in ws.iter_rows(min_row=start):
        if row[0].value in ("严重程度", "核查状态", "规则编号", "部门"):
            for cell in row:
                cell.font = Font(bold=True)
    for col, width in zip("ABCDE", (24, 40, 30, 10, 8)):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---- simulation results -------------------------------------------------------------

OUTPUT_SHEETS = {
    "moved": "划转事项", "left_behind": "关联未随转", "must_rehome": "须另行安置",
    "basis_conflicts": "依据写明原部门", "retained_supervision": "原部门保留监管", "gaps": "监管空白与缺口",
    "new_overlaps": "新增交叉", "reserved": "保留在原部门",
}
ENTRY_COLUMNS = [("id", "事项ID"), ("name", "事项名称"), ("category", "权力类别"), ("from", "原实施主体"),
                 ("to", "承接机构"), ("kind", "类型"), ("why", "说明"), ("kept", "拆分：留在原部门的环节"),
                 ("supervisor", "监管部门"), ("by", "监管方式"), ("phrase", "依据中的表述"), ("mode", "方式"),
                 ("package", "划转包")]
LIST_HEADER = ["序号", "事项名称", "子项名称", "权力类型", "实施依据", "行使主体", "承办机构", "行使层级", "权限范围",
               "部门职责", "责任事项", "追责情形", "备注"]


def write_simulation(result, path: str | Path) -> Path:
    """result.json (the SimulationResult as data) or result.xlsx (summary, one sheet per output,
    and the new list of every affected department in the published layout)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    write_row(ws, [f"划转方案：{result.scenario.name}"])
    ws["A1"].font = Font(bold=True, size=14)
    from quanze.api.scenario_form import moved_rows, simulation_counts

    data = result.to_dict()
    counts = simulation_counts(data)
    write_row(ws, ["项目", "数量"])
    for _, label, n in counts["totals"]:
        write_row(ws, [label, n])
    write_row(ws, [])
    write_row(ws, ["部门", "划转前事项数", "划出", "划入", "新增留存监管", "划转后事项数"])
    for d in counts["departments"]:
        write_row(ws, [d["department"], d["before"], d["out"], d["in"], d["kept"], d["after"]])
    ws.column_dimensions["A"].width = 60
    for key, title in OUTPUT_SHEETS.items():
        sh = wb.create_sheet(title[:31])
        rows = moved_rows(data) if key == "moved" else result.outputs[key]
        if key == "new_overlaps":
            write_row(sh, ["规则", "说明", "涉及事项"])
            for r in rows:
                write_row(sh, [r["rule"], r["message"],
                               "\n".join(f"{i['department']}：{i['name']}" for i in r["items"])])
        else:
            cols = [(k, label) for k, label in ENTRY_COLUMNS if any(r.get(k) for r in rows)] or ENTRY_COLUMNS[:5]
            write_row(sh, [label for _, label in cols] + ["来源文件", "工作表", "行号"])
            for r in rows:
                src = r.get("source", {"file": "", "sheet": "", "rows": ["", ""]})
                write_row(sh, [_cell(r.get(k, "")) for k, _ in cols] + [src["file"], src["sheet"], src["rows"][0]])
        for cell in sh[1]:
            cell.font = Font(bold=True)
        sh.freeze_panes = "A2"
    change = wb.create_sheet("规则检查变化")
    write_row(change, ["变化", "规则", "问题"])
    for label, key in (("新增", "added"), ("消除", "removed")):
        for rule, found in result.findings_change.get(key, {}).items():
            for f in found:
                write_row(change, [label, rule, f["message"]])
    _new_lists(wb, result)
    wb.save(path)
    return path


def _cell(value) -> str:
    return "、".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _new_lists(wb: Workbook, result) -> None:
    """The after-move list of every department the scenario touches, in the published layout."""
    touched = {e["from"] for e in result.outputs["moved"]} | {e["to"] for e in result.outputs["moved"]}
    by_dept: dict[str, list] = {}
    after = result.after.items
    for it in result.after.records(after["id"][after["department"].isin(touched)]):
        by_dept.setdefault(it.department, []).append(it)
    used = set(wb.sheetnames)
    for dept, items in sorted(by_dept.items()):
        sh = wb.create_sheet(_sheet_name("清单", dept, used))
        write_row(sh, [f"{dept}权责清单（按“{result.scenario.name}”调整后）"])
        write_row(sh, LIST_HEADER)
        for n, it in enumerate(items, 1):
            write_row(sh, [n, it.name, it.sub_name, it.category, it.basis_text, it.department, it.unit,
                           "、".join(it.levels), it.scope, it.duties, "\n".join(r.text for r in it.responsibilities),
                           it.accountability, it.remarks])
        for col, width in zip("ABCDEFGHIJKLM", (6, 30, 18, 10, 50, 24, 14, 8, 20, 20, 50, 40, 12)):
            sh.column_dimensions[col].width = width
