"""Defect 13: a JSON document with trailing garbage was read as JSON Lines (every line a rejected row), and JSON Lines
whose first line is broken were refused whole."""

from quanze.loaders import load_files


def test_json_lines_with_a_broken_first_line_load_the_other_lines(tmp_path):
    path = tmp_path / "明川县应急管理局.jsonl"
    path.write_text('{"事项名称": "对甲行为的处罚", "实施主体": "明川县应急管理局"\n'
                    '{"事项名称": "对乙行为的处罚", "实施主体": "明川县应急管理局", "权力类型": "行政处罚"}\n'
                    '{"事项名称": "对丙行为的处罚", "实施主体": "明川县应急管理局", "权力类型": "行政处罚"}\n', encoding="utf-8")
    res = load_files([path])
    assert [it.name for it in res.items] == ["对乙行为的处罚", "对丙行为的处罚"]
    assert len(res.rejected) == 1 and res.rejected[0].row is not None


def test_a_printed_document_with_trailing_garbage_is_one_format_error(tmp_path):
    path = tmp_path / "明川县应急管理局.json"
    path.write_text('[\n  {"事项名称": "对甲行为的处罚",\n   "实施主体": "明川县应急管理局"}\n]\n多余的文字\n', encoding="utf-8")
    res = load_files([path])
    [rejected] = res.rejected
    assert res.items == [] and rejected.row is None and "JSON 格式错误（第5行" in rejected.reason
