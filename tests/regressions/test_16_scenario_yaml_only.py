"""Defect 16: scenarios had to be typed as YAML with English keys — the form builds one with Chinese labels."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from scenario_helpers import bureau_form, save_form, service_with_example  # noqa: E402

from quanze.reform import read_scenario  # noqa: E402


def test_a_scenario_is_built_from_the_form_without_typing_yaml(tmp_path):
    client, ds = service_with_example(tmp_path / "data")
    page = client.get("/scenarios").get_data(as_text=True)
    assert "用表单新建方案" in page
    form = client.get("/scenarios/new").get_data(as_text=True)
    assert "select:" not in form and "packages" not in form  # nothing to type in English
    sid = save_form(client, bureau_form(ds, keywords="经营、许可"))
    svc = client.application.extensions["quanze"]
    scenario = read_scenario(svc.scenario_file(sid))
    pkg = scenario.packages[0]
    assert scenario.create == ["行政审批局"] and pkg.to == "行政审批局" and pkg.keep_at_origin == ["事后监管"]
    assert pkg.select == {"categories": ["行政许可"], "keywords": ["经营", "许可"]}
