"""Defect: with pyarrow installed (it is now a dependency, for Parquet), pandas keeps text columns in
Arrow and evaluates ``str.contains`` with RE2, which has no look-ahead: a condition such as
吊销(?!营业执照) (legal_levels.yaml, rule R09) would fail or match differently.  Conditions are
evaluated with Python's regular expressions, as the catalogue documents them."""

from __future__ import annotations

import pandas as pd
import pytest

from quanze.rules.conditions import ConditionError, mask


def test_look_ahead_in_a_condition():
    df = pd.DataFrame({"name": ["吊销营业执照", "吊销许可证", "罚款"]})
    assert df["name"].dtype != object  # the text column is pandas' string type, as built by the tables
    hit = mask(df, [{"field": "name", "matches": "吊销(?!营业执照)"}])
    assert hit.tolist() == [False, True, False]


def test_a_broken_pattern_is_a_chinese_condition_error():
    df = pd.DataFrame({"name": ["x"]})
    with pytest.raises(ConditionError, match="正则表达式有误"):
        mask(df, [{"field": "name", "matches": "(("}])
