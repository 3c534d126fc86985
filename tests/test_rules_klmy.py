"""The catalogue on the 16 real lists of 克拉玛依市 (skipped without ../shared)."""

import pytest

from quanze.graph import build_graph
from quanze.rules.engine import run


@pytest.fixture(scope="module")
def result(klmy):
    return run(build_graph(klmy.items))


def test_whole_catalogue_runs_without_error(result):
    errors = [(r.rule.id, r.reason) for r in result.runs if r.status == "error"]
    assert errors == []
    skipped = {r.rule.id for r in result.runs if r.status == "skipped"}
    assert skipped == {"R05a", "R05b", "R07", "R11", "R14", "R22"}  # they need inputs the real data does not include


def test_safety_management_overlap_of_emergency_and_transport(result):
    """The overlap the requirements name: 应急局 and 交通运输局 on 安全生产管理机构."""
    pair = [f for f in result.findings if f.rule == "R01b"
            and any(s["name"].startswith("对未按规定设置安全生产管理机构配备安全生产管理人员") for s in f.subjects)
            and any(s["name"].startswith("对生产经营单位未按规定设置安全生产管理机构或者配备安全生产管理人员")
                    for s in f.subjects)]
    assert len(pair) == 1
    assert set(pair[0].departments) == {"克拉玛依市应急管理局", "克拉玛依市交通运输局"}
    assert "《安全生产法》第97条" in pair[0].evidence["shared_provisions"]


@pytest.mark.parametrize("provision, departments", [
    ("《安全生产法》第62条", {"克拉玛依市应急管理局", "克拉玛依市交通运输局", "克拉玛依市住房和城乡建设局",
                           "克拉玛依市发展和改革委员会"}),
    ("《土地管理法》第75条", {"克拉玛依市农业农村局", "克拉玛依市自然资源局"}),
])
def test_departments_sharing_a_provision_are_candidates(result, provision, departments):
    groups = [f for f in result.findings if f.rule == "R01a" and f.evidence["key"] == provision]
    assert groups and set().union(*(set(f.departments) for f in groups)) == departments


def test_forestry_two_levels_without_a_split(result):
    r02 = [f for f in result.findings if f.rule == "R02"]
    assert r02 and all(len({s["department"] for s in f.subjects}) >= 2 for f in r02)
    assert any("林业和草原局" in " ".join(f.departments) for f in r02)


def test_classifier_accuracy_is_reported(result):
    report = result.stats["category_classifier"]
    assert report["items"] > 2000 and report["folds"] == 5 and report["accuracy"] >= 0.9


def test_findings_trace_to_published_rows(result, klmy):
    files = {f.file for f in klmy.files}
    for f in result.findings:
        assert f.sources and {s["file"] for s in f.sources} <= files
