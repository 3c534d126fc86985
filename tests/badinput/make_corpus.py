"""Generate the bad-input corpus: hostile, damaged and oddly encoded lists, built fresh each run.

Nothing here is committed as a binary: every file is written by code from the
rows of ``tests/helpers.py``.  ``build(outdir)`` returns ``{file name: expected}``
with expected ``"refuse"`` (the whole file is refused), ``"load"`` (its items
load) or ``"either"`` (anything but a traceback).

    python tests/badinput/make_corpus.py OUTDIR
"""

from __future__ import annotations

import csv
import io
import json
import struct
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import HEADER, row, workbook  # noqa: E402

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


# ---------------------------------------------------------------- containers

def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams``.

    Streams are padded to at least 4,096 bytes (and declared so) so that all live
    in ordinary sectors, with no mini stream; one FAT sector covers up to 128
    sectors, plenty for tests.
    """
    names = list(streams)
    assert len(names) <= 3
    data = [streams[n] + b"\x00" * max(0, 4096 - len(streams[n])) for n in names]
    data = [d + b"\x00" * (-len(d) % 512) for d in data]
    fat = [FATSECT, END]
    starts = []
    for d in data:
        n = len(d) // 512
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + n))
        fat.append(END)
    assert len(fat) <= 128
    fat += [FREE] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBBIII", len(raw), kind, 1, FREE, right, child)
                + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1, FREE, END, 0)
    for i, name in enumerate(names, 1):
        directory += entry(name, 2, FREE, i + 1 if i < len(names) else FREE, starts[i - 1], len(data[i - 1]))
    directory = directory.ljust(512, b"\x00")
    header = (OLE2_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(data)


def biff_record(rc: int, body: bytes) -> bytes:
    return struct.pack("<HH", rc, len(body)) + body


def encrypted_xls() -> bytes:
    """A BIFF8 workbook stream whose globals start with FILEPASS (RC4 encryption), in OLE2."""
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206))
    filepass = biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x00" * 48)
    return ole2({"Workbook": bof + filepass + biff_record(0x000A, b"")})


def xls_workbook(cells: list[tuple[int, int, float]], sheet: str = "清单") -> bytes:
    """A BIFF8 workbook with one sheet holding NUMBER cells at (row, col): enough for xlrd."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    name = sheet.encode("utf-16-le")
    font = biff_record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + b"\x05\x00Arial")
    xf = biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    boundsheet_len = 4 + 8 + len(name)
    globals_len = 4 + len(bof) + len(font) + len(xf) + boundsheet_len + 4
    sheet_stream = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x0206))
    sheet_stream += b"".join(biff_record(0x0203, struct.pack("<HHHd", r, c, 0, v)) for r, c, v in cells)
    sheet_stream += biff_record(0x000A, b"")
    stream = (biff_record(0x0809, bof) + font + xf
              + biff_record(0x0085, struct.pack("<IBBBB", globals_len, 0, 0, len(sheet), 1) + name)
              + biff_record(0x000A, b"") + sheet_stream)
    assert len(stream) - len(sheet_stream) == globals_len
    return ole2({"Workbook": stream})


def encrypted_xlsx() -> bytes:
    """What Excel writes for a password-protected xlsx: an OLE2 file with the two encryption streams."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    return ole2({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 8000) + bytes(range(256)) * 16})


def word_document() -> bytes:
    return ole2({"WordDocument": b"\xec\xa5" + b"\x00" * 100})


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '</Types>')
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
             'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
             'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
                 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def inline_cell(ref: str, value: object) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def column_letter(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sheet_xml(rows: list[list[object]], dimension: str | None = None, extra_cells: str = "",
              merged: list[str] = ()) -> str:
    body = [SHEET_OPEN]
    if dimension:
        body.append(f'<dimension ref="{dimension}"/>')
    body.append("<sheetData>")
    for r, values in enumerate(rows, 1):
        cells = "".join(inline_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(values, 1))
        body.append(f'<row r="{r}">{cells}</row>')
    body.append(extra_cells + "</sheetData>")
    if merged:
        body.append(f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
                    + "</mergeCells>")
    body.append("</worksheet>")
    return "".join(body)


def minimal_xlsx(path: Path, sheet: str | bytes, macro: bool = False, extra: dict[str, bytes] | None = None) -> Path:
    """An xlsx written part by part, so that a test controls every byte of the sheet XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        types = CONTENT_TYPES.replace("{main}", XLSM_MAIN if macro else XLSX_MAIN)
        if "xl/sharedStrings.xml" in (extra or {}):  # declared, as a workbook that uses it declares it
            types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                  'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def zip_bomb(path: Path, expanded: int) -> Path:
    """A valid xlsx whose one sheet unpacks to ``expanded`` bytes (whitespace between rows)."""
    head, tail = sheet_xml([HEADER, row(1, "对甲行为的处罚")]).split("</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES.replace("{main}", XLSX_MAIN)),
                           ("_rels/.rels", ROOT_RELS), ("xl/workbook.xml", WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)):
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(head.encode())
            chunk = b" " * (1 << 20)
            for _ in range(expanded // len(chunk)):
                f.write(chunk)
            f.write(("</sheetData>" + tail).encode())
    return path


def lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Rewrite the member's uncompressed size in the local header and the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            name_at = 30 if sig == b"PK\x03\x04" else 46
            n = struct.unpack_from("<H", data, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(data[pos + name_at:pos + name_at + n]) == name:
                struct.pack_into("<I", data, pos + size_at, declared)
            pos += 4
    path.write_bytes(bytes(data))
    return path


def many_entries(path: Path, n: int) -> Path:
    minimal_xlsx(path, sheet_xml([HEADER, row(1, "对甲行为的处罚")]))
    with zipfile.ZipFile(path, "a") as z:
        for i in range(n):
            z.writestr(f"xl/media/pad{i}.txt", b"")
    return path


# ---------------------------------------------------------------- text files

def csv_bytes(rows: list[list[object]], encoding: str, newline: str = "\r\n") -> bytes:
    buf = io.StringIO()
    # a field holding a line break is quoted only if it holds the terminator: quote all for other endings
    quoting = csv.QUOTE_MINIMAL if newline == "\r\n" else csv.QUOTE_ALL
    csv.writer(buf, lineterminator=newline, quoting=quoting).writerows(rows)
    return buf.getvalue().encode(encoding)


def mixed_line_endings(rows: list[list[object]]) -> bytes:
    endings = ["\r\n", "\n", "\r"]
    buf = io.StringIO()
    for i, r in enumerate(rows):
        line = io.StringIO()
        csv.writer(line, lineterminator="", quoting=csv.QUOTE_ALL).writerow(r)
        buf.write(line.getvalue() + endings[i % 3])
    return buf.getvalue().encode("utf-8")


def saved_page(rows: list[list[object]], directive: str = '<%@ page contentType="text/html;charset=UTF-8"%>') -> str:
    def cell(v, tag="td"):
        text = "" if v is None else str(v).replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
        return f"<{tag}>{text}</{tag}>"

    head = "<tr>" + "".join(cell(v, "th") for v in rows[0]) + "</tr>"
    body = "".join("<tr>" + "".join(cell(v) for v in r) + "</tr>" for r in rows[1:])
    return (f"{directive}\n<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>权责清单公示</title>"
            f"<script>var x = '<table><tr><td>脚本</td></tr></table>';</script></head><body>"
            f"<h2>明川县应急管理局2024年权责清单</h2><table border=1>{head}{body}</table></body></html>")


def traditional(rows: list[list[object]]) -> list[list[object]]:
    import opencc

    convert = opencc.OpenCC("s2tw").convert
    return [[convert(v) if isinstance(v, str) else v for v in r] for r in rows]


def good_rows(n: int = 3) -> list[list[object]]:
    return [HEADER] + [row(i, f"对第{i}类违法行为的处罚") for i in range(1, n + 1)]


# ---------------------------------------------------------------- the corpus

def build(out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def put(name: str, data: bytes | str, kind: str) -> Path:
        path = out / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[name] = kind
        return path

    good = workbook(out / "正常.xlsx", {"清单": good_rows()})
    expected["正常.xlsx"] = "load"
    raw = good.read_bytes()
    put("截断.xlsx", raw[: len(raw) // 2], "refuse")
    put("截断尾部.xlsx", raw[:-40], "refuse")
    flipped = bytearray(raw)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    flipped[at] ^= 0xFF
    put("校验错误.xlsx", bytes(flipped), "refuse")
    put("不是压缩包.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100, "refuse")
    buf = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
    put("缺少工作表.xlsx", buf.getvalue(), "refuse")
    put("坏XML.xlsx", _xlsx_bytes(out, SHEET_OPEN + "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x"),
        "refuse")
    put("压缩包.xlsx", _zip_of({"readme.txt": b"hello"}), "refuse")
    put("加密.xlsx", encrypted_xlsx(), "refuse")
    put("加密.xls", encrypted_xls(), "refuse")
    put("文字文档.xls", word_document(), "refuse")
    put("损坏.xls", OLE2_MAGIC + b"\x00" * 600, "refuse")
    put("随机字节.xls", bytes((i * 97 + 13) % 256 for i in range(5000)), "refuse")
    put("空.csv", b"", "refuse")

    # bombs
    bomb = minimal_xlsx(out / "维度炸弹.xlsx", sheet_xml([], dimension="A1:XFD1048576",
                                                      extra_cells='<row r="1048576"><c r="A1048576"><v>1</v></c></row>'))
    expected[bomb.name] = "refuse"
    wide = minimal_xlsx(out / "超宽.xlsx", sheet_xml([HEADER], extra_cells='<row r="2"><c r="XFD2"><v>1</v></c></row>'))
    expected[wide.name] = "refuse"
    expected[zip_bomb(out / "压缩炸弹.xlsx", 260 << 20).name] = "refuse"
    expected[lie_about_size(zip_bomb(out / "谎报大小.xlsx", 64 << 20), "xl/worksheets/sheet1.xml", 4000).name] = "refuse"
    expected[many_entries(out / "条目过多.xlsx", 12_000).name] = "refuse"
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "<si><t>a</t></si>" * 250_000 + "</sst>")
    expected[minimal_xlsx(out / "字符串炸弹.xlsx", sheet_xml(good_rows()), extra={"xl/sharedStrings.xml": sst}).name] = "refuse"
    fonts = '<font><sz val="11"/><name val="宋体"/></font>' * 150_000
    styles = f'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts>{fonts}</fonts></styleSheet>'
    expected[minimal_xlsx(out / "样式炸弹.xlsx", sheet_xml(good_rows()), extra={"xl/styles.xml": styles}).name] = "refuse"
    put("维度炸弹.xls", xls_workbook([(0, 0, 1.0), (65535, 255, 2.0)]), "refuse")
    put("数字.xls", xls_workbook([(r, c, float(r * c)) for r in range(20) for c in range(5)]), "either")
    put("超宽.csv", ",".join(["x"] * 16384) + "\n" + "a,b\n" * 1_000_000, "refuse")
    put("行数过多.csv", csv_bytes(good_rows(1), "utf-8") + b"1,x\n" * 300_000, "refuse")
    put("深嵌套.json", "[" * 100_000 + "]" * 100_000, "refuse")
    put("深嵌套对象.json", '{"a":' * 50 + "1" + "}" * 50, "refuse")
    put("巨大单元格.csv", csv_bytes([HEADER, row(1, "对甲行为的处罚", basis="依据" * 200_000)], "utf-8"), "refuse")
    spans = "<table><tr><td rowspan=65534 colspan=1000>x</td></tr>" + "<tr><td>y</td></tr>" * 5000 + "</table>"
    put("跨行炸弹.html", spans, "refuse")
    wide_table = "<table>" + "<tr><td colspan=1000>x</td></tr>" * 1500 + "</table>"
    put("多表炸弹.html", "<html><body>" + wide_table * 3 + "</body></html>", "refuse")

    # odd encodings and line endings: these load
    for enc in ("gbk", "gb18030", "big5"):
        rows = good_rows() if enc != "big5" else traditional(good_rows())
        put(f"编码_{enc}.csv", csv_bytes(rows, enc), "load")
    put("编码_utf16le.csv", b"\xff\xfe" + csv_bytes(good_rows(), "utf-16-le"), "load")
    put("编码_utf16be.csv", b"\xfe\xff" + csv_bytes(good_rows(), "utf-16-be"), "load")
    put("编码_utf16无签名.csv", csv_bytes(good_rows(), "utf-16-le"), "load")
    put("混合换行.csv", mixed_line_endings(good_rows()), "load")
    put("旧式换行.csv", csv_bytes(good_rows(), "utf-8", "\r"), "load")
    put("控制字符.csv", csv_bytes(good_rows() + [row(9, "对\x01丁\x07行为\x1b的处罚")], "utf-8"), "either")
    put("只有表头.csv", csv_bytes([HEADER], "utf-8"), "either")
    put("表头空白.csv", b"\r\n\r\n,,,\r\n", "either")

    # workbooks with odd content
    formula = workbook(out / "公式无缓存.xlsx", {"清单": good_rows() + [row(4, "=CONCAT(\"对\",\"丙\")")]})
    expected[formula.name] = "load"
    two = workbook(out / "一表两张.xlsx", {"清单": good_rows() + [[None], ["附表"], *good_rows()]})
    expected[two.name] = "either"
    expected[workbook(out / "只有表头.xlsx", {"清单": [HEADER]}).name] = "either"
    expected[workbook(out / "空工作簿.xlsx", {"清单": None}).name] = "either"
    control = minimal_xlsx(out / "控制字符.xlsx", sheet_xml(good_rows() + [row(4, "对_x0001_戊行为_x001B_的处罚")]))
    expected[control.name] = "either"
    huge = minimal_xlsx(out / "巨大单元格.xlsx", sheet_xml(good_rows() + [row(4, "对己行为的处罚", basis="依据" * 100_000)]))
    expected[huge.name] = "either"
    macro = minimal_xlsx(out / "宏.xlsm", sheet_xml(good_rows()), macro=True, extra={"xl/vbaProject.bin": b"\x00" * 64})
    expected[macro.name] = "load"

    # json and web pages
    header, *rows = good_rows()
    records = [dict(zip(header, r)) for r in rows]
    put("逐行.json", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n{坏行\n", "load")
    put("嵌套.json", json.dumps({"code": 0, "data": {"list": records}}, ensure_ascii=False), "load")
    put("标量.json", "42", "either")
    put("坏.json", '[{"事项名称": "x",', "refuse")
    put("网页.xls", saved_page(good_rows()), "load")
    put("模板网页.html", saved_page(good_rows(), "<?php echo 1; ?>"), "load")
    put("无html标签.xls", "<table>" + "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>"
                                                for r in good_rows()) + "</table>", "load")
    put("空网页.html", "<html><body><p>暂无数据</p></body></html>", "refuse")
    put("XML.xml", '<?xml version="1.0"?><root><a>1</a></root>', "refuse")
    return expected


def _zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _xlsx_bytes(out: Path, sheet: str) -> bytes:
    tmp = out / ".tmp.xlsx"
    data = minimal_xlsx(tmp, sheet).read_bytes()
    tmp.unlink()
    return data


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUTDIR")
    for name, kind in build(Path(sys.argv[1])).items():
        print(f"{kind}\t{name}")
