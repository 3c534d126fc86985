"""docs/rules.md: the rule catalogue as a page, generated from the YAML files.

Each rule shows what it checks, its parameters and one finding it makes on the
bundled example (明川县, with its reference inputs) or, for a rule that compares
provinces, on the bundled three-province example, so the page can be checked
against the code: tests/test_catalogue.py fails when a rule is missing here.
"""

from __future__ import annotations

from quanze.pipeline import EXAMPLES, analyze, example_inputs
from quanze.api.reports import evidence_text
from quanze.rules.catalogue import load_catalogue
from quanze.rules.engine import INPUT_LABELS
from quanze.rules.model import SEVERITIES

PARTITION_LABELS = {"government": "同一本级政府之内", "territory": "同一地域（县或市及其乡镇）之内",
                    "province": "同一省之内", "national": "全部载入的清单"}

COUNTY, PROVINCES = "明川县", "三省示例"


def render(laws=None) -> str:
    done = analyze([EXAMPLES / "mingchuan"], laws=laws, **example_inputs())
    provinces = analyze([EXAMPLES / "provinces"], laws=laws, national=sorted((EXAMPLES / "provinces-inputs").glob("*")))
    first = {}
    for example, run in ((COUNTY, done), (PROVINCES, provinces)):
        for f in run.result.findings:
            first.setdefault(f.rule, (example, f))
    lines = [
        "# 规则目录（rules reference）",
        "",
        "Generated from `rules/catalog/*.yaml` by `quanze rules --write-docs docs/rules.md [--laws DIR]`;",
        "do not edit by hand.  Each example finding comes from the bundled example (`examples/mingchuan`",
        "with `examples/mingchuan-inputs`); a rule that compares provinces shows one from the three-province",
        "example (`examples/provinces` with `examples/provinces-inputs`).  Severity: " + "，".join(f"{k} = {v}" for k, v in SEVERITIES.items()) + "。",
        "",
        "| 规则 | 名称 | 严重程度 | 检查方法 | 示例问题数 |",
        "|---|---|---|---|---|",
    ]
    runs = {name: {r.rule.id: r for r in run.result.runs} for name, run in ((COUNTY, done), (PROVINCES, provinces))}
    for rule in load_catalogue():
        rr = runs[first.get(rule.id, (COUNTY,))[0]][rule.id]
        n = rr.findings if rr.status == "ok" else f"未运行（{rr.reason}）"
        lines.append(f"| [{rule.id}](#{rule.id.lower()}) | {rule.title} | {rule.severity} | `{rule.check}` | {n} |")
    for rule in load_catalogue():
        lines += ["", f"## {rule.id}", "", f"**{rule.title}**（{rule.severity}，{SEVERITIES[rule.severity]}）", "",
                  rule.description, ""]
        if rule.answers:
            lines.append(f"回应的实践问题：{'、'.join(rule.answers)}（见 field reports）。")
        if rule.needs:
            lines.append(f"需要输入：{'、'.join(INPUT_LABELS.get(n, n) for n in rule.needs)}。")
        lines.append(f"比较范围（partition）：{rule.partition}（{PARTITION_LABELS[rule.partition]}）。")
        lines += [f"建议处置：{'、'.join(rule.advice)}。", "", f"检查方法 `{rule.check}`，参数：", "", "```yaml"]
        lines += [f"{k}: {v}" for k, v in rule.params.items()] or ["（无）"]
        if rule.applies_to:
            lines.append(f"applies_to: {rule.applies_to}")
        lines += ["```", "", f"消息模板：`{rule.message}`", ""]
        if rule.id not in first:
            lines.append("示例：明川县示例与三省示例中均无此类问题。")
            continue
        example, f = first[rule.id]
        src = "；".join(f"{s['file']}「{s['sheet']}」第{s['rows'][0]}行" for s in f.sources[:3])
        lines += [f"示例（{example}）：", "", f"> {f.message}", ">", f"> 来源：{src}"]
        ev = evidence_text(f.evidence)
        if ev:
            lines += [">"] + [f"> {line}" for line in ev.splitlines()]
    return "\n".join(lines) + "\n"
