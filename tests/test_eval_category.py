"""The labelled category items (tests/eval/category_items.csv) and R13 on them, on the real lists
(skipped without ../shared), and the 衡水 case R13 must keep finding.

The set must be what tests/eval/README_category.md says it is: items named by ids that still exist,
every item labelled (a wrong one with the category it should have), weights that are the inverse
inclusion probability of their stratum, and every item R13 flags today among them.
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from helpers import HEADER, row, workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from eval_category import evaluate  # noqa: E402
from eval_category_sample import ITEMS, population  # noqa: E402

from quanze.pipeline import analyze  # noqa: E402

CATEGORIES = {"行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励",
              "行政裁决", "其他行政权力", "行政备案", "公共服务"}


def _rows():
    with ITEMS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def real(klmy_dir):
    return population(klmy_dir)


def test_every_item_is_labelled_and_weighted_by_its_stratum():
    rows = _rows()
    assert len(rows) >= 300
    assert len({r["item_id"] for r in rows}) == len(rows)
    assert all(r["category_right"] in ("0", "1") for r in rows), "unlabelled items in the set"
    for r in rows:
        if r["category_right"] == "0":
            assert r["true_category"] in CATEGORIES and r["true_category"] != r["listed_category"], r["item_id"]
            assert r["note"], f"a wrong category needs its reason: {r['item_id']}"
        else:
            assert r["true_category"] == "", r["item_id"]
    weights = defaultdict(set)
    for r in rows:
        assert float(r["weight"]) == pytest.approx(1 / float(r["inclusion_prob"]), rel=1e-4)
        weights[r["stratum"]].add(r["weight"])
    assert all(len(w) == 1 for w in weights.values()), "one weight per stratum"
    assert {float(w) for w in weights["R13"]} == {1.0}


def test_the_items_exist_where_the_set_says(real):
    items, _ = real
    by_id = {it["item_id"]: it for it in items}
    for r in _rows():
        assert r["item_id"] in by_id, f"{r['item_id']} is no longer in the lists"
        assert by_id[r["item_id"]]["source"] == r["source"]
        assert by_id[r["item_id"]]["listed_category"] == r["listed_category"]


def test_every_item_R13_flags_is_in_the_set(real):
    _, flags = real
    assert flags, "R13 flags nothing on the real lists"
    assert set(flags) <= {r["item_id"] for r in _rows()}


def test_R13_and_classifier_figures_on_the_labelled_items(klmy_dir):
    out = evaluate(klmy_dir)
    assert out["unlabelled_flags"] == [] and out["missing"] == []
    # regression floors at today's figures (3 of 7 flags truly wrong; classifier ≈ 0.92 weighted)
    assert out["flagged_wrong"] >= 3
    assert out["point"]["precision"] >= 0.4
    assert out["point"]["model_accuracy"] >= 0.9


def _hengshui(tmp_path):
    health = "明川县卫生健康委员会"
    return workbook(tmp_path / "卫健.xlsx", {"清单": [
        HEADER,
        row(1, "执业医师申请个体行医审批", "其他行政权力", dept=health,
            basis="【法律】《中华人民共和国医师法》\n第二十七条：执业医师个体行医，须经县级以上人民政府卫生健康主管部门审批。"),
        row(2, "医疗机构执业登记", "行政许可", dept=health),
        *(row(3 + n, f"对医疗机构违反规定情形{n}的处罚", dept=health) for n in range(10)),
    ]}, title="明川县卫生健康委员会2024年权责清单")


def _found(paths, name="执业医师申请个体行医审批"):
    result = analyze(paths, selection=["R13"]).result
    return [f for f in result.findings if f.rule == "R13" and any(s["name"] == name for s in f.subjects)]


def test_17_R13_hengshui_case_stays_found(tmp_path):
    """执业医师申请个体行医审批 typed 其他行政权力 (the 衡水 case) is an R13 finding suggesting 行政许可."""
    found = _found([_hengshui(tmp_path)])
    assert len(found) == 1
    assert found[0].evidence["suggested"] == "行政许可"
    assert found[0].sources[0]["file"] == "卫健.xlsx"


def test_17_R13_hengshui_case_stays_found_among_the_real_lists(tmp_path, klmy_dir):
    """Loaded with the 16 real lists (the classifier trained on them), the 衡水 case is still found."""
    found = _found([klmy_dir, _hengshui(tmp_path)])
    assert len(found) == 1 and found[0].evidence["suggested"] == "行政许可"
