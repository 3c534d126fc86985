"""Defect 14-11: "UTF-16 CSV (with BOM) is rejected whole as binary; a CSV with mixed line endings is rejected whole with an English reason"."""

import csv
import io

import pytest

from quanze.loaders import load_files

HEADER = ["序号", "事项名称", "权力类型", "实施依据", "实施主体"]
ROWS = [HEADER, ["1", "对甲行为的处罚", "行政处罚", "《中华人民共和国安全生产法》第九十七条", "明川县应急管理局"],
        ["2", "对乙行为的检查", "行政检查", "《中华人民共和国安全生产法》第六十五条", "明川县应急管理局"],
        ["3", "对丙行为的处罚", "行政处罚", "《中华人民共和国安全生产法》第九十九条", "明川县应急管理局"]]
NAMES = ["对甲行为的处罚", "对乙行为的检查", "对丙行为的处罚"]


def _csv(rows, terminator="\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=terminator).writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("bom,encoding", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-16-le"),
                                          (b"", "utf-16-be")])
def test_utf16_csv_loads(tmp_path, bom, encoding):
    path = tmp_path / "明川县应急管理局2024年权责清单.csv"
    path.write_bytes(bom + _csv(ROWS).replace(",", "\t").encode(encoding))
    res = load_files([path])
    assert res.files[0].format == "csv" and not res.rejected
    assert [it.name for it in res.items] == NAMES


def test_mixed_line_endings_load(tmp_path):
    lines = [_csv([r], "") for r in ROWS]
    path = tmp_path / "明川县应急管理局2024年权责清单.csv"
    path.write_bytes((lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r").encode("utf-8"))
    res = load_files([path])
    assert not res.rejected
    assert [it.name for it in res.items] == NAMES
