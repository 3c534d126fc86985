"""Defect 13: a column was recognised only when its header text was in headers.yaml, so a list in another template loaded 0 items."""

import re

from helpers import BASIS

from quanze.loaders import load_files
from quanze.loaders.reference import table
from quanze.loaders.text import normalise

# wordings invented for this test: they must appear nowhere in headers.yaml
INVENTED = ["次第", "履职事项称谓", "归属门类", "所据法规条文", "履职机关", "应尽义务环节", "失职究办情形"]
ROWS = [
    (1, "对未设置安全生产管理机构的处罚", "行政处罚", BASIS, "明川县应急管理局",
     "1.立案责任：对违法行为立案。\n2.调查取证责任：调查取证。\n3.决定责任：作出处罚决定。", "1.对违法行为不予立案的;\n2.滥用职权的。"),
    (2, "危险化学品经营许可", "行政许可", "【法规】《危险化学品安全管理条例》第三十三条：国家对危险化学品经营实行许可制度。",
     "明川县应急管理局", "1.受理责任：公示条件，受理申请。\n2.审查责任：审查材料。\n3.决定责任：作出决定。\n4.送达责任：送达证件。",
     "1.对符合条件的申请不予受理的;\n2.对不符合条件的申请予以许可的。"),
    (3, "对生产经营单位安全生产的监督检查", "行政检查", "【法律】《中华人民共和国安全生产法》第六十五条：负有安全生产监督管理职责的部门依法开展安全生产行政执法工作。",
     "明川县应急管理局", "1.检查责任：制定检查计划，实施检查。\n2.处置责任：依法处置。\n3.监管责任：加强事后监管。",
     "1.不依法履行检查职责的;\n2.玩忽职守的。"),
]


def _write(path, header, order):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["明川县应急管理局2024年权责清单"])
    ws.append([header[i] for i in order])
    for r in ROWS:
        ws.append([r[i] for i in order])
    wb.save(path)
    return path


def test_invented_wordings_are_really_unknown():
    known = {re.sub(r"\s", "", s) for syn in table("headers")["fields"].values() for s in syn}
    assert not known & set(INVENTED)


def test_invented_headers_map_on_content_in_any_column_order(tmp_path):
    for order in ([0, 1, 2, 3, 4, 5, 6], [4, 3, 1, 6, 0, 5, 2]):
        path = _write(tmp_path / f"明川县应急管理局{order[0]}.xlsx", INVENTED, order)
        res = load_files([path])
        assert [(it.name, it.category, it.department) for it in res.items] == [(r[1], r[2], "明川县应急管理局") for r in ROWS]
        assert all(it.category_source == "column" for it in res.items)
        assert [it.basis_text for it in res.items] == [normalise(r[3]) for r in ROWS]
        assert res.items[0].citations and res.items[0].citations[0].article == 97
        stages = {c.stage for c in res.items[1].responsibilities}
        assert {"受理", "审查", "决定", "送达"} <= stages
        assert "滥用职权" in res.items[0].accountability
        mapping = {m["header"]: (m["field"], m["evidence"]) for m in res.files[0].sheets[0].mapping}
        assert mapping["归属门类"] == ("category", "content")
        assert mapping["履职机关"][0] == "department" and mapping["所据法规条文"][0] == "basis"
        assert mapping["次第"][0] == "seq"


def test_other_regions_wordings_map(tmp_path):
    header = ["序号", "抽查事项名称", "事项性质", "抽查依据", "抽查主体", "责任内容", "追责情形及追责依据"]
    res = load_files([_write(tmp_path / "明川县应急管理局.xlsx", header, range(7))])
    assert [(it.name, it.category, it.basis_text) for it in res.items] == [(r[1], r[2], normalise(r[3])) for r in ROWS]
    assert all(it.accountability for it in res.items)
