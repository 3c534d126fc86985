"""The 16 lists published by departments of 克拉玛依市 (../shared/data/klmy).

Expected counts were taken by reading the files: the 序号 numbers of each sheet
(and, for 农业农村局, the sheet titles "行政许可（11项）" …).  Notes on the few
places where published numbering and items differ are next to the numbers.
"""

import re

import pytest

from quanze.loaders.citations import cites_article

# file → (主项 loaded, items incl. 子项 and bodies, rows rejected)
EXPECTED = {
    # sheet titles sum to 311; row "2,3" publishes two numbers in one item; 行政征收 item 1 is listed
    # for three bodies (自治区农业农村厅, 县市区农业农村局, 地州市农业农村局)
    "2024年市农业农村局权责清单.xls": (310, 312, 0),
    "2025年克拉玛依市统计局权责清单.xlsx": (3, 3, 0),
    "克拉玛依市人力资源和社会保障局2024年权责清单.xls": (100, 108, 0),
    "克拉玛依市住房和城乡建设局2024年权责清单.xls": (323, 327, 0),
    "克拉玛依市医疗保障局2024年权责清单.xls": (17, 17, 0),
    "克拉玛依市发展和改革委员会2024年权责清单.xls": (57, 57, 0),
    "克拉玛依市商务局2024年权责清单.xlsx": (21, 21, 0),  # 序号 20 left blank on a named row
    "克拉玛依市委宣传部（新闻出版局）2024年权责清单 (1).xlsx": (1, 1, 0),
    "克拉玛依市应急管理局2024年权责清单.xls": (137, 149, 0),
    "克拉玛依市机关事务管理局2024年权责清单.xls": (10, 10, 0),
    # 149 + 161 numbered; 区县级 item 9 repeats 地州级 item 9 word for word (same body and level)
    "克拉玛依市林业和草原系统2024年地县两级权责清单指导目录.xls": (309, 309, 1),
    "克拉玛依市档案局2024年权责清单.xlsx": (12, 12, 0),
    "克拉玛依市科学技术局2024年权责清单.xls": (4, 4, 0),
    "克拉玛依市自然资源局2024年权责清单 (1).xls": (169, 169, 0),
    "附件：克拉玛依市交通运输局2024年权责清单.xlsx": (360, 360, 0),
    "附件：克拉玛依市市场监督管理局2024年权责清单.xls": (442, 442, 0),
}


def test_every_file_loads_with_the_published_counts(klmy):
    got = {f.file: (f.main_items, f.items, len(f.rejected)) for f in klmy.files}
    assert got == EXPECTED


def test_duplicate_in_the_directory_is_reported_where_it_is(klmy):
    [r] = klmy.rejected
    assert (r.file, r.sheet, r.row) == ("克拉玛依市林业和草原系统2024年地县两级权责清单指导目录.xls", "区县级", 11)
    assert "重复事项" in r.reason and "「地州级」第11行" in r.reason


def test_categories_are_canonical(klmy):
    share = sum(it.category is not None for it in klmy.items) / len(klmy.items)
    assert share >= 0.995
    raw = {it.category_raw for it in klmy.items}
    assert {"行政\n确认", "行政 处罚"} & raw  # the variants really occur and map


def test_each_list_resolves_to_one_department(klmy):
    by_file = {}
    for it in klmy.items:
        if it.levels == ["市"]:
            by_file.setdefault(it.source.file, set()).add(it.department)
    # 科技局's list includes one item exercised by the city government itself
    assert by_file.pop("克拉玛依市科学技术局2024年权责清单.xls") == {"克拉玛依市科学技术局", "克拉玛依市人民政府"}
    assert all(len(d) == 1 for d in by_file.values()), by_file
    depts = klmy.departments
    assert {"市交通运输局"} <= depts["克拉玛依市|市|交通运输局"].aliases
    assert {"克拉玛依市发展和改革委员会(粮食和物资储备局)", "克拉玛依市发展和改革委员会", "地州市发展和改革委员会"} <= \
        depts["克拉玛依市|市|发展和改革委员会"].aliases
    assert depts["克拉玛依市|市|商务局"].aliases == {"地州市商务主管部门"}
    assert "克拉玛依市人民政府(克拉玛依市自然资源局承办)" in depts["克拉玛依市|市|自然资源局"].aliases


def test_articles_are_cited_for_almost_every_item_that_names_one(klmy):
    with_article = [it for it in klmy.items if cites_article(it.basis_text)]
    ok = [it for it in with_article if any(c.title and c.article for c in it.citations)]
    assert len(with_article) > 2000
    assert len(ok) / len(with_article) >= 0.95


def test_no_citation_attached_to_an_amending_decision(klmy):
    amending = [(it.source, c.title) for it in klmy.items for c in it.citations
                if re.search(r"关于(废止和)?修改|修正.*决定", c.title)]
    assert amending == []


@pytest.mark.parametrize("file,row,expected", [
    # history names 《国务院关于修改〈医疗器械监督管理条例〉的决定》
    ("附件：克拉玛依市市场监督管理局2024年权责清单.xls", 51, [("医疗器械监督管理条例", 89)]),
    # history without its opening parenthesis names 《关于修改〈中华人民共和国劳动法〉等七部法律的决定》
    ("克拉玛依市人力资源和社会保障局2024年权责清单.xls", 38, [("中华人民共和国民办教育促进法", 64)]),
    # 《节约能源法》 amended by 《关于修改〈中华人民共和国野生动物保护法〉等十五部法律的决定》
    ("克拉玛依市发展和改革委员会2024年权责清单.xls", 21, [("中华人民共和国节约能源法", 76)]),
])
def test_real_rows_cite_the_law_not_the_amendment(klmy, file, row, expected):
    [it] = [i for i in klmy.items if i.source.file == file and i.source.rows[0] == row]
    assert [(c.title, c.article) for c in it.citations] == expected


def test_law_resolution_is_reported(klmy):
    laws = klmy.report()["laws"]
    assert laws["documents"] > 500 and laws["citations"] > 4000
    assert 0.3 < laws["documents_resolved_share"] < 1
    assert laws["citations_resolved_share"] > 0.5
    missing = {(m["title"], m["article"]) for m in laws["articles_missing"]}
    assert ("禁止传销条例", 35) in missing  # the current 条例 has fewer articles
    assert all(m["items"] and m["items"][0]["source"]["file"] for m in laws["articles_missing"])
