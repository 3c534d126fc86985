import pytest

from quanze.loaders.text import chinese_number, compact, normalise


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("九十七", 97), ("一百零五", 105),
    ("一百一十二", 112), ("两千零一", 2001), ("123", 123), ("", None), ("第五", None),
])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_normalise_traditional_and_full_width():
    assert normalise("對未按規定設置安全生產管理機構的處罰（ＡＢ）：") == "对未按规定设置安全生产管理机构的处罚(AB):"


def test_normalise_keeps_line_breaks_but_compact_drops_them():
    assert normalise(" 事项 \r\n 名称 ") == "事项\n名称"
    assert compact("事项\n名称") == "事项名称"


def test_integer_floats_from_xls_lose_their_decimal():
    assert normalise(12.0) == "12"
