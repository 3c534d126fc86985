"""三定 as published (issue 17): a 职能配置、内设机构和人员编制规定 text read as duties, each with its
number and the line it starts on; the table form still reads; bad texts are Chinese rejections naming
file and line, and the other files still load."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE
from helpers import TOKEN, upload

from quanze.api.http import create_app
from quanze.loaders.duties import load_duties
from quanze.loaders.sanding import SandingError, cn_number, parse

TEXT = """明川县应急管理局职能配置、内设机构和人员编制规定

第一条　为了规范明川县应急管理局的职能配置、内设机构和人员编制，制定本规定。
第二条　明川县应急管理局是县政府工作部门，为正科级。
第三条　明川县应急管理局贯彻落实党中央关于应急管理工作的方针政策和决策部署。主要职责是：
（一）负责全县应急管理工作，指导各乡镇、各部门应对安全生产类、自然灾害类等突发事件。
（二）负责安全生产综合监督管理和工矿商贸行业安全生产监督管理工作，
依法监督检查工矿商贸生产经营单位贯彻执行安全生产法律法规情况。
（三）负责危险化学品安全监督管理综合工作。（四）负责烟花爆竹安全生产监督管理工作。
（五）完成县委、县政府交办的其他任务。
（六）职能转变。1. 强化安全生产源头治理。2. 推进应急管理信息化。
第四条　明川县应急管理局设下列内设机构：（一）办公室。
"""


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_numbered_duties_with_their_lines_and_the_closing_ones_marked(tmp_path):
    duties, bad = load_duties([write(tmp_path, "应急三定.txt", TEXT)], region="明川县")
    assert bad == []
    assert duties["number"].tolist() == [1, 2, 3, 4, 5, 6]
    assert set(duties["department"]) == {"明川县应急管理局"} and set(duties["short_name"]) == {"应急管理局"}
    # a duty running over two lines is one duty, at the line it starts on
    second = duties.iloc[1]
    assert second["row"] == 7 and second["duty"].endswith("贯彻执行安全生产法律法规情况。")
    # two duties on one line are two duties of that line; 1. 2. inside 职能转变 are its own text
    assert duties["row"].tolist()[2:4] == [9, 9] and duties.iloc[3]["duty"] == "负责烟花爆竹安全生产监督管理工作。"
    assert duties["kind"].tolist() == ["duty"] * 4 + ["closing"] * 2
    assert "推进应急管理信息化" in duties.iloc[5]["duty"]
    # 第四条 (内设机构) ends the enumeration: its （一）办公室 is no duty
    assert not duties["duty"].str.contains("办公室").any() and set(duties["file"]) == {"应急三定.txt"}
    assert set(duties["sheet"]) == {"正文"}  # a finding's source reads 应急三定.txt「正文」第7行


@pytest.mark.parametrize("marks", [("1.", "2.", "3."), ("①", "②", "③"), ("一、", "二、", "三、"), ("(一)", "(二)", "(三)")])
def test_other_numberings_and_a_title_on_two_lines(marks):
    lines = ["明川县农业农村局", "职能配置、内设机构和人员编制规定", "第三条　主要职责：",
             f"{marks[0]}负责种子、农药、兽药质量监督管理。", f"{marks[1]}负责农产品质量安全监督管理，",
             "组织开展农产品质量安全监测。", f"{marks[2]}完成县委、县政府交办的其他任务。"]
    department, duties = parse(lines)
    assert department == "明川县农业农村局"
    assert [(d.number, d.line, d.kind) for d in duties] == [(1, 4, "duty"), (2, 5, "duty"), (3, 7, "closing")]
    assert duties[1].text.endswith("监测。")


def test_chinese_numbers():
    assert [cn_number(s) for s in ("一", "十", "十二", "二十", "二十三")] == [1, 10, 12, 20, 23]


def test_bad_texts_name_file_and_line_and_the_other_files_still_load(tmp_path):
    good = write(tmp_path, "good.txt", TEXT)
    untitled = write(tmp_path, "untitled.txt", "第一条　主要职责是：\n（一）负责应急管理工作。\n")
    no_duties = write(tmp_path, "no-duties.md", "明川县应急管理局职能配置、内设机构和人员编制规定\n第一条　本局设办公室。\n")
    unnumbered = write(tmp_path, "unnumbered.txt", TEXT.replace("（一）负责全县", "负责全县"))
    gbk = write(tmp_path, "gbk.txt", TEXT, encoding="gb18030")
    duties, bad = load_duties([untitled, good, no_duties, unnumbered, gbk], region="明川县")
    assert sorted(set(duties["file"])) == ["gbk.txt", "good.txt"] and len(duties) == 12
    why = {r.file: (r.row, r.reason) for r in bad}
    assert set(why) == {"untitled.txt", "no-duties.md", "unnumbered.txt"}
    assert why["untitled.txt"][0] == 1 and "标题" in why["untitled.txt"][1]
    assert why["no-duties.md"][0] == 1 and "主要职责" in why["no-duties.md"][1]
    assert why["unnumbered.txt"][0] == 6 and "编号" in why["unnumbered.txt"][1]
    with pytest.raises(SandingError):
        parse(["明川县应急管理局职能配置、内设机构和人员编制规定", "主要职责是：", "（一）", "（二）负责应急管理。"])


def docx(path: Path, paragraphs: list[str]) -> Path:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    return path


def test_a_word_file_and_a_file_stored_without_its_extension_read_by_content(tmp_path):
    word = docx(tmp_path / "三定.docx", TEXT.splitlines())
    stored = tmp_path / "003.bin"
    stored.write_bytes(word.read_bytes())
    pasted = write(tmp_path, "004.bin", TEXT)
    duties, bad = load_duties([word, stored, pasted], region="明川县")
    assert bad == [] and duties.groupby("file").size().to_dict() == {"003.bin": 6, "004.bin": 6, "三定.docx": 6}
    assert duties[duties["file"] == "三定.docx"]["row"].tolist() == [6, 7, 9, 9, 10, 11]


def test_the_service_takes_a_sanding_text_as_the_duties_input(tmp_path):
    client = create_app(tmp_path / "data", token="s3cret").test_client()
    dataset = upload(client, sorted(EXAMPLE.glob("*应急管理局*.xlsx"))).json["id"]
    path = write(tmp_path, "明川县应急管理局三定规定.txt", TEXT)
    with open(path, "rb") as f:
        r = client.post(f"/api/datasets/{dataset}/inputs", data={"kind": "duties", "file": [(f, path.name)]},
                        content_type="multipart/form-data", headers=TOKEN)
    assert r.status_code == 201, r.json
    files = r.json["report"]["inputs"]["files"]
    assert "duties" in r.json["report"]["inputs"]["attached"]
    assert [(f["file"], f["rows"], f["rejected"]) for f in files] == [(path.name, 6, [])]
