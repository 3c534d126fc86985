"""A small, safe condition language for rule files.

A condition is a mapping ``{field: <column>, <operator>: <value>}``; a list of
conditions means all of them.  No code is evaluated, so rule files and run-time
overrides can come from users::

    where:
      - {field: category, in: [行政处罚, 行政检查, 行政强制]}
      - {field: basis_text, empty: true}
      - {field: name, matches: "审批|许可|核准"}
      - any: [{field: basis_text, empty: true}, {field: top_level, eq: 规范性文件}]
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

OPERATORS = ("empty", "in", "not_in", "matches", "not_matches", "eq", "ne", "gt", "lt", "is")


class ConditionError(ValueError):
    pass


def mask(df: pd.DataFrame, conditions: list[dict] | dict | None) -> pd.Series:
    """Rows of ``df`` meeting every condition."""
    out = pd.Series(True, index=df.index)
    if not conditions:
        return out
    if isinstance(conditions, dict):
        conditions = [conditions]
    for cond in conditions:
        out &= _one(df, cond)
    return out


def _one(df: pd.DataFrame, cond: dict) -> pd.Series:
    if set(cond) == {"any"}:
        out = pd.Series(False, index=df.index)
        for sub in cond["any"]:
            out |= _one(df, sub)
        return out
    col = cond.get("field")
    if col not in df.columns:
        raise ConditionError(f"条件中的字段 {col!r} 不存在；可用字段：{', '.join(df.columns)}")
    ops = [k for k in cond if k != "field"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ConditionError(f"条件 {cond!r} 须且只须含一个运算符：{', '.join(OPERATORS)}")
    op, value = ops[0], cond[ops[0]]
    s = df[col]
    if op == "empty":
        blank = s.isna() | (s.astype(str).str.strip() == "")
        return blank if value else ~blank
    if op == "in":
        return s.isin(list(value))
    if op == "not_in":
        return ~s.isin(list(value))
    if op in ("matches", "not_matches"):
        try:
            with warnings.catch_warnings():  # groups in a pattern are for reading, not for extraction
                warnings.simplefilter("ignore", UserWarning)
                # as Python objects: Python's regular expressions (look-ahead 吊销(?!营业执照)), not Arrow's RE2
                hit = s.fillna("").astype(str).astype(object).str.contains(value, regex=True)
        except re.error as e:
            raise ConditionError(f"条件 {cond!r} 的正则表达式有误：{e}") from e
        return hit if op == "matches" else ~hit
    if op == "is":
        if value is None:
            return s.isna()
        return s.map(lambda v: isinstance(v, bool) and v == value)
    if op == "eq":
        return s == value
    if op == "ne":
        return s != value
    if op == "gt":
        return s > value
    return s < value


def problems(conditions, fields) -> str | None:
    """What is wrong with the shape of ``conditions`` (a field not in ``fields``, no or two operators),
    or None; checked when a rule file or a setting is read, before any table exists."""
    if isinstance(conditions, dict):
        conditions = [conditions]
    if not isinstance(conditions, list):
        return "不是条件列表"
    for cond in conditions:
        if not isinstance(cond, dict):
            return f"条件 {cond!r} 不是映射"
        if set(cond) == {"any"}:
            found = problems(cond["any"], fields)
            if found:
                return found
            continue
        if cond.get("field") not in fields:
            return f"条件 {cond!r} 的字段 {cond.get('field')!r} 不存在"
        ops = [k for k in cond if k != "field"]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            return f"条件 {cond!r} 须且只须含一个运算符：{', '.join(OPERATORS)}"
    return None
