"""14-08: "--set R03.threshold=abc is accepted with 202; the run reports 完成 while R03 errored; R16.min_peers=-1
is accepted; rule files accept unknown parameters and keys (treshold, aplies_to) silently"."""


import pytest
import yaml

from conftest import EXAMPLE
from helpers import TOKEN, upload, wait
from rulekit import item

from quanze import pipeline as analysis
from quanze.api.cli import main
from quanze.api.http import create_app
from quanze.api.summary import findings_summary, run_outcome
from quanze.graph import build_graph
from quanze.rules.catalogue import CATALOG_DIR, CatalogueError, read_rule
from quanze.rules.engine import run
from quanze.rules.primitives import REGISTRY

BAD = [("R03.threshold=abc", "参数 threshold 应为数（0 到 1），而不是 'abc'"),
       ("R16.min_peers=-1", "参数 min_peers 应为整数（不小于 2），而不是 -1"),
       ("R01b.threshold=1.5", "参数 threshold 应为数（0 到 1），而不是 1.5"),
       ("R07.report=[缺位, 多位]", "含不认识的取值 多位"),
       ("R03.treshold=0.5", "没有参数 treshold")]


@pytest.mark.parametrize("setting,message", BAD)
def test_cli_refuses_a_bad_setting_before_reading_any_list(setting, message, tmp_path, monkeypatch, capsys):
    def no_loading(*args, **kwargs):
        raise AssertionError("lists were read before the settings were checked")

    monkeypatch.setattr(analysis, "load_files", no_loading)
    out = tmp_path / "findings.json"
    assert main(["analyze", str(EXAMPLE), "--set", setting, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and setting.split("=")[0] in err and not out.exists()


def test_a_good_setting_still_applies(tmp_path):
    assert main(["analyze", str(EXAMPLE), "--rules", "R16", "--set", "R16.min_peers=2",
                 "--out", str(tmp_path / "f.json")]) == 0


@pytest.fixture()
def client(tmp_path):
    app = create_app(tmp_path / "data", token="s3cret")
    return app, app.test_client()


def upload_example(client):
    return upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]


def test_api_refuses_a_bad_setting_with_422_and_creates_no_job(client):
    app, c = client
    ds = upload_example(c)
    for settings in (["R03.threshold=abc"], ["R16.min_peers=-1"], {"R03.threshold": "abc"}):
        r = c.post(f"/api/datasets/{ds}/analyses", json={"settings": settings}, headers=TOKEN)
        assert r.status_code == 422 and r.content_type.startswith("application/problem+json")
    r = c.post(f"/api/datasets/{ds}/analyses", json={"settings": ["R03.threshold=abc"]}, headers=TOKEN)
    assert "threshold 应为数" in r.json["detail"]
    with app.app_context():
        assert app.extensions["quanze"].store.runs(ds) == []


def _rule_file(tmp_path, edit) -> object:
    doc = yaml.safe_load((CATALOG_DIR / "R03.yaml").read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "R03.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["check"].update(treshold=0.5), "没有参数 treshold"),
    (lambda d: d.update(aplies_to=d.pop("applies_to")), "不认识的字段：aplies_to"),
    (lambda d: d["check"].update(threshold="abc"), "参数 threshold 应为数"),
    (lambda d: d["check"].update(top_k=2.5), "参数 top_k 应为整数"),
    (lambda d: d["check"].update(pair="other"), "取 different、same 之一"),
    (lambda d: d["applies_to"].update(category=["行政许可"]), "applies_to 有不认识的字段：category"),
    (lambda d: d["applies_to"]["where"].append({"field": "nmae", "matches": "许可"}), "字段 'nmae' 不存在"),
    (lambda d: d["check"].update(primitive="simlar"), "不是已有的检查方法"),
])
def test_rule_files_are_refused_when_read(edit, message, tmp_path):
    with pytest.raises(CatalogueError, match="R03.yaml") as e:
        read_rule(_rule_file(tmp_path, edit))
    assert message in str(e.value)


def test_the_shipped_rules_still_read(tmp_path):
    assert read_rule(_rule_file(tmp_path, lambda d: None)).params["threshold"] == 0.75


def test_a_run_with_an_errored_rule_is_not_plain_complete(monkeypatch):
    def broken(self, ctx, scope, params):
        raise RuntimeError("坏了")

    monkeypatch.setattr(type(REGISTRY["outlier"]), "evaluate", broken)
    result = run(build_graph([item("对某行为的处罚", acc="")]), selection="R04b,R16")
    stage, failed = run_outcome(result)
    assert stage.startswith("部分完成") and "R16" in stage and "R16 出错：RuntimeError: 坏了" in failed
    assert findings_summary(result).startswith("部分完成")
    assert run_outcome(run(build_graph([item("对某行为的处罚")]), selection="R04b")) == ("完成", None)


def test_api_run_with_an_errored_rule_says_which(client, monkeypatch):
    def broken(self, ctx, scope, params):
        raise RuntimeError("坏了")

    monkeypatch.setattr(type(REGISTRY["outlier"]), "evaluate", broken)
    _, c = client
    ds = upload_example(c)
    run_id = c.post(f"/api/datasets/{ds}/analyses", json={"rules": "R04b,R16"}, headers=TOKEN).json["id"]
    state = wait(c, run_id)
    assert state["stage"].startswith("部分完成") and "R16" in state["stage"] and "坏了" in state["error"]
