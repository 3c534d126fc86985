"""Defect 14-03: "tiny files take unbounded memory or time" (dimension bomb, 16,384-column CSV, zip bomb)."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers import BASIS, HEADER

from quanze.loaders import load_files
from quanze.loaders.readers import limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from badinput.make_corpus import build  # noqa: E402

HOSTILE = ["维度炸弹.xlsx", "超宽.xlsx", "压缩炸弹.xlsx", "谎报大小.xlsx", "条目过多.xlsx", "字符串炸弹.xlsx", "样式炸弹.xlsx", "维度炸弹.xls", "超宽.csv",
           "行数过多.csv", "深嵌套.json", "跨行炸弹.html",
           "多表炸弹.html"]
SECONDS = 10
SLACK = 64 << 20  # over the process as it stands after a first load: allocator arenas, lazily built tables
GB2 = 2 << 30

# Runs one load in a fresh process whose address space is capped at what it has plus the allowance.
PROBE = r"""
import json, resource, sys, time
from pathlib import Path
from quanze.loaders import load_files
target, allowance, warm = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
load_files([Path(p) for p in warm], workers=1)
vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (vm + allowance, resource.RLIM_INFINITY))
start = time.perf_counter()
res = load_files([target], workers=1)
print(json.dumps({"seconds": time.perf_counter() - start, "items": len(res.items),
                  "reasons": [r.reason for r in res.rejected if r.sheet is None],
                  "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}, ensure_ascii=False))
"""


def uncompressed(path: Path) -> int:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist())
    return path.stat().st_size


def allowance(path: Path) -> int:
    """The documented bound: 20 × the uncompressed size, plus the slack, and never above 2 GB."""
    return min(GB2, 20 * uncompressed(path) + SLACK)


def probe(path: Path, warm: list[Path]) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path), str(allowance(path)), *map(str, warm)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    build(out)
    return out


@pytest.fixture(scope="module")
def warm(corpus):
    return [corpus / n for n in ("正常.xlsx", "数字.xls", "编码_gbk.csv", "嵌套.json", "网页.xls")]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_refused_in_seconds_within_the_memory_bound(corpus, warm, name):
    result = probe(corpus / name, warm)
    assert result["items"] == 0 and result["seconds"] < SECONDS
    [reason] = result["reasons"]
    # a limit; a directory that under-declares a member is caught when the unpacked bytes fail their CRC
    assert ("校验失败" if name == "谎报大小.xlsx" else "超过上限") in reason


def test_limit_reasons_name_the_file_and_the_limit(corpus):
    res = load_files([corpus / n for n in ("维度炸弹.xlsx", "超宽.csv", "压缩炸弹.xlsx", "条目过多.xlsx")], workers=1)
    reasons = {f.file: f.rejected[0].reason for f in res.files}
    assert all(f"「{name}」" in r for name, r in reasons.items())
    assert f"{limits.MAX_ROWS:,} 行" in reasons["维度炸弹.xlsx"]
    assert f"{limits.MAX_COLUMNS:,} 列" in reasons["超宽.csv"]
    assert f"{limits.MAX_UNCOMPRESSED_BYTES // 1048576} MB" in reasons["压缩炸弹.xlsx"]
    assert f"{limits.MAX_ZIP_ENTRIES:,} 个" in reasons["条目过多.xlsx"]


def _large_list(n: int) -> list[list[object]]:
    return [HEADER] + [[i, f"对第{i}种违反安全生产管理规定行为的处罚", "", "行政处罚", BASIS + f"（第{i}项）",
                        "明川县应急管理局", "县级", f"负责本县第{i}项", "1.立案责任：立案。\n2.决定责任：作出决定。",
                        f"1.滥用职权的。{i}"] for i in range(1, n + 1)]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])  # csv in GBK costs the most per byte (about 18 ×)
def test_a_large_legitimate_file_loads_within_the_memory_bound(tmp_path, warm, suffix):
    import csv

    n = 4000
    path = tmp_path / f"明川县应急管理局2024年权责清单{suffix}"
    if suffix == ".xlsx":
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("清单")
        for r in _large_list(n):
            ws.append(r)
        wb.save(path)
    else:
        with path.open("w", encoding="gbk", newline="") as f:
            csv.writer(f).writerows(_large_list(n))
    result = probe(path, warm)
    assert result["items"] == n and result["reasons"] == []
    assert result["seconds"] < 60


def test_a_declared_dimension_beyond_the_limits_is_not_trusted_but_the_cells_load(tmp_path):
    """Writers that declare the whole grid are common enough: the actual cells decide, and load."""
    from badinput.make_corpus import good_rows, minimal_xlsx, sheet_xml

    path = minimal_xlsx(tmp_path / "明川县应急管理局2024年权责清单.xlsx",
                        sheet_xml(good_rows(), dimension="A1:XFD1048576"))
    res = load_files([path], workers=1)
    assert len(res.items) == 3 and not res.rejected
