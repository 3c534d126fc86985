"""The column mapping of a load, as an analyst reads it (``quanze load --explain``)."""

from __future__ import annotations

SOURCES = {"column": "权力类型列", "section": "分类标题行", "sheet": "工作表名", "title": "表格标题", "file": "文件名",
           "model": "按事项名称推断", "none": "未能确定"}


def explain(report: dict) -> str:
    """Per file and sheet: the header row, which column became which field on what evidence, and what was left out."""
    lines = []
    for f in report["files"]:
        lines.append(f"{f['file']}（{f['format'] or '未识别'}，地区：{f['region'] or '未写明'}）：{f['items']} 个事项")
        lines.extend(f"  ！{w}" for w in f.get("warnings", []))
        for r in f["rejected"]:
            if r["row"] is None:
                lines.append(f"  ✗ {('「' + r['sheet'] + '」') if r['sheet'] else ''}{r['reason']}")
        for s in f["sheets"]:
            if not s.get("mapping"):
                continue
            lines.append(f"  工作表「{s['sheet']}」：表头在第 {s['header_row']} 行，读取 {s['rows_read']} 行，{s['items']} 个事项")
            for m in s["mapping"]:
                why = m["how"] + ("，内容相符" if m["evidence"] == "header+content" else "")
                lines.append(f"    {m['column']:>3} 列「{m['header'] or '（无表头）'}」→ {m['field_label']}"
                             f"（依据：{why}；得分 {m['score']:.2f}）")
            for ig in s.get("ignored", []):
                lines.append(f"    {ig['column']:>3} 列「{ig['header']}」→ 未导入")
            for t in s.get("tables", [])[1:]:
                lines.append(f"    另一个表格：表头在第 {t['header_row']} 行，"
                             + "、".join(f"{m['column']}→{m['field_label']}" for m in t["mapping"]))
    sources = report.get("category_sources", {})
    if sources:
        lines.append("权力类别来源：" + "，".join(f"{SOURCES.get(k, k)} {n}" for k, n in sources.items()))
    return "\n".join(lines)
