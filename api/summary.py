"""Summaries of a load for people: a few lines on the terminal, a report file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: a load's summary needs neither the graph nor the readers imported
    from quanze.graph import PowerGraph
    from quanze.loaders import LoadResult

MAX_LISTED = 20


def load_summary(result: LoadResult, brief: bool = False) -> str:
    main = result.item_facts()["main_items"]
    lines = [f"读取 {len(result.files)} 个文件，导入 {len(result.items)} 个事项（主项 {main} 个），"
             f"涉及 {len(result.departments)} 个部门；未导入 {len(result.rejected)} 处。"]
    if brief:
        return lines[0]
    for f in result.files:
        lines.append(f"  {f.file}：{f.items} 个事项（读取 {f.rows_read} 行）" + (f"，未导入 {len(f.rejected)} 处" if f.rejected else ""))
    for r in result.rejected[:MAX_LISTED]:
        lines.append(f"  × {r}")
    if len(result.rejected) > MAX_LISTED:
        lines.append(f"  ……另有 {len(result.rejected) - MAX_LISTED} 处未列出，详见导入报告")
    if result.laws is not None:
        s = result.laws
        share = (s.citations_resolved / s.citations * 100) if s.citations else 0
        lines.append(f"法律依据：引用文件 {s.documents} 部，其中 {s.documents_resolved} 部在法律库中找到；"
                     f"引用 {s.citations} 处，找到 {s.citations_resolved} 处（{share:.1f}%）；"
                     f"现行文本中不存在的条款 {len(s.articles_missing)} 处。")
    return "\n".join(lines)


def run_outcome(result) -> tuple[str, str | None]:
    """How a run ended, and which rules failed: a run in which a rule errored is 部分完成, never plain 完成,
    since its findings are not all the catalogue would have found."""
    failed = [rr for rr in result.runs if rr.status == "error"]
    if not failed:
        return "完成", None
    return (f"部分完成：{len(failed)} 条规则出错（{'、'.join(rr.rule.id for rr in failed)}）",
            "；".join(f"规则 {rr.rule.id} 出错：{rr.reason}" for rr in failed))


def findings_summary(result, tables=None) -> str:
    """Counts per rule, and why a rule did not run; with the run's ``tables``, the items the rules comparing
    provinces left out because their province is unknown."""
    stage, failed = run_outcome(result)
    lines = [(f"{stage}。" if failed else "") + f"运行规则 {len(result.runs)} 条，发现问题 {len(result.findings)} 个："]
    for rr in result.runs:
        state = {"ok": f"{rr.findings} 个", "skipped": f"未运行（{rr.reason}）", "error": f"出错：{rr.reason}"}
        lines.append(f"  {rr.rule.id:5} {rr.rule.severity} {rr.rule.title}：{state[rr.status]}")
    unmatched = result.stats.get("duty_departments_without_list")
    if unmatched:
        lines.append(f"三定职责表中这些部门没有对应的清单，其职责未比对：{'、'.join(unmatched)}")
    acc = result.stats.get("category_classifier", {}).get("accuracy")
    if acc is not None:
        lines.append(f"类别分类模型交叉验证准确率：{acc:.1%}")
    lines.extend(_without_province(result, tables))
    return "\n".join(lines)


def _without_province(result, tables) -> list[str]:
    """A line on the items whose province is unknown, when some province is known and a rule compared provinces:
    those rules (R21–R23) leave such items out, which would otherwise pass unseen."""
    ran = [rr.rule.id for rr in result.runs if rr.status == "ok" and "province" in
           (rr.rule.params.get("between"), rr.rule.params.get("within"), rr.rule.params.get("per"))]
    if tables is None or not ran:
        return []
    unknown = tables.items["province"].fillna("") == ""
    if unknown.all() or not unknown.any():
        return []
    files = tables.items.loc[unknown, "file"].nunique()
    return [f"有 {int(unknown.sum())} 个事项（{files} 个清单）未能确定所属省份（清单的地区和所在文件夹都未写明省份），"
            f"未参与按省比较的规则（{'、'.join(ran)}）：请把这些清单放在以省份命名的文件夹中，或在清单中写明地区。"]


def write_json(path: str | Path, data) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def write_items(items, path: str | Path) -> None:
    """One JSON object per item (JSON Lines), the shape documented in the README."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it.to_dict(), ensure_ascii=False) + "\n")


def write_report(result: LoadResult, pg: PowerGraph, out: Path) -> list[Path]:
    """Load report (JSON), items (JSON Lines) and a readable summary (Markdown)."""
    out.mkdir(parents=True, exist_ok=True)
    report, items, summary = out / "load.json", out / "items.jsonl", out / "summary.md"
    write_json(report, result.report())
    write_items(result.items, items)
    summary.write_text(_markdown(result, pg), encoding="utf-8")
    return [report, items, summary]


def _markdown(result: LoadResult, pg: PowerGraph) -> str:
    stats = pg.stats()
    lines = ["# 权责清单导入汇总", "", load_summary(result, brief=True), "", "## 各部门事项数", "",
             "| 部门 | 事项 | " + " | ".join(stats["categories"]) + " |",
             "|---|---|" + "---|" * len(stats["categories"])]
    by_dept: dict[str, Counter] = {}
    for it in result.items:
        by_dept.setdefault(it.department, Counter())[it.category or "未分类"] += 1
    for dept, counts in sorted(by_dept.items(), key=lambda kv: -sum(kv[1].values())):
        lines.append(f"| {dept} | {sum(counts.values())} | " + " | ".join(str(counts.get(c, 0)) for c in stats["categories"]) + " |")
    lines += ["", "## 图谱", "", "| 节点类型 | 数量 |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in stats["node_types"].items()]
    lines += ["", "## 未导入的行", ""]
    lines += [f"- {r}" for r in result.rejected] or ["（无）"]
    warnings = [(f.file, s.sheet, w) for f in result.files for s in f.sheets for w in s.warnings]
    lines += ["", "## 提示", ""] + ([f"- {f}「{s}」：{w}" for f, s, w in warnings] or ["（无）"])
    return "\n".join(lines) + "\n"
