"""Defect 13: stage labels other than 「X责任：」 were not read: 送达阶段 was read as 决定, 受案阶段 as 事后监管."""

import pytest

from quanze.loaders.responsibilities import split_responsibilities, stage_of

# clause texts in the forms lists use; the words after the label name other stages
LABELLED = [
    ("受理阶段责任：公示应当提交的材料，一次性告知补正材料，依法受理或不予受理（不予受理的应当告知理由）", "受理"),
    ("审查阶段：对申请材料进行审查，提出是否同意的审核意见，作出决定前告知申请人", "审查"),
    ("决定环节：作出准予或者不予许可的书面决定，不予许可的说明理由", "决定"),
    ("决定环节依法作出行政处罚决定，并告知当事人申请复议或者提起诉讼的权利", "决定"),
    ("送达阶段：作出决定后七日内将行政处罚决定书送达当事人", "送达"),
    ("送达阶段责任。行政许可决定作出后十日内颁发、送达许可证件，并公开结果", "送达"),
    ("受案阶段：对监督检查中发现的违法行为，或者投诉举报、上级交办的案件予以审查，决定是否立案", "立案"),
    ("受案环节责任：对日常监管中发现的违法行为及时受理登记", "立案"),
    ("调查取证阶段责任：指定专人负责，与当事人有直接利害关系的应当回避，依法收集证据并作出决定", "调查取证"),
    ("(二)核查环节：对申请材料的真实性进行实地核查，必要时组织专家评审", "审查"),
    ("3.检查环节责任：依法对生产经营单位进行现场检查，制作检查笔录，对违法行为作出处理决定", "调查取证"),
    ("（一）送达环节：作出决定后十日内送达决定书", "送达"),
    ("①执行阶段：监督当事人履行处罚决定，逾期不履行的依法申请人民法院强制执行", "执行"),
    ("监督责任。建立健全监督制度，对被许可人从事行政许可事项的活动进行监督，对未经许可擅自从事相关活动的依法予以制止",
     "事后监管"),
    ("审定阶段：经领导小组审议的评奖建议提交市政府常务会最终审定后，向社会公告", "决定"),
]


@pytest.mark.parametrize("clause, stage", LABELLED)
def test_a_labelled_clause_takes_its_label_stage(clause, stage):
    assert stage_of(clause) == stage


def test_unlabelled_clauses_still_take_their_first_keyword():
    assert stage_of("依法作出准予行政许可的决定，并予以公开") == "决定"
    assert stage_of("制作行政处罚决定书并送达当事人") == "决定"  # no label: the first keyword decides
    # a stage word that is no label (no 阶段/环节/责任 or colon after it)
    assert stage_of("受理申请材料，材料不全的一次性告知") == "受理"


def test_numbered_and_unnumbered_labels_in_one_cell():
    cell = ("1.受案阶段责任：对发现的违法行为予以登记。\n2.调查阶段：依法调查取证。\n"
            "审理环节：对案件进行审理。\n告知阶段责任：告知当事人陈述申辩的权利。\n决定环节：作出处罚决定；"
            "送达阶段：送达行政处罚决定书。\n执行阶段：监督当事人履行处罚决定")
    assert [r.stage for r in split_responsibilities(cell)] == ["立案", "调查取证", "审理", "告知", "决定", "送达", "执行"]


def test_a_label_alone_is_a_heading_for_the_clauses_under_it():
    # as 克拉玛依市 lists write it: 监督责任： on its own line above numbered clauses
    cell = ("直接实施责任:\n1.规范完善审批标准、程序等具体规定。\n2.依法依规实施行政许可,作出的准予行政许可决定应当予以公开。\n"
            "监督责任:\n3.建立健全监督制度,对被许可人从事行政许可事项的活动进行监督,对未经行政许可,擅自从事相关活动的,依法采取措施予以制止。")
    got = [(r.stage, r.text[:8]) for r in split_responsibilities(cell)]
    assert got == [("其他", "规范完善审批标准"), ("决定", "依法依规实施行政"), ("事后监管", "建立健全监督制度")]
