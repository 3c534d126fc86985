"""The bundled 明川县 example: merged rows, sub-items, drifting names, Traditional twins."""

import opencc
import openpyxl

from conftest import EXAMPLE

from quanze.loaders import load_files


def test_counts_departments_and_levels(example):
    assert len(example.items) == 106
    assert len({it.main_id for it in example.items}) == 105
    assert len(example.departments) == 16
    assert example.rejected == []
    township = [it for it in example.items if it.department.endswith(("镇人民政府", "乡人民政府"))]
    assert len(township) == 18 and all(it.levels == ["乡"] for it in township)
    assert {lv for it in example.items if it not in township for lv in it.levels} == {"县"}


def test_merged_rows_make_one_item_with_its_rows(example):
    it = next(i for i in example.items if i.name == "建筑工程施工许可证核发")
    assert it.source.rows == (3, 4) and it.source.sheet == "住建局"
    # the responsibility cell is split over the two merged rows; both halves are kept
    assert [r.stage for r in it.responsibilities] == ["受理", "审查", "决定", "送达"]


def test_sub_items_share_their_main_item(example):
    subs = [i for i in example.items if i.name == "建筑业企业资质核准"]
    assert [i.sub_name for i in subs] == ["施工劳务企业资质备案", "建筑业企业三级资质核准"]
    assert subs[0].main_id == subs[1].main_id != subs[0].id


def test_department_spelt_two_ways_is_one_entity(example):
    dept = example.departments["明川县|县|应急管理局"]
    assert dept.aliases == {"明川县应急管理局", "县应急管理局"}


def test_traditional_twin_loads_to_the_same_result(tmp_path, example):
    s2t = opencc.OpenCC("s2t")
    twin = tmp_path / "繁體"
    twin.mkdir()
    for src in EXAMPLE.glob("*.xlsx"):
        wb = openpyxl.load_workbook(src)
        for ws in wb.worksheets:
            for line in ws.iter_rows():
                for cell in line:
                    if isinstance(cell.value, str):
                        cell.value = s2t.convert(cell.value).replace("（", "(").replace("：", ":")
        wb.save(twin / s2t.convert(src.name))
    traditional = load_files([twin])
    assert "應急管理局" in "".join(str(c.value) for c in openpyxl.load_workbook(next(twin.glob("*應急*"))).active["F"])

    def canonical(res):
        return sorted((it.to_dict() | {"source": None}).__repr__() for it in res.items)

    assert canonical(traditional) == canonical(example)
