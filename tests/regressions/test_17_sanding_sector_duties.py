"""17: "tried with a two-duty table for 应急管理局 (负责安全生产综合监督管理和工矿商贸行业安全生产监督管理工作。
and one duty of a matter none of its items touches), R05a reported nothing — the unserved duty matched
through 监督管理, which every duty says — and R05b called most of the department's items unmatched, most
of them 安全生产 penalties the first duty plainly covers."

Items written here (as a 县应急管理局 lists them), the duties as its 三定 text words them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rulekit import findings, item  # noqa: E402

from quanze.loaders.duties import load_duties  # noqa: E402
from quanze.loaders.text import normalise  # noqa: E402

DEPT = "明川县应急管理局"
LAW = "【法律】《中华人民共和国安全生产法》\n第{}条"
SECTOR_DUTY = "负责安全生产综合监督管理和工矿商贸行业安全生产监督管理工作。"
UNSERVED = "负责全县防震减灾工作的统筹协调和监督管理，组织开展地震监测预报和震害防御工作。"
PENALTIES = {  # 安全生产 penalties, many of them not saying 安全生产 in their names
    "对生产经营单位未按照规定设置安全生产管理机构或者配备安全生产管理人员的处罚": "九十七",
    "对未为从业人员提供符合国家标准或者行业标准的劳动防护用品的处罚": "九十九",
    "对生产经营单位未如实记录安全生产教育和培训情况的处罚": "九十七",
    "对未对重大危险源登记建档或者未进行定期检测、评估、监控的处罚": "一百零一",
    "对生产经营单位主要负责人未履行法定职责的处罚": "九十四",
    "对生产经营单位拒不执行停产停业整顿决定的处罚": "一百一十三",
    "对未在有较大危险因素的生产经营场所设置明显的安全警示标志的处罚": "九十九",
    "对特种作业人员未按照规定经专门的安全作业培训并取得相应资格上岗作业的处罚": "九十七",
}
TEXT = f"""明川县应急管理局职能配置、内设机构和人员编制规定
第一条　为了规范明川县应急管理局的职能配置、内设机构和人员编制，制定本规定。
第二条　明川县应急管理局贯彻落实党中央关于应急管理工作的方针政策和决策部署。主要职责是：
（一）{SECTOR_DUTY}
（二）{UNSERVED}
（三）完成县委、县政府交办的其他任务。
第三条　明川县应急管理局设下列内设机构：办公室。
"""


def lists():
    items = [item(name, dept=DEPT, basis=LAW.format(article)) for name, article in PENALTIES.items()]
    items.append(item("对生产经营单位安全生产情况的监督检查", "行政检查", dept=DEPT, basis=LAW.format("六十五")))
    items.append(item("查封、扣押不符合保障安全生产的国家标准或者行业标准的设施、设备、器材", "行政强制", dept=DEPT,
                      basis=LAW.format("六十五")))
    return items


@pytest.fixture()
def duties(tmp_path):
    path = tmp_path / "明川县应急管理局三定规定.txt"
    path.write_text(TEXT, encoding="utf-8")
    table, rejected = load_duties([path], region="明川县")
    assert rejected == [] and table["duty"].tolist()[:2] == [normalise(SECTOR_DUTY), normalise(UNSERVED)]
    return table


def test_the_duty_no_item_serves_is_reported_though_it_says_监督管理(duties):
    found = findings(lists(), "R05a", duties=duties)
    assert [f.evidence["duty"] for f in found] == [normalise(UNSERVED)]
    assert found[0].evidence["duty_number"] == 2 and found[0].sources[0]["rows"] == [5, 5]


def test_the_安全生产_items_are_covered_by_the_sector_duty(duties):
    assert findings(lists(), "R05b", duties=duties) == []


def test_an_item_of_another_sector_is_still_unmatched(duties):
    """Covering 安全生产 is not covering everything: a 道路运输 licence serves neither duty."""
    other = item("道路旅客运输经营许可", "行政许可", dept=DEPT, basis="【法规】《中华人民共和国道路运输条例》\n第十条")
    found = findings(lists() + [other], "R05b", duties=duties)
    assert [[s["name"] for s in f.subjects] for f in found] == [["道路旅客运输经营许可"]]
    assert "交通运输" in found[0].evidence["reason"]
