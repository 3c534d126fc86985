"""Defect 13 (xlsm): "`.xlsm` (macro workbooks) read like xlsx"."""

import sys
from pathlib import Path

from helpers import HEADER, row

from quanze.loaders import load_files
from quanze.loaders.formats import detect_format, read_sheets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from badinput.make_corpus import minimal_xlsx, sheet_xml  # noqa: E402


def test_macro_workbook_reads_like_xlsx(tmp_path):
    rows = [["明川县应急管理局2024年权责清单"], HEADER, row(1, "对甲行为的处罚"), row(2, "对乙行为的处罚")]
    path = minimal_xlsx(tmp_path / "明川县应急管理局2024年权责清单.xlsm",
                        sheet_xml(rows, dimension="A1:J4", merged=["A1:J1"]),
                        macro=True, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60})
    assert detect_format(path) == "xlsx"
    [sheet] = read_sheets(path, "xlsx")
    assert sheet.name == "清单" and sheet.merged == [(0, 1, 0, 10)]
    assert sheet.rows[2][:2] == [1, "对甲行为的处罚"] and len(sheet.rows) == 4 and len(sheet.rows[0]) == 10
    res = load_files([path])
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对乙行为的处罚"]
