"""Write the bundled three-province example (东川省、西岭省、南湖省) from ``provinces.yaml``.

Each province's provincial lists go into ``provinces/<省>/`` (a country's lists kept a folder per
province, which is how a run learns each list's province), and the national 基本目录 — every item of
the YAML, as the catalogue lists it — into ``provinces-inputs/``.  CSV, so the files are the same bytes
every time.  Run ``python examples/build_provinces.py`` after editing the YAML.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HEADER = ["序号", "事项名称", "权力类型", "实施依据", "实施主体", "行使层级", "责任事项", "追责情形", "备注"]
# the stages each category's 责任事项 names (a list without them is R04c's finding)
RESPONSIBILITY = {
    "行政处罚": "1.立案责任：立案。2.调查取证责任：调查。3.审理责任：审理。4.告知责任：告知。5.决定责任：作出决定。"
                "6.送达责任：送达。7.执行责任：执行。",
    "行政许可": "1.受理责任：受理。2.审查责任：审查。3.决定责任：作出决定。4.送达责任：送达。5.事后监管责任：监督检查。",
    "行政检查": "1.检查责任：制定检查计划，实施检查。2.处置责任：对发现的问题依法处理。3.公开责任：公开检查结果。",
}
ACCOUNTABILITY = "1.滥用职权的。2.玩忽职守的。3.徇私舞弊的。"


def _csv(title: str, rows: list[list]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([title] + [""] * (len(HEADER) - 1))
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def _row(seq: int, item: dict, holder: str, level: str) -> list:
    return [seq, item["name"], item["cat"], item["basis"], holder, level, RESPONSIBILITY[item["cat"]], ACCOUNTABILITY, ""]


def build() -> None:
    cfg = yaml.safe_load((HERE / "provinces.yaml").read_text(encoding="utf-8"))
    year = cfg["year"]
    for province in cfg["provinces"]:
        for dept, items in cfg["departments"].items():
            rows = []
            for item in items:
                own = {**item, **(item.get("planted") or {}).get(province, {})}
                if not own.get("absent"):
                    rows.append(_row(len(rows) + 1, own, province + dept, "省级"))
            title = f"{province}{dept}{year}年权责清单"
            _write(HERE / "provinces" / province / f"{title}.csv", _csv(title, rows))
    catalogue = [_row(n, item, f"省{dept}", "省级") for n, (dept, item) in
                 enumerate(((d, it) for d, its in cfg["departments"].items() for it in its), 1)]
    title = "全国权责清单基本目录（省级）"
    _write(HERE / "provinces-inputs" / f"national-{title}.csv", _csv(title, catalogue))


if __name__ == "__main__":
    build()
