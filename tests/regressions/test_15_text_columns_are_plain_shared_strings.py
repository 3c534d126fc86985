"""Issue 15: text columns held pandas string arrays, which boxed every element a rule walked (17 million
times on the city preset) and, Arrow-backed, copied every equal cell.  Text columns are object columns whose
equal cells are one string, built or read back from Parquet alike."""

import pandas as pd
import pytest

from quanze.tables import Tables, build_tables


def _check(tables: Tables) -> None:
    for part in ("items", "citations", "clauses", "departments"):
        frame = getattr(tables, part)
        for col in frame.columns:
            assert not isinstance(frame[col].dtype, pd.StringDtype), f"{part}.{col} is {frame[col].dtype}"
    regions = tables.items["region"].tolist()
    first = {}
    for value in regions:
        assert first.setdefault(value, value) is value, "equal cells of a column should be one string"
    assert all(type(v) is str for v in tables.clauses["text"]), "rules walk the strings themselves"


@pytest.mark.parametrize("read_back", [False, True])
def test_text_columns_are_plain_shared_strings(example, tmp_path, read_back):
    tables = build_tables(example.items)
    _check(Tables.read(tables.write(tmp_path / "t")) if read_back else tables)
