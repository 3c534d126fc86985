"""Defect 13 (HTML saved page): "Today an HTML file is refused as 「文件是网页」" — a saved web page loads its tables."""

from helpers import HEADER, row

from quanze.loaders import load_files
from quanze.loaders.formats import detect_format, read_sheets

PAGE = """<%@ page language="java" contentType="text/html; charset=UTF-8"%>
<html><head><title>权责清单公示</title><style>td { color: red }</style></head><body>
<h3>一、行政处罚</h3>
<table border="1">
  <tr><th>序号</th><th>事项名称</th><th colspan="2">依据</th></tr>
  <tr><td rowspan="2">1</td><td>对甲&amp;乙的处罚</td><td>《安全生产法》<br>第九十七条</td><td>&lt;法律&gt;&nbsp;</td></tr>
  <tr><td>对&#x4e19;的处罚</td><td colspan=2>同上</td></tr>
  <tr><td>3<td>对丁的处罚<td>x<td rowspan=9>y
</table>
<p>说明：只有一行的表格不是清单。</p>
<table><tr><td>页脚</td></tr></table>
<table><caption>附表  检查事项</caption>
  <tr><td>序号</td><td>事项名称</td></tr>
  <tr><td>1</td><td><table><tr><td>内</td><td>表</td></tr><tr><td>a</td><td>b</td></tr></table>对戊的检查</td></tr>
</table>
</body></html>"""


def test_saved_page_tables_become_sheets(tmp_path):
    path = tmp_path / "公示.xls"
    path.write_text(PAGE, encoding="utf-8")
    assert detect_format(path) == "html"
    sheets = read_sheets(path, "html")
    # named by the heading before it, by its caption; tables in page order; a one-row table is no sheet
    assert [s.name for s in sheets] == ["一、行政处罚", "附表 检查事项", "一、行政处罚（2）"]
    first = sheets[0]
    assert first.rows == [
        ["序号", "事项名称", "依据", None],
        ["1", "对甲&乙的处罚", "《安全生产法》\n第九十七条", "<法律>"],
        [None, "对丙的处罚", "同上", None],
        ["3", "对丁的处罚", "x", "y"],
    ]
    # spans are merged ranges as in a workbook; a rowspan past the last row is clipped to the table
    assert sorted(first.merged) == [(0, 1, 2, 4), (1, 3, 0, 1), (2, 3, 2, 4)]
    # the inner table is a sheet of its own and its text stays out of the outer cell
    assert sheets[1].rows == [["序号", "事项名称"], ["1", "对戊的检查"]]
    assert sheets[2].rows == [["内", "表"], ["a", "b"]]


def test_unnamed_tables_are_numbered_and_a_page_without_html_tag_loads(tmp_path):
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in [["a", "b"], ["c", "d"]])
    path = tmp_path / "片段.html"
    path.write_text(f"<table>{body}</table>\n<table>{body}</table>", encoding="utf-8")
    assert [s.name for s in read_sheets(path, detect_format(path))] == ["表1", "表2"]


def test_php_page_loads_its_items(tmp_path):
    def cells(values):
        return "".join(f"<td>{'' if v is None else str(v).replace(chr(10), '<br/>')}</td>" for v in values)

    rows = [[h.replace("\n", "") for h in HEADER], row(1, "对甲行为的处罚"), row(2, "对乙行为的检查", category="行政检查")]
    table = "".join(f"<tr>{cells(r)}</tr>" for r in rows)
    path = tmp_path / "明川县应急管理局2024年权责清单.xls"
    path.write_text(f"<?php header('Content-Type: text/html'); ?>\n<h1>明川县应急管理局2024年权责清单</h1>"
                    f"<table>{table}</table>", encoding="gbk")
    res = load_files([path])
    assert res.files[0].format == "html"
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对乙行为的检查"]
    assert res.items[0].citations and "第九十七条" in res.items[0].basis_text
