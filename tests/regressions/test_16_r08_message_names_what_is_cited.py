"""Issue 16: R08's message ended "（依据：）" — its template asked for a field no hit gave.  The message now
says what the item cites, or 无."""

from helpers import HEADER, row, workbook

from quanze.pipeline import analyze


def test_r08_message_names_what_is_cited(tmp_path):
    path = workbook(tmp_path / "明川县应急管理局权责清单.xlsx", {"行政处罚": [HEADER,
        row(1, "对未按照规定设置安全生产管理机构的处罚", basis=""),
        row(2, "对特种作业人员未持证上岗的处罚", basis="【规范性文件】《明川县安全生产工作规范》"),
    ]})
    found = {f.subjects[0]["name"]: f.message for f in analyze([path], selection="R08").result.findings}
    assert found["对未按照规定设置安全生产管理机构的处罚"].endswith("（所引文件：无）。")
    assert "（所引文件：明川县安全生产工作规范）" in found["对特种作业人员未持证上岗的处罚"]
    assert not any(m.endswith("（依据：）。") or "：）" in m for m in found.values())
