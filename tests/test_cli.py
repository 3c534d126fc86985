"""The quanze command: output shapes that other tools rely on."""

import json
import subprocess
import sys

from conftest import EXAMPLE

from quanze.api.cli import main


def test_load_writes_report_and_items(tmp_path, capsys):
    report, items = tmp_path / "load.json", tmp_path / "items.jsonl"
    assert main(["load", str(EXAMPLE), "--report", str(report), "--export-items", str(items)]) == 0
    assert "导入 106 个事项" in capsys.readouterr().out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["items"] == 106 and len(data["files"]) == 15
    assert set(data["files"][0]) >= {"file", "items", "rows_read", "sheets", "rejected"}
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 106
    needed = {"id", "name", "sub_name", "category", "category_raw", "department", "department_raw", "levels",
              "basis_text", "citations", "responsibilities", "accountability", "source"}
    assert all(needed <= set(x) for x in lines)
    cited = next(x for x in lines if x["citations"])
    assert set(cited["citations"][0]) >= {"title", "article", "doc_no", "level", "resolved", "article_exists"}
    assert set(cited["source"]) == {"file", "sheet", "rows"}


def test_load_with_laws(tmp_path, mini_laws, capsys):
    report = tmp_path / "load.json"
    main(["load", str(EXAMPLE), "--laws", str(mini_laws), "--report", str(report)])
    laws = json.loads(report.read_text(encoding="utf-8"))["laws"]
    missing = {(m["title"], m["article"]) for m in laws["articles_missing"]}
    # the small corpus holds articles 1, 2, 97 and 119 of 安全生产法 only
    assert ("安全生产法", 122) in missing and ("安全生产法", 97) not in missing
    assert "法律依据" in capsys.readouterr().out


def test_graph_stats_export_and_sparql(tmp_path, capsys):
    out = tmp_path / "g.ttl"
    assert main(["graph", str(EXAMPLE), "--stats", "--export", str(out),
                 "--sparql", "SELECT (COUNT(?i) AS ?n) WHERE { ?i a qz:PowerItem }"]) == 0
    text = capsys.readouterr().out
    assert '"item": 106' in text and '"n": 106' in text and out.exists()


def test_demo_writes_its_report(tmp_path):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "明川县应急管理局" in summary and "导入 106 个事项" in summary
    findings = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert {f["rule"] for f in findings} >= {"R01b", "R03", "R06", "R13", "R14", "R16"}
    assert (tmp_path / "findings.xlsx").exists() and (tmp_path / "report.html").exists()


def test_console_script_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "quanze.api.cli", "load", str(tmp_path / "none.xlsx")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "文件不存在" in proc.stdout


def test_serve_refuses_a_public_address_without_a_token(tmp_path):
    import pytest

    with pytest.raises(SystemExit, match="必须用 --token"):
        main(["serve", "--host", "0.0.0.0", "--data", str(tmp_path)])
