"""CSV (UTF-8 and GBK) and JSON load to the same items as a workbook; what the readers supply besides cells."""

import csv
import json

from helpers import HEADER, row, workbook

from quanze.loaders import load_files


def _rows():
    return [HEADER, row(1, "对甲行为的处罚"), row(2, "对乙行为的检查", category="行政检查")]


def _canonical(res):
    return [(it.id, it.name, it.category, it.department, it.levels, [c.article for c in it.citations]) for it in res.items]


def test_csv_in_utf8_and_gbk(tmp_path):
    results = []
    for encoding in ("utf-8-sig", "gbk", "gb18030"):
        path = tmp_path / f"明川县应急管理局_{encoding}.csv"
        with path.open("w", encoding=encoding, newline="") as f:
            csv.writer(f).writerows(_rows())
        res = load_files([path])
        assert res.files[0].format == "csv"
        results.append(_canonical(res))
    assert results[0] == results[1] == results[2]
    assert [r[1] for r in results[0]] == ["对甲行为的处罚", "对乙行为的检查"]


def test_json_records(tmp_path):
    header, *rows = _rows()
    records = [dict(zip(header, r)) for r in rows]
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"sheets": {"处罚": records[:1], "检查": records[1:]}}, ensure_ascii=False),
                      encoding="utf-8")
    a, b = load_files([plain], region="明川县"), load_files([nested], region="明川县")
    assert _canonical(a) == _canonical(b)
    assert [it.source.sheet for it in b.items] == ["处罚", "检查"]


def test_broken_json_is_reported(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"事项名称": "x",', encoding="utf-8")
    res = load_files([path])
    assert "JSON 格式错误" in res.files[0].rejected[0].reason


def test_formula_without_cached_value_is_listed_by_the_reader(tmp_path):
    from quanze.loaders.formats import read_sheets

    path = workbook(tmp_path / "公式.xlsx", {"清单": [HEADER, row(1, '=CONCAT("对甲","行为的处罚")'), row(2, "对乙行为的处罚")]})
    [sheet] = read_sheets(path, "xlsx")
    # title row 1, header row 2: the formula is in row 3 (index 2), column 事项名称 (index 1)
    assert sheet.uncached == {(2, 1): '=CONCAT("对甲","行为的处罚")'}
    assert sheet.rows[2][1] is None and sheet.rows[3][1] == "对乙行为的处罚"


def test_only_formulas_saved_without_a_value_are_listed(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from badinput.make_corpus import SHEET_OPEN, minimal_xlsx

    from quanze.loaders.formats import read_sheets

    xml = (SHEET_OPEN + '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>2</v></c>'
           '<c r="C1"><f t="shared" si="0" ref="C1:C2">A1*2</f></c></row>'
           '<row r="2"><c r="A2"><v>5</v></c><c r="C2"><f t="shared" si="0"/><v></v></c></row></sheetData></worksheet>')
    [sheet] = read_sheets(minimal_xlsx(tmp_path / "f.xlsx", xml), "xlsx")
    assert sheet.rows == [[1, 2, None], [5, None, None]]
    assert sheet.uncached == {(0, 2): "=A1*2", (1, 2): "=A1*2"}
