"""The ``quanze`` command: the same operations as the service, from a shell.

Output files have fixed shapes that other tools read (README, "Outputs"); what
is printed is for people, in Chinese.  Each subcommand imports what it uses when
it runs: ``quanze load`` on one list does not wait for the graph, the rules or the
web service to be imported (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from quanze.api.progress import terminal_progress
from quanze.api.summary import findings_summary, load_summary, write_items, write_json, write_report

if TYPE_CHECKING:
    from quanze.loaders import LoadResult


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="清单文件或文件夹（.xls/.xlsx/.xlsm/.csv/.json/.jsonl/.html，按内容识别格式）")
    p.add_argument("--laws", metavar="DIR", help="法律库目录（含 db.sqlite3 与法律文本），用于核对实施依据")
    p.add_argument("--region", help="本级政府名称（如 克拉玛依市），文件中没有写明时使用")
    p.add_argument("--columns", metavar="mapping.yaml",
                   help="列映射文件：文件或工作表名 → {列字母或表头: 字段}，用于无法自动识别的清单")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="quanze", description="权责图谱：读取权责清单，建立可追溯的知识图谱")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="读取清单，输出导入报告和事项表")
    _common(p)
    p.add_argument("--report", metavar="load.json", help="导入报告（JSON）")
    p.add_argument("--export-items", metavar="items.jsonl", help="每行一个事项的 JSON Lines 文件")
    p.add_argument("--explain", action="store_true", help="逐表列出每一列被识别为哪个字段、依据是什么，以及未导入的列")

    p = sub.add_parser("graph", help="建立知识图谱：统计、导出或 SPARQL 查询")
    _common(p)
    p.add_argument("--export", metavar="OUT", help="导出为 .ttl（Turtle）、.jsonld（JSON-LD）或 .graphml")
    p.add_argument("--stats", action="store_true", help="按节点类型、权力类别、部门、层级统计")
    p.add_argument("--sparql", metavar="QUERY", help="SPARQL 查询语句，或 @文件名")
    p.add_argument("--limit", type=int, default=200, help="SPARQL 最多输出的行数（默认 200）")

    p = sub.add_parser("analyze", help="运行规则目录，找出多头执法、职能交叉、权责不对应等问题")
    _common(p)
    p.add_argument("--rules", metavar="SELECTION", help="只运行这些规则，逗号分隔，可写前缀（如 R01,R03,R04）")
    p.add_argument("--set", action="append", default=[], metavar="规则.参数=值",
                   help="改变规则参数，如 R03.threshold=0.6（可多次使用）")
    p.add_argument("--catalogue", nargs="+", metavar="FILE", help="通用目录或指导目录（供 R07）")
    p.add_argument("--township", nargs="+", metavar="FILE", help="乡镇模板清单：法定目录加赋权目录（供 R14）")
    p.add_argument("--cancelled", nargs="+", metavar="FILE", help="已取消事项目录（供 R11）")
    p.add_argument("--national", nargs="+", metavar="FILE", help="全国权责清单基本目录（供 R22：各省缺少或改名的目录事项）")
    p.add_argument("--duties", nargs="+", metavar="FILE", help="三定：职责表（部门、职责两列），或“职能配置、内设机构和人员编制规定”全文 .txt/.md/.docx（供 R05）")
    p.add_argument("--lineage", nargs="+", metavar="FILE", help="本地机构沿革（YAML），叠加在内置的 2018 年机构改革之上（供 R18–R20）")
    p.add_argument("--out", action="append", required=True, metavar="FILE",
                   help="输出 findings.json、findings.xlsx 或 report.html（可多次使用）")
    p.add_argument("--engine", choices=["process", "dask"], default="process",
                   help="运行方式：process（默认，本进程）或 dask（Dask 集群：按地域、本级政府分区并行，结果与本进程相同）")
    p.add_argument("--scheduler", metavar="tcp://HOST:8786", help="已有 Dask 集群的调度器地址（不写则在本机启动工作进程）")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="本机启动的 Dask 工作进程数（默认 2）")
    p.add_argument("--memory-limit", metavar="4GB", help="本机每个 Dask 工作进程的内存上限（默认按本机内存平分）")
    p.add_argument("--work-dir", metavar="DIR",
                   help="Dask 的工作目录（Parquet 分区）；用远程集群时须是各工作节点都能读到的共享目录（默认临时目录，用完删除）")

    p = sub.add_parser("simulate", help="模拟划转方案：划入行政审批局、综合行政执法局或赋权乡镇")
    _common(p)
    p.add_argument("--scenario", required=True, metavar="S.yaml", help="划转方案（YAML），见 examples/scenarios/")
    p.add_argument("--lineage", nargs="+", metavar="FILE", help="本地机构沿革（YAML）")
    p.add_argument("--out", action="append", required=True, metavar="FILE", help="输出 result.json 或 result.xlsx（可多次使用）")

    p = sub.add_parser("serve", help="启动服务（网页与 JSON 接口），数据保存在数据目录中")
    p.add_argument("--data", metavar="DIR", help="数据目录（默认为用户数据目录下的 quanze）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--token", help="写操作令牌；监听非本机地址时必须设置")
    p.add_argument("--laws", metavar="DIR", help="法律库目录（可选）")
    p.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2，每个进程 8 个线程）")
    p.add_argument("--sparql-slots", type=int, default=2, metavar="N",
                   help="同时运行的 SPARQL 查询上限（默认 2，所有工作进程合计；其余请求得到 429）")

    p = sub.add_parser("rules", help="列出规则目录，或生成规则说明页 docs/rules.md")
    p.add_argument("--write-docs", metavar="FILE", help="生成规则说明页（含示例县的示例问题）")
    p.add_argument("--laws", metavar="DIR", help="法律库目录（生成说明页时用于 R12 的示例）")

    p = sub.add_parser("synth", help="生成带已知问题的模拟清单（县、市、省、全国规模），附 truth.json，用于评测和压力测试")
    p.add_argument("--preset", required=True, choices=["county", "city", "province", "nation", "nation-small"],
                   help="规模：county（约三千项）、city（约五万项）、province（约六十六万项）、"
                        "nation（若干个省规模的省，同一全国目录）、nation-small（若干个小省，用于快速查看跨省规则）")
    p.add_argument("--provinces", type=int, metavar="K", help="全国规模的省份数（默认 3）")
    p.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的清单（默认 1）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录：lists/ 清单、inputs/ 参照目录、truth.json、synth.json")
    p.add_argument("--format", choices=["xlsx", "csv"], help="清单文件格式（默认县级 xlsx，市、省级 csv）")

    p = sub.add_parser("demo", help="在自带的示例县（明川县）清单上运行：导入 → 建图 → 规则检查 → 报告")
    p.add_argument("--out", default="out", help="报告输出目录（默认 out/）")
    p.add_argument("--laws", metavar="DIR", help="法律库目录（可选）")
    return ap


def _load(args) -> LoadResult:
    from quanze.loaders import LawLibrary, load_files

    laws = None
    if getattr(args, "laws", None):
        try:
            laws = LawLibrary(args.laws)
        except (FileNotFoundError, OSError) as e:
            raise SystemExit(f"无法读取法律库：{e}")
    with terminal_progress() as progress:
        return load_files(args.files, laws=laws, region=getattr(args, "region", None), progress=progress,
                          columns=_columns(args))


def _columns(args):
    """The parsed --columns file; a malformed one stops the command with its Chinese reason."""
    if not getattr(args, "columns", None):
        return None
    from quanze.loaders.header import load_overrides

    try:
        return load_overrides(args.columns)
    except (OSError, ValueError) as e:
        raise SystemExit(f"无法使用列映射文件：{e}")


def cmd_load(args) -> int:
    result = _load(args)
    print(load_summary(result))
    report = result.report() if args.explain or args.report else None
    if args.explain:
        from quanze.loaders.explain import explain

        print(explain(report))
    if args.report:
        write_json(args.report, report)
        print(f"导入报告已写入 {args.report}")
    if args.export_items:
        write_items(result.items, args.export_items)
        print(f"{len(result.items)} 个事项已写入 {args.export_items}")
    return 0 if result.items else 1


def cmd_graph(args) -> int:
    from quanze.graph import build_graph, export, sparql

    result = _load(args)
    pg = build_graph(result.items)
    print(load_summary(result, brief=True))
    if args.stats:
        print(json.dumps(pg.stats(), ensure_ascii=False, indent=1))
    if args.export:
        try:
            n = export(pg, args.export)
        except ValueError as e:
            raise SystemExit(str(e))
        print(f"图谱已导出到 {args.export}（{n} 条）")
    if args.sparql:
        query = Path(args.sparql[1:]).read_text(encoding="utf-8") if args.sparql.startswith("@") else args.sparql
        try:
            rows = sparql(pg, query, limit=args.limit)
        except Exception as e:  # rdflib raises parser errors of several kinds
            raise SystemExit(f"SPARQL 查询有误：{e}")
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    return 0 if result.items else 1


def cmd_analyze(args) -> int:
    from quanze.pipeline import analyze
    from quanze.api.reports import FORMATS, write_findings
    from quanze.loaders.yamlfile import InputFileError
    from quanze.rules.catalogue import CatalogueError, SettingError
    from quanze.cluster.engine import DaskUnavailable  # dask itself is imported only by --engine dask

    for out in args.out:
        if Path(out).suffix.lower() not in FORMATS:
            raise SystemExit(f"不支持的输出格式 {out}：请用 {'、'.join(FORMATS)}")
    engine = {}
    if args.engine == "dask":
        from quanze.cluster.engine import analyze as analyze_on_dask

        engine = {"scheduler": args.scheduler, "workers": max(args.workers, 1), "memory_limit": args.memory_limit,
                  "work_dir": args.work_dir, "say": lambda line: print(line, flush=True)}
    elif args.scheduler or args.work_dir:
        raise SystemExit("--scheduler 与 --work-dir 只用于 --engine dask")
    try:
        with terminal_progress() as progress:
            done = (analyze_on_dask if engine else analyze)(
                args.files, laws=args.laws, selection=args.rules, settings=args.set,
                catalogue=args.catalogue, township=args.township, cancelled=args.cancelled, national=args.national,
                duties=args.duties, lineage=args.lineage, region=args.region, progress=progress,
                columns=_columns(args), **engine)
    except SettingError as e:  # a bad --set is a usage error, refused before anything is read
        print(e, file=sys.stderr)
        return 2
    except (CatalogueError, InputFileError, FileNotFoundError, OSError) as e:
        raise SystemExit(str(e))
    except DaskUnavailable as e:
        raise SystemExit(str(e))
    print(load_summary(done.load, brief=True))
    if engine:
        e = done.engine
        print(f"Dask：{e['workers']} 个工作进程，{e['partitions']} 个分区，任务 "
              + "、".join(f"{ {'government': '按本级政府', 'territory': '按地域', 'province': '按省', 'whole': '汇总', 'statistics': '全局统计', 'adding': '统计合计'}[k]} {v} 个"
                         for k, v in e["tasks"].items())
              + f"；读取 {e['seconds']['load']} 秒，规则 {e['seconds']['rules']} 秒")
    for r in done.input_rejections:
        print(f"  × {r}")
    print(findings_summary(done.result, done.tables))
    for out in args.out:
        print(f"已写入 {write_findings(done.result, out)}")
    return 0 if done.load.items else 1


def cmd_simulate(args) -> int:
    from quanze.pipeline import prepare
    from quanze.api.reports import write_simulation
    from quanze.loaders.yamlfile import InputFileError
    from quanze.reform import read_scenario, simulate
    from quanze.rules.catalogue import CatalogueError

    for out in args.out:
        if Path(out).suffix.lower() not in (".json", ".xlsx"):
            raise SystemExit(f"不支持的输出格式 {out}：请用 .json 或 .xlsx")
    try:
        scenario = read_scenario(args.scenario)
        with terminal_progress() as progress:
            ready = prepare(args.files, laws=args.laws, lineage=args.lineage, region=args.region, progress=progress,
                            columns=_columns(args))
            result = simulate(ready.tables, scenario, inputs=ready.inputs)
    except (InputFileError, CatalogueError, OSError) as e:
        raise SystemExit(str(e))
    print(load_summary(ready.load, brief=True))
    print(result.summary())
    for out in args.out:
        print(f"已写入 {write_simulation(result, out)}")
    return 0


def cmd_serve(args) -> int:
    import ipaddress

    import platformdirs

    from quanze.api.http import create_app, run_server
    from quanze.api.store import Store
    from quanze.loaders import LawLibrary

    loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    if not loopback and not args.token:
        raise SystemExit(f"监听 {args.host} 时必须用 --token 设置写操作令牌，否则任何人都能上传和修改数据。")
    data = Path(args.data or platformdirs.user_data_dir("quanze"))
    Store(data).close()  # create, migrate and recover the store once, closed before the workers fork

    def app():
        return create_app(data, token=args.token, laws=LawLibrary(args.laws) if args.laws else None,
                          sparql_slots=max(args.sparql_slots, 1))

    print(f"数据目录：{data}\n服务地址：http://{args.host}:{args.port}/  接口文档：/docs", flush=True)
    run_server(app, args.host, args.port, args.workers)
    return 0


def cmd_rules(args) -> int:
    if args.write_docs:
        from quanze.api.rulesdoc import render as render_rules_doc

        Path(args.write_docs).write_text(render_rules_doc(args.laws), encoding="utf-8")
        print(f"已写入 {args.write_docs}")
        return 0
    from quanze.rules.catalogue import load_catalogue

    for r in load_catalogue():
        print(f"{r.id:5} {r.severity} {r.title}（{r.check}）")
    return 0


def cmd_synth(args) -> int:
    from quanze.synth import synthesise

    with terminal_progress() as progress:
        try:
            summary = synthesise(args.preset, args.seed, args.out, fmt=args.format, progress=progress,
                                 provinces=args.provinces)
        except ValueError as e:
            raise SystemExit(str(e)) from None
    print(f"已生成 {summary['lists']} 份清单、{summary['items']} 个事项（{summary['format']}），"
          f"埋设问题 {sum(summary['planted'].values())} 个：" + "、".join(f"{k} {v}" for k, v in summary["planted"].items()))
    print(f"清单在 {Path(args.out) / 'lists'}，参照目录在 {Path(args.out) / 'inputs'}，问题清单为 {Path(args.out) / 'truth.json'}")
    return 0


def cmd_demo(args) -> int:
    from quanze.pipeline import EXAMPLES, analyze, example_inputs
    from quanze.api.reports import write_findings

    example_dir = EXAMPLES / "mingchuan"
    if not example_dir.is_dir():
        raise SystemExit(f"找不到示例清单目录：{example_dir}（安装的 quanze 缺少自带示例，请重新安装）")
    with terminal_progress() as progress:
        done = analyze([example_dir], laws=args.laws, progress=progress, **example_inputs())
    out = Path(args.out)
    paths = write_report(done.load, done.graph, out)
    paths += [write_findings(done.result, out / name, title="明川县权责清单检查报告（示例）")
              for name in ("findings.json", "findings.xlsx", "report.html")]
    print(load_summary(done.load))
    print(findings_summary(done.result))
    for p in paths:
        print(f"已写入 {p}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handlers = {"load": cmd_load, "graph": cmd_graph, "analyze": cmd_analyze, "simulate": cmd_simulate,
                "serve": cmd_serve, "rules": cmd_rules, "synth": cmd_synth, "demo": cmd_demo}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
