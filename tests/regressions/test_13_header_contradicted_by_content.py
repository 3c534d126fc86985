"""Defect 13: a known header whose cells contradict it (a 类别 column full of law titles) must not map to that field."""

from quanze.loaders import load_files


def test_category_header_over_law_titles_is_not_read_as_category(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "行政处罚"
    ws.append(["序号", "事项名称", "类别", "实施主体"])
    laws = ["《中华人民共和国安全生产法》第九十七条", "《中华人民共和国消防法》第六十条", "《危险化学品安全管理条例》第八十条"]
    for n, law in enumerate(laws, 1):
        ws.append([n, f"对第{n}种违法行为的处罚", law, "明川县应急管理局"])
    path = tmp_path / "明川县应急管理局.xlsx"
    wb.save(path)
    res = load_files([path])
    assert not res.rejected  # no 未知的权力类别 for a law title
    assert [it.category for it in res.items] == ["行政处罚"] * 3
    assert all(it.category_source == "sheet" for it in res.items)
    assert [it.basis_text for it in res.items] == laws
    mapping = {m["header"]: m["field"] for m in res.files[0].sheets[0].mapping}
    assert mapping["类别"] == "basis"
