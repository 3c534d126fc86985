"""Defect 13 (JSON Lines): "JSON Lines (one object per line) → one RawSheet, header = union of keys in first-seen order"."""

import json

from helpers import HEADER, row

from quanze.loaders import load_files
from quanze.loaders.formats import detect_format, read_sheets


def test_one_object_per_line_is_one_sheet(tmp_path):
    path = tmp_path / "lines.jsonl.txt"
    lines = [{"事项名称": "甲", "权力类型": "行政处罚"}, {"事项名称": "乙", "实施依据": "《某法》", "权力类型": "行政检查"},
             {"备注": "无"}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    assert detect_format(path) == "json"
    [sheet] = read_sheets(path, "json")
    assert sheet.rows == [["事项名称", "权力类型", "实施依据", "备注"],
                          ["甲", "行政处罚", None, None], ["乙", "行政检查", "《某法》", None], [None, None, None, "无"]]


def test_a_bad_line_is_one_reported_row_and_the_others_load(tmp_path):
    header = [h.replace("\n", "") for h in HEADER]
    records = [dict(zip(header, row(i, f"对第{i}类行为的处罚"))) for i in (1, 2, 3)]
    text = [json.dumps(r, ensure_ascii=False) for r in records]
    text.insert(2, '{"事项名称": "坏行", ')
    path = tmp_path / "明川县应急管理局2024年权责清单.json"
    path.write_text("\r\n".join(text), encoding="utf-8")
    res = load_files([path])
    assert [it.name for it in res.items] == ["对第1类行为的处罚", "对第2类行为的处罚", "对第3类行为的处罚"]
    assert [r.row for r in res.rejected] == [4]
