"""Defect 14-14: "a password-protected xlsx … is reported as a damaged xls (XLRDError) instead of as 「文件有密码保护」"."""

import sys
from pathlib import Path

from quanze.loaders import load_files

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from badinput.make_corpus import encrypted_xls, encrypted_xlsx, word_document  # noqa: E402


def _reason(path: Path) -> str:
    res = load_files([path])
    assert res.items == [] and len(res.rejected) == 1
    return res.rejected[0].reason


def test_password_protected_xlsx_is_reported_as_such(tmp_path):
    path = tmp_path / "加密清单.xlsx"
    path.write_bytes(encrypted_xlsx())
    reason = _reason(path)
    assert "密码保护" in reason and "损坏" not in reason and "XLRD" not in reason


def test_encrypted_xls_is_reported_as_such(tmp_path):
    path = tmp_path / "加密清单.xls"
    path.write_bytes(encrypted_xls())
    assert "密码保护" in _reason(path)


def test_other_ole2_documents_are_named(tmp_path):
    path = tmp_path / "其实是文档.xls"
    path.write_bytes(word_document())
    reason = _reason(path)
    assert "不是 Excel 工作簿" in reason and "文字文档" in reason
