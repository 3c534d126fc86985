"""Tables: what the loaders' records become, what rules read, what the service keeps on disk."""

from __future__ import annotations

import pandas as pd
import pytest

from quanze.pipeline import prepare
from quanze.tables import Tables, as_tables, build_tables, level_rank, territory, top_level


def assert_same_tables(a: Tables, b: Tables) -> None:
    for part in ("items", "citations", "clauses", "departments"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))


def test_a_row_is_its_record_again(example):
    tables = build_tables(example.items)
    assert tables.records() == sorted(example.items, key=lambda it: (it.source.file, it.source.sheet,
                                                                     it.source.rows[0], it.id))


def test_parquet_round_trip_keeps_every_value(example, tmp_path):
    tables = build_tables(example.items)
    back = Tables.read(tables.write(tmp_path / "t"))
    assert_same_tables(tables, back)
    assert back.records() == tables.records()


@pytest.mark.slow
def test_parquet_round_trip_on_the_real_lists(klmy, tmp_path):
    tables = build_tables(klmy.items)
    back = Tables.read(tables.write(tmp_path / "t"))
    assert_same_tables(tables, back)
    assert back.records() == tables.records()


def test_rows_are_in_source_order_whatever_the_input_order(example):
    a, b = build_tables(example.items), build_tables(list(reversed(example.items)))
    assert_same_tables(a, b)


def test_derived_fields_are_computed_once_at_build(example):
    t = build_tables(example.items).items
    first = t.iloc[0]
    assert first["government"] == f"{first['region']}|{first['admin_level']}"
    assert first["department_id"] == f"{first['region']}|{first['admin_level']}|{first['short_name']}"
    assert set(t["category"]) - {""} <= {"行政许可", "行政处罚", "行政强制", "行政检查", "行政征收", "行政给付",
                                         "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务"}


def test_departments_count_their_items(example):
    tables = build_tables(example.items)
    counts = tables.items["department_id"].value_counts()
    assert dict(zip(tables.departments["id"], tables.departments["items"])) == counts.to_dict()
    assert len(tables.departments) == len(example.departments)


def test_subset_keeps_only_its_items(example):
    tables = build_tables(example.items)
    dept = tables.items["department_id"].iloc[0]
    ids = tables.items["id"][tables.items["department_id"] == dept]
    part = tables.subset(ids)
    assert set(part.items["id"]) == set(ids) and set(part.citations["item_id"]) <= set(ids)
    assert list(part.departments["id"]) == [dept]


def test_relations_match_the_graph_view(example):
    tables = build_tables(example.items)
    pg = tables.view("graph")
    for relation in ("exercised_by", "at_level", "based_on", "has_responsibility", "sub_item_of", "part_of"):
        has = dict(zip(tables.items["id"], tables.has_relation(relation)))
        assert has == {i: bool(pg.successors(f"item:{i}", relation)) for i in tables.items["id"]}, relation


def test_views_are_built_once_and_know_their_tables(example):
    tables = build_tables(example.items)
    assert tables.view("graph") is tables.view("graph")
    assert as_tables(tables.view("graph")) is tables


def test_the_pipeline_gives_reference_inputs_as_tables():
    from quanze.pipeline import EXAMPLES, example_inputs

    ready = prepare([EXAMPLES / "mingchuan"], **example_inputs())
    assert isinstance(ready.inputs["catalogue"], Tables) and len(ready.inputs["catalogue"]) > 0
    assert len(ready.tables) == len(ready.load.items)


def test_legal_order_and_territory():
    assert level_rank("法律") == 0 and level_rank("没有这种层级") is None
    assert top_level(["部门规章", "法律", ""]) == "法律" and top_level([]) == ""
    assert territory("明川县城关镇", "乡") == "明川县" and territory("明川县", "县") == "明川县"
