"""Bad input is reported with file, sheet and row, and everything else loads."""

import json

from helpers import HEADER, row, workbook

from quanze.loaders import load_files
from quanze.loaders import formats


def test_bad_rows_are_reported_and_good_rows_load(tmp_path):
    path = workbook(tmp_path / "应急.xlsx", {
        "清单": [HEADER,
                 row(1, "对甲行为的处罚"),
                 row(2, "对乙行为的处罚", category="行政协调"),
                 row(3, ""),
                 row(4, "对甲行为的处罚"),
                 row(5, "对丙行为的处罚", category="行政\n处罚"),
                 row(6, "丁事项检查", category="行政监督")],
        "空表": None,
        "说明": [["本清单由县编办汇总"], ["联系人：张三"]],
    })
    res = load_files([path])
    assert [it.name for it in res.items] == ["对甲行为的处罚", "对丙行为的处罚", "丁事项检查"]
    assert [it.category for it in res.items] == ["行政处罚", "行政处罚", "行政检查"]
    assert res.items[2].category_raw == "行政监督"
    by_row = {(r.sheet, r.row): r.reason for r in res.rejected}
    assert "未知的权力类别「行政协调」" in by_row[("清单", 4)]
    assert "事项名称为空" in by_row[("清单", 5)]
    assert "重复事项" in by_row[("清单", 6)] and "「清单」第3行" in by_row[("清单", 6)]
    assert "找不到可识别的表头" in by_row[("说明", None)]
    report = res.report()["files"][0]
    assert report["items"] == 3 and report["file"] == "应急.xlsx"
    assert any("空工作表" in w for s in report["sheets"] for w in s["warnings"])
    json.dumps(res.report(), ensure_ascii=False)  # the report is plain JSON


def test_corrupt_file_does_not_stop_the_others(tmp_path):
    good = workbook(tmp_path / "good.xlsx", {"清单": [HEADER, row(1, "对甲行为的处罚")]})
    corrupt = tmp_path / "损坏.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    html = tmp_path / "网页.xls"
    html.write_text("<html><table><tr><td>序号</td></tr></table></html>", encoding="utf-8")
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    res = load_files([corrupt, good, html, empty, tmp_path / "不存在.xlsx"])
    assert [it.name for it in res.items] == ["对甲行为的处罚"]
    reasons = {f.file: f.rejected[0].reason for f in res.files if f.rejected}
    assert "已损坏" in reasons["损坏.xlsx"]
    assert "网页" in reasons["网页.xls"]
    assert "文件为空" in reasons["空.csv"]
    assert "文件不存在" in reasons["不存在.xlsx"]


def test_huge_upload_is_refused_with_its_size(tmp_path, monkeypatch):
    path = workbook(tmp_path / "big.xlsx", {"清单": [HEADER, row(1, "对甲行为的处罚")]})
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1000)
    res = load_files([path])
    assert res.items == []
    assert "文件过大" in res.files[0].rejected[0].reason and "上限" in res.files[0].rejected[0].reason


def test_wrong_columns_are_named_in_the_report(tmp_path):
    path = workbook(tmp_path / "x.xlsx", {"清单": [HEADER + ["联系电话"], row(1, "对甲行为的处罚") + ["123"]]})
    res = load_files([path])
    assert len(res.items) == 1
    warnings = res.files[0].sheets[0].warnings
    assert any("「联系电话」不是可识别的表头" in w for w in warnings)


def test_format_is_detected_from_content_not_suffix(tmp_path):
    real_xlsx = workbook(tmp_path / "a.xlsx", {"清单": [HEADER, row(1, "对甲行为的处罚")]})
    disguised = tmp_path / "published.xls"
    disguised.write_bytes(real_xlsx.read_bytes())
    res = load_files([disguised])
    assert res.files[0].format == "xlsx" and len(res.items) == 1


def test_old_xls_named_xlsx(tmp_path, klmy_dir):
    src = klmy_dir / "克拉玛依市科学技术局2024年权责清单.xls"
    disguised = tmp_path / "克拉玛依市科学技术局2024年权责清单.xlsx"
    disguised.write_bytes(src.read_bytes())
    res = load_files([disguised])
    assert res.files[0].format == "xls" and len(res.items) == 4


def test_files_read_in_a_process_pool_load_as_in_one_process(tmp_path, monkeypatch):
    """Many files are read by worker processes: the items, their order, the duplicate checks across
    files and the reports per file must not depend on that."""
    from concurrent.futures import ProcessPoolExecutor

    from conftest import EXAMPLE

    from quanze import processes
    from quanze.loaders import pipeline

    corrupt = tmp_path / "损坏.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    repeat = workbook(tmp_path / "重复.xlsx", {"清单": [HEADER, row(1, "对甲行为的处罚"), row(2, "对甲行为的处罚")]})
    paths = [EXAMPLE, corrupt, repeat]
    alone = load_files(paths, workers=1)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    monkeypatch.setattr(processes.threading, "active_count", lambda: 1)  # as in a command-line run
    pools = []
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor",
                        lambda *a, **k: pools.append(a) or ProcessPoolExecutor(*a, **k))
    pooled = load_files(paths, workers=2)
    assert pools == [(2,)]
    assert [it.id for it in pooled.items] == [it.id for it in alone.items] and len(alone.items) > 50
    assert [it.to_dict() for it in pooled.items] == [it.to_dict() for it in alone.items]
    assert pooled.report() == alone.report()
    assert any("已损坏" in r.reason for r in pooled.rejected) and any("重复事项" in r.reason for r in pooled.rejected)


# ---------------------------------------------------------------- the bad-input corpus

def _corpus(tmp_path_factory):
    from badinput.make_corpus import build

    out = tmp_path_factory.mktemp("corpus")
    return out, build(out)


def test_the_whole_corpus_loads_without_a_traceback_in_bounded_time(tmp_path_factory):
    import time

    out, expected = _corpus(tmp_path_factory)
    for name, kind in expected.items():
        start = time.perf_counter()
        res = load_files([out / name], workers=1)
        assert time.perf_counter() - start < 10, name
        [report] = res.files
        refused = [r for r in report.rejected if r.sheet is None]
        if kind == "refuse":
            assert refused and not res.items, name
        if kind == "load":
            assert res.items and not refused, (name, report.rejected)
        for r in report.rejected:
            assert r.reason and any("\u4e00" <= ch <= "\u9fff" for ch in r.reason), (name, r.reason)
    together = load_files([out / n for n in expected], workers=1)
    assert [f.file for f in together.files] == sorted(expected)  # taken by name, whatever the order given


# ---------------------------------------------------------------- property-based: mutated real lists

import io  # noqa: E402
import zipfile  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "mingchuan").glob("*.xlsx"))[:6]
SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# text a mutated cell may hold; not a note (注：…), which rightly ends a table
CELL_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40).filter(
    lambda s: not s.lstrip().startswith(("注", "说明", "备注", "填表", "附注")))


@lru_cache(maxsize=None)
def _original(path: Path):
    res = load_files([path], workers=1)
    return [(it.name, set(it.source.rows)) for it in res.items]


def _one_report(path: Path):
    res = load_files([path], workers=1)
    assert len(res.files) == 1
    return res


@SETTINGS
@given(st.sampled_from(EXAMPLES), st.sampled_from(["flip", "truncate", "drop"]), st.integers(0, 10**9), st.integers(1, 255))
def test_damaged_bytes_of_real_lists_never_stop_a_load(tmp_path, src, op, where, xor):
    data = bytearray(src.read_bytes())
    if op == "flip":
        data[where % len(data)] ^= xor
    elif op == "truncate":
        data = data[: where % len(data)]
    else:
        with zipfile.ZipFile(src) as z:
            members = z.namelist()
            drop = members[where % len(members)]
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
                for m in members:
                    if m != drop:
                        out.writestr(m, z.read(m))
        data = bytearray(buf.getvalue())
    path = tmp_path / src.name
    path.write_bytes(bytes(data))
    _one_report(path)


@SETTINGS
@given(st.binary(max_size=4096), st.sampled_from([".xlsx", ".xls", ".csv", ".json", ".html", ".txt"]))
def test_random_bytes_never_stop_a_load(tmp_path, data, suffix):
    path = tmp_path / f"随机{suffix}"
    path.write_bytes(data)
    res = _one_report(path)
    assert res.items or res.rejected


@SETTINGS
@given(st.sampled_from(EXAMPLES), st.integers(0, 10**6), st.sampled_from(["cell", "clear", "junk"]),
       st.integers(0, 30), st.one_of(CELL_TEXT, st.integers(-10**6, 10**6), st.none()))
def test_mutating_one_row_keeps_every_other_row(tmp_path, src, pick, op, col, value):
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    original = _original(src)
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    rows = sorted({r for _name, rs in original for r in rs})
    r = rows[pick % len(rows)]
    touched = {r}
    for m in ws.merged_cells.ranges:  # a merged range carries the row's value into the rows it spans
        if m.min_row <= r <= m.max_row:
            touched.update(range(m.min_row, m.max_row + 1))
    targets = [ws.cell(r, col % ws.max_column + 1)] if op == "cell" else list(ws[r])
    for cell in targets:
        if not isinstance(cell, MergedCell):
            cell.value = None if op == "clear" else value
    path = tmp_path / src.name
    wb.save(path)
    names = {it.name for it in _one_report(path).items}
    kept = [name for name, rs in original if not rs & touched]
    assert [n for n in kept if n not in names] == []
