"""The legal-basis parser on the forms lists actually use."""

from quanze.loaders.citations import canonical_title, cites_article, infer_level, parse_basis


def cites(text):
    return [(c.title, c.article, c.paragraph, c.item) for c in parse_basis(text)]


def test_title_history_and_article_lines():
    text = ("【法律】《中华人民共和国安全生产法》（2002年6月29日通过 根据2021年6月10日《全国人民代表大会常务委员会"
            "关于修改〈中华人民共和国安全生产法〉的决定》第三次修正）\n    第九十三条：生产经营单位的决策机构……\n"
            "    第一百一十二条：生产经营单位违反本法规定，被责令改正且受到罚款处罚，拒不改正的。")
    assert cites(text) == [("中华人民共和国安全生产法", 93, None, None), ("中华人民共和国安全生产法", 112, None, None)]
    assert all(c.level == "法律" and c.level_tag == "法律" for c in parse_basis(text))


def test_paragraph_lists_items_and_ranges():
    assert cites("《危险化学品安全管理条例》第十二条第一款、第二款") == [
        ("危险化学品安全管理条例", 12, 1, None), ("危险化学品安全管理条例", 12, 2, None)]
    assert cites("《安全生产法》第九十八条第三项") == [("安全生产法", 98, None, 3)]
    assert [c[1] for c in cites("《土地管理法》第七十四条至第七十七条、第八十条")] == [74, 75, 76, 77, 80]
    assert cites("《行政处罚法》第18条") == [("行政处罚法", 18, None, None)]


def test_quoted_article_text_is_not_parsed():
    text = ("【规章】《危险化学品建设项目安全监督管理办法》（2012年1月30日公布）\n"
            "第三十六条第三项：建设单位有下列行为之一的，依照《中华人民共和国安全生产法》有关建设项目"
            "安全设施设计审查的法律责任条款给予处罚，违反本办法第十条规定的。")
    assert cites(text) == [("危险化学品建设项目安全监督管理办法", 36, None, 3)]


def test_never_attached_to_an_amending_decision():
    # the decision sits in the history, whose opening parenthesis the list forgot
    text = ("【法律】《中华人民共和国民办教育促进法》2018年12月29日第十三届全国人民代表大会常务委员会第七次会议"
            "《关于修改〈中华人民共和国劳动法〉等七部法律的决定》第三次修正)\n第六十四条：违反国家有关规定擅自举办民办学校的。")
    assert cites(text) == [("中华人民共和国民办教育促进法", 64, None, None)]
    # history spread over two lines
    text = ("【法律】《中华人民共和国统计法》(1983年12月8日通过,根据\n《国家统计局关于修改〈统计执法监督检查办法〉"
            "的决定》第二次修正)\n第三十八条:县级以上人民政府统计机构……")
    assert cites(text) == [("中华人民共和国统计法", 38, None, None)]


def test_document_numbers_nested_quotes_and_bare_documents():
    [c] = parse_basis("《国务院关于发布政府核准的投资项目目录(2016年本)的通知》（国发〔2016〕72号）")
    assert (c.article, c.doc_no, c.level) == (None, "国发〔2016〕72号", "规范性文件")
    [c] = parse_basis("《浙江省实施〈中华人民共和国节约能源法〉办法》第十条")
    assert c.title == "浙江省实施〈中华人民共和国节约能源法〉办法" and c.level == "地方政府规章"
    assert cites("依据《中华人民共和国安全生产法》和《消防法》等") == [
        ("中华人民共和国安全生产法", None, None, None), ("消防法", None, None, None)]


def test_opening_quote_typed_as_parenthesis():
    assert cites("【法规】(禁止使用童工规定》(2002年10月1日国务院令第364号公布)\n第四条:用人单位招用人员时……") == [
        ("禁止使用童工规定", 4, None, None)]


def test_traditional_text_parses_like_simplified():
    assert cites("《中華人民共和國安全生產法》第九十七條") == cites("《中华人民共和国安全生产法》第九十七条")


def test_levels_from_tags_and_titles():
    assert infer_level("新疆维吾尔自治区道路运输条例", "法规") == "地方性法规"
    assert infer_level("道路运输条例", "法规") == "行政法规"
    assert infer_level("道路旅客运输及客运站管理规定", "规章") == "部门规章"
    assert infer_level("中华人民共和国公路法") == "法律"
    assert canonical_title("中华人民共和国安全生产法") == "安全生产法"


def test_empty_and_unparsable_basis():
    assert parse_basis("") == []
    assert parse_basis("《") == []
    assert parse_basis("根据上级要求") == []
    assert cites_article("第十条") and not cites_article("依据三定方案")
