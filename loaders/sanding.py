"""Read a 三定规定 as published: the 职能配置、内设机构和人员编制规定 text of one department.

The text is prose (pasted, or the text of a Word file): a title naming the department
(“明川县应急管理局职能配置、内设机构和人员编制规定”), articles 第一条 … 第X条, and in
one of them the enumeration of duties, “主要职责是：（一）……（二）……”.  Each numbered
duty becomes one duty row with the line it starts on (a duty may run over several lines;
the numbering may be （一）, (一), 一、, 1. / 1、 or ①).  The closing duties every
三定 ends with (完成……交办的其他任务, 职能转变, 有关职责分工) are kept and marked
``kind = "closing"``: they are part of the text, but no power item is expected to serve them.

A Word .docx is read from its XML with the standard library (one paragraph a line); a
.doc or PDF must be saved or copied as text first.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from quanze.loaders.model import Rejection
from quanze.loaders.readers.text import decode_text
from quanze.loaders.formats import FileFormatError
from quanze.loaders.text import normalise

PROSE_SUFFIXES = (".txt", ".md", ".docx")
TEXT_SHEET = "正文"  # where a duty of a text is, as a sheet names it in a table: 「正文」第12行 is the file's 12th line
TITLE = re.compile(r"^(?P<dept>.{2,60}?)(?:主要)?职能配置[、，,]?\s*内设机构(?:和|及|、)人员编制(?:规定|方案)")
ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇]+条[\s　:：]*")
INTRO = re.compile(r"主要职责(?:是|为|如下)?\s*[：:]|^[\s　#*]*(?:[一二三四五六七八九十]+[、.．]\s*)?主要职责\s*$")
# numbering styles: the marker at the start of a duty, and the number it carries
CN_DIGITS = "零一二三四五六七八九"
STYLES = {
    "paren": re.compile(r"[（(]([一二三四五六七八九十]{1,3})[）)]"),
    "dun": re.compile(r"([一二三四五六七八九十]{1,3})、"),
    "arabic": re.compile(r"(\d{1,2})\s*[.．、](?!\d)"),
    "circled": re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"),
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
INLINE_STYLES = ("paren", "circled")  # styles split inside a line too (1. and 一、 only at a line's start)
CLOSING = re.compile(r"^(?:完成.{0,20}交办的其他(?:任务|事项|工作)|职能转变|有关职责分工|与.{1,30}的(?:有关)?职责分工)")
HEADING = re.compile(r"^[\s　#*]*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节部分])")


class SandingError(ValueError):
    """A 三定 text that cannot be read; ``line`` is where (None: the whole file)."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass
class Duty:
    number: int
    text: str
    line: int
    kind: str  # duty | closing


def cn_number(s: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23."""
    if "十" in s:
        tens, _, units = s.partition("十")
        return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(units) if units else 0)
    return CN_DIGITS.index(s)


def _number(style: str, token: str) -> int:
    if style == "arabic":
        return int(token)
    if style == "circled":
        return CIRCLED.index(token) + 1
    return cn_number(token)


def is_prose(path: Path) -> bool:
    """Whether ``path`` holds a 三定 text rather than a duty table: by extension, else by content."""
    if path.suffix.lower() in PROSE_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                return "word/document.xml" in z.namelist()
        except zipfile.BadZipFile:
            return False
    try:
        text = decode_text(head[:4096])
    except (FileFormatError, UnicodeDecodeError):
        return False
    return bool(re.search(r"职能配置[、，,]?\s*内设机构|主要职责(?:是|为)\s*[：:]", text))


def text_lines(path: Path) -> list[str]:
    """The file's lines (a Word file: its paragraphs), as written."""
    data = path.read_bytes()
    if not data.strip():
        raise SandingError("文件为空")
    if data.startswith(b"PK"):
        return _docx_paragraphs(path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SandingError("这是旧版 Word（.doc）或 Excel（.xls）文件：三定规定请另存为 .docx 或 .txt 再导入")
    if data.startswith(b"%PDF"):
        raise SandingError("PDF 文件不能直接读取：请将三定规定全文复制为 .txt 再导入")
    try:
        return decode_text(data).splitlines()
    except FileFormatError as e:
        raise SandingError(str(e)) from None


def _docx_paragraphs(path: Path) -> list[str]:
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise SandingError("不是有效的 Word（.docx）文件，或文件已损坏") from None
    return ["".join(t.text or "" for t in p.iter(f"{ns}t")) for p in root.iter(f"{ns}p")]


def parse(lines: list[str]) -> tuple[str, list[Duty]]:
    """The department the 规定 is for and its numbered duties; SandingError when either is missing."""
    department, title_line = "", None
    for n in range(1, min(15, len(lines)) + 1):
        # a title may be set on two lines (the department, then 职能配置……规定)
        m = TITLE.match(normalise(lines[n - 1]).lstrip("#* 　《")) or TITLE.match(
            "".join(normalise(x) for x in lines[n - 1:n + 1]).lstrip("#* 　《"))
        if m:
            department, title_line = m.group("dept").strip("《 　"), n
            break
    if not department:
        raise SandingError("找不到标题：三定规定的标题应为“××县××局职能配置、内设机构和人员编制规定”", 1)
    start = next((n for n in range(title_line, len(lines)) if INTRO.search(normalise(lines[n]))), None)
    if start is None:
        raise SandingError("找不到主要职责：正文应有“主要职责是：”及其后编号的各项职责（（一）、（二）……）", title_line)
    duties: list[Duty] = []
    style = None
    first = normalise(lines[start])
    m = INTRO.search(first)
    pending = [(start + 1, first[m.end():].strip())] if first[m.end():].strip() else []
    pending += [(n + 1, normalise(lines[n])) for n in range(start + 1, len(lines))]
    for line_no, text in pending:
        if not text:
            continue
        if duties and (ARTICLE.match(text) or (HEADING.match(text) and style != "dun")):
            break  # the next article (内设机构) or part heading ends the enumeration
        style = style or next((s for s, rx in STYLES.items() if rx.match(text)), None)
        if style is None:
            raise SandingError(f"主要职责后应为编号的职责（（一）、1. 或 ①），此处是“{text[:20]}”", line_no)
        for piece, numbered in _pieces(text, style, len(duties) + 1):
            if numbered:
                duties.append(Duty(len(duties) + 1, piece, line_no, "duty"))
            elif duties:
                duties[-1].text += piece
    for d in duties:
        d.text = d.text.strip()
        if not d.text:
            raise SandingError(f"第{d.number}项职责没有内容", d.line)
        d.kind = "closing" if CLOSING.match(d.text) else "duty"
    return department, duties


def _pieces(text: str, style: str, expected: int):
    """The line cut at each marker of ``style`` carrying the next number: (text, starts a duty).

    A marker with another number (a list inside a duty, a cited 第三条（一）) is text."""
    rx = STYLES[style]
    found = rx.finditer(text) if style in INLINE_STYLES else filter(None, [rx.match(text)])
    cuts = []
    for m in found:
        if _number(style, m.group(1)) == expected:
            cuts.append(m)
            expected += 1
    if not cuts:
        yield text, False
        return
    if cuts[0].start():
        yield text[:cuts[0].start()], False
    for k, m in enumerate(cuts):
        end = cuts[k + 1].start() if k + 1 < len(cuts) else len(text)
        yield text[m.end():end], True


def read_sanding(path: Path) -> tuple[str, list[Duty]]:
    """The department and duties of the 三定 text at ``path``."""
    return parse(text_lines(path))


def sanding_rows(path: Path, region: str, resolve) -> tuple[list[dict], list[Rejection]]:
    """Duty rows of one 三定 text (``resolve`` names the department), or the rejection saying why none."""
    try:
        department, duties = read_sanding(path)
    except SandingError as e:
        return [], [Rejection(path.name, None, e.line, e.reason)]
    except OSError as e:
        return [], [Rejection(path.name, None, None, f"无法读取：{e}")]
    name = resolve(department, region_hint=region)
    return [{"department_raw": department, "department": name.display if name else department,
             "short_name": name.short_name if name else department, "region": name.region if name else region,
             "duty": d.text, "file": path.name, "sheet": TEXT_SHEET, "row": d.line, "number": d.number, "kind": d.kind}
            for d in duties], []
