"""Issue 17: the learned pair score inside the overlap findings (R01b, R03).

Every pair these rules report carries the probability that the two items are one matter and, in
Chinese, what carried it; a pair the score finds likely is reported even when the names differ (the
same conduct as a penalty in one department and a coercive measure in another); a pair the wording
alone proposed but the score puts far below is not (names that are only references to article 14 of
two different documents)."""

import pytest

from quanze.api.reports import evidence_text
from quanze.pipeline import analyze
from quanze.rules.pairscore import default_model

SCORED = ("R01b", "R03")


@pytest.fixture(scope="module")
def klmy_runs(klmy_dir, laws_dir):
    on = analyze([klmy_dir], laws=laws_dir, selection=list(SCORED))
    off = analyze([klmy_dir], laws=laws_dir, selection=list(SCORED),
                  settings=[f"{r}.model=false" for r in SCORED])
    return on.result, off.result


def test_every_scored_finding_says_its_probability_and_why(klmy_runs):
    on, _ = klmy_runs
    found = [f for f in on.findings if f.rule in SCORED]
    assert len(found) > 100
    for f in found:
        p, reasons = f.evidence["probability"], f.evidence["reasons"]
        assert 0.0 <= p <= 1.0
        assert f"为同一事项的概率 {p:.0%}" in f.message
        assert set(reasons) == {"for", "against"}
        text = evidence_text(f.evidence)
        assert "为同一事项的概率" in text and "#" not in text and "[" not in text


def test_no_red_finding_without_a_reason(klmy_runs):
    """Regression (issue 17): red R01b findings showed a similarity of 0.06 and nothing saying why."""
    on, _ = klmy_runs
    red = [f for f in on.findings if f.rule in SCORED and f.severity == "红"]
    assert red
    for f in red:
        assert f.evidence["reasons"]["for"], f.message
        assert "支持：" in evidence_text(f.evidence)


def test_the_score_adds_pairs_worded_differently_and_drops_what_it_refutes(klmy_runs):
    on, off = klmy_runs
    model = default_model()
    before = {f.fingerprint: f for f in off.findings}
    after = {f.fingerprint: f for f in on.findings}
    added = [after[k] for k in after.keys() - before.keys()]
    dropped = [before[k] for k in before.keys() - after.keys()]
    assert added and dropped
    for f in added:  # reported on the score alone: it reaches the model's threshold
        assert f.evidence["probability"] >= model.threshold
    # among them the same violation as a penalty in one department and a coercive measure in another
    assert any("权力类型：处罚与强制" in f.evidence["reasons"]["for"] for f in added)
    names = [" / ".join(s["name"] for s in f.subjects) for f in dropped]
    assert any("建设工程造价管理办法》第十四条" in n and "电梯安全监督管理办法》第十四条" in n for n in names), names


def test_without_the_model_the_findings_are_as_before(klmy_runs):
    _, off = klmy_runs
    assert all("probability" not in f.evidence for f in off.findings)
    assert all("为同一事项的概率" not in f.message for f in off.findings)

