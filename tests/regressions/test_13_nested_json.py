"""Defect 13 (nested JSON): "JSON nested as department → items → sub-items … flatten to one row per leaf"."""

import json

from helpers import BASIS

from quanze.loaders import load_files
from quanze.loaders.formats import read_sheets


def _write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_department_items_sub_items_flatten_to_one_row_per_leaf(tmp_path):
    doc = {"部门": "明川县应急管理局", "事项": [
        {"事项名称": "对甲的处罚", "权力类型": "行政处罚", "子项": [{"子项名称": "甲一"}, {"子项名称": "甲二", "备注": "新增"}]},
        {"事项名称": "对乙的检查", "权力类型": "行政检查", "子项": []},
    ]}
    [sheet] = read_sheets(_write(tmp_path, "d.json", doc), "json")
    assert sheet.rows == [["部门", "事项名称", "权力类型", "子项名称", "备注"],
                          ["明川县应急管理局", "对甲的处罚", "行政处罚", "甲一", None],
                          ["明川县应急管理局", "对甲的处罚", "行政处罚", "甲二", "新增"],
                          ["明川县应急管理局", "对乙的检查", "行政检查", None, None]]


def test_a_key_at_two_depths_is_qualified_at_the_deeper_one(tmp_path):
    doc = {"data": {"list": [{"名称": "对甲的处罚", "children": [{"名称": "甲一"}, {"名称": "甲二"}]},
                             {"名称": "对乙的处罚", "子项": [{"名称": "乙一"}]}]}}
    [sheet] = read_sheets(_write(tmp_path, "q.json", doc), "json")
    assert sheet.rows == [["名称", "children.名称", "子项名称"],
                          ["对甲的处罚", "甲一", None], ["对甲的处罚", "甲二", None], ["对乙的处罚", None, "乙一"]]


def test_api_envelope_loads_items_and_old_forms_still_work(tmp_path):
    records = [{"事项名称": "对甲行为的处罚", "权力类型": "行政处罚", "实施依据": BASIS, "实施主体": "明川县应急管理局"},
               {"事项名称": "对乙行为的检查", "权力类型": "行政检查", "实施依据": BASIS, "实施主体": "明川县应急管理局"}]
    envelope = _write(tmp_path, "a.json", {"code": 0, "msg": "成功", "data": {"total": 2, "list": records}})
    items = _write(tmp_path, "b.json", {"items": records})
    sheets = _write(tmp_path, "c.json", {"sheets": {"处罚": records[:1], "检查": records[1:]}})
    names = [[it.name for it in load_files([p], region="明川县").items] for p in (envelope, items, sheets)]
    assert names == [["对甲行为的处罚", "对乙行为的检查"]] * 3
    assert read_sheets(envelope, "json")[0].rows[0] == ["code", "msg", "total", "事项名称", "权力类型", "实施依据", "实施主体"]
