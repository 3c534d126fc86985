"""Graph, scenario and export endpoints of the JSON API (the app factory is in api/http.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from flask import current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from quanze.api import views
from quanze.api.reports import write_findings, write_review_workbook, write_simulation
from quanze.api.scenario_form import simulation_counts
from quanze.api.service import Busy
from quanze.api.store import REVIEW_STATUSES, SORTS, NotFound
from quanze.graph import export as export_graph
from quanze.graph import graph_of
from quanze.loaders.yamlfile import InputFileError
from quanze.rules.engine import RunResult

SPARQL_TIMEOUT = 10.0
SPARQL_MAX_ROWS = 1000


def service():
    return current_app.extensions["quanze"]


def or_404(value, message: str):
    """``value``, or a 404 problem saying what was not found."""
    if value is None:
        abort(404, message=message)
    return value


def _dataset_tables(dataset_id: str):
    """The dataset's tables, or a 404 problem."""
    try:
        return service().load(dataset_id).tables
    except NotFound as e:
        abort(404, message=str(e))


def _send(write, suffix: str, download: str):
    """Write a file with ``write(path)`` into a temporary folder and send it as an attachment."""
    folder = Path(tempfile.mkdtemp(prefix="quanze-"))
    path = folder / f"export{suffix}"
    write(path)
    return send_file(path, as_attachment=True, download_name=download)


class FindingFilter(Schema):
    """The filters of a findings list, the same for the list, its page and its export."""

    rule = fields.String(load_default=None, metadata={
        "description": "规则：编号（R01a）、前缀（R01 即 R01a 和 R01b）或规则名称中的文字，多个用逗号分隔（任一）"})
    severity = fields.String(load_default=None, validate=validate.OneOf(["红", "黄", "蓝"]))
    department = fields.List(fields.String(), load_default=None, metadata={
        "description": "部门名称，可重复（同时涉及这些部门的问题）；不是本次检查的部门名称时按名称中的文字查找"})
    status = fields.String(load_default=None, validate=validate.OneOf(REVIEW_STATUSES))
    q = fields.String(load_default=None, metadata={"description": "问题描述、事项名称、部门或规则名称中的文字"})
    sort = fields.String(load_default=None, validate=validate.OneOf(list(SORTS)), metadata={
        "description": "排序列（默认：红、黄、蓝，再按规则）"})
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


FILTERS = ("rule", "severity", "department", "status", "q")


# ---- graph -----------------------------------------------------------------------------------

graph = Blueprint("graph", __name__, url_prefix="/api/datasets", description="知识图谱：部门、事项、SPARQL")


class ItemQuery(Schema):
    department = fields.String(load_default=None)
    category = fields.String(load_default=None)
    level = fields.String(load_default=None, validate=validate.OneOf(["国家", "省", "市", "县", "乡"]))
    q = fields.String(load_default=None, metadata={"description": "名称中的文字"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ItemPage(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Raw(metadata={"type": "object"}))


class DepartmentSchema(Schema):
    id = fields.String()
    name = fields.String()
    items = fields.Integer()
    categories = fields.Dict(keys=fields.String(), values=fields.Integer())


class ItemDetail(Schema):
    item = fields.Dict()
    department = fields.String()
    bases = fields.List(fields.String())
    responsibilities = fields.List(fields.Dict())
    related = fields.List(fields.Dict())


class SparqlQuery(Schema):
    query = fields.String(required=True)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=SPARQL_MAX_ROWS))


class SparqlResult(Schema):
    rows = fields.List(fields.Dict())


@graph.route("/<dataset_id>/departments")
class Departments(MethodView):
    @graph.response(200, DepartmentSchema(many=True))
    def get(self, dataset_id):
        """部门及其事项数（按类别）"""
        return views.departments(_dataset_tables(dataset_id))


@graph.route("/<dataset_id>/items")
class Items(MethodView):
    @graph.arguments(ItemQuery, location="query")
    @graph.response(200, ItemPage)
    def get(self, query, dataset_id):
        """事项：按部门、类别、层级、名称筛选，分页"""
        found = views.matching(_dataset_tables(dataset_id).items, query["department"], query["category"],
                               query["level"], query["q"])
        start = (query["page"] - 1) * query["per_page"]
        return {"total": len(found), "page": query["page"], "per_page": query["per_page"],
                "items": views.brief_rows(found.iloc[start:start + query["per_page"]])}


@graph.route("/<dataset_id>/items/<item_id>")
class ItemOne(MethodView):
    @graph.response(200, ItemDetail)
    def get(self, dataset_id, item_id):
        """一个事项及其邻域：依据、责任事项、依据同一条款的其他事项、同一主项的子项"""
        tables = _dataset_tables(dataset_id)
        try:
            hood = views.neighbourhood(tables, item_id)
        except KeyError:
            abort(404, message=f"没有事项 {item_id}。")
        it = hood["item"]
        related = views.related(tables, item_id, hood)[:100]
        rows = tables.items.iloc[sorted(tables.position[i] for i in related)] if related else tables.items.iloc[:0]
        briefs = {b["id"]: b for b in views.brief_rows(rows)}
        return {"item": it.to_dict(), "department": it.department,
                "bases": views.base_names(tables, hood["bases"]),
                "responsibilities": [r.to_dict() for r in it.responsibilities],
                "related": [briefs[i] for i in related]}


@graph.route("/<dataset_id>/sparql")
class Sparql(MethodView):
    @graph.arguments(SparqlQuery, location="query")
    @graph.response(200, SparqlResult)
    def get(self, query, dataset_id):
        """只读 SPARQL 查询（有时间和行数上限；前缀 qz: 已定义）"""
        _dataset_tables(dataset_id)
        try:
            rows = service().sparql(dataset_id, query["query"], query["limit"], SPARQL_TIMEOUT)
        except Busy as e:
            abort(429, message=str(e), headers={"Retry-After": str(round(SPARQL_TIMEOUT))})
        except (TimeoutError, ValueError) as e:  # over the time limit, or not a read-only query
            abort(422, message=str(e))
        return {"rows": rows}


@graph.route("/<dataset_id>/graph")
class GraphExport(MethodView):
    @graph.arguments(Schema.from_dict({"format": fields.String(
        load_default="ttl", validate=validate.OneOf(["ttl", "jsonld", "graphml"]))})(), location="query")
    @graph.response(200, description="图谱文件（Turtle、JSON-LD 或 GraphML）")
    def get(self, query, dataset_id):
        """导出知识图谱"""
        tables = _dataset_tables(dataset_id)
        suffix = f".{query['format']}"
        return _send(lambda path: export_graph(graph_of(tables), path), suffix, f"graph-{dataset_id}{suffix}")


# ---- exports of findings ---------------------------------------------------------------------

exports = Blueprint("exports", __name__, url_prefix="/api/analyses", description="导出")


class ExportQuery(FindingFilter):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv", "json"]))


@exports.route("/<analysis_id>/export")
class FindingsExport(MethodView):
    @exports.arguments(ExportQuery, location="query")
    @exports.response(200, description="问题清单（Excel、CSV 或 JSON）")
    def get(self, query, analysis_id):
        """导出一次检查的问题（可用与问题列表相同的筛选参数）：Excel 每个问题一行，附核查状态、汇总和各部门工作表"""
        store = service().store
        run = store.run(analysis_id)
        if run is None or run["status"] != "完成":
            abort(404, message=f"没有已完成的分析任务 {analysis_id}。")
        chosen = {k: query[k] for k in (*FILTERS, "sort", "order")}
        _, found = store.findings(analysis_id, limit=10**9, **chosen)
        suffix = f".{query['format']}"
        download = f"findings-{analysis_id}{suffix}"
        if query["format"] == "xlsx":
            from quanze.api.web import rule_titles

            ds = store.dataset(run["dataset_id"]) or {"name": run["dataset_id"]}
            return _send(lambda path: write_review_workbook(
                found, path, store.latest_reviews(analysis_id), rule_titles(), f"{ds['name']} 检查问题清单",
                conditions_text(chosen), run["rules"]), suffix, download)
        result = RunResult.from_dict({"runs": (run["stats"] or {}).get("runs", []), "findings": found,
                                      "stats": run["stats"]})
        return _send(lambda path: write_findings(result, path), suffix, download)


def conditions_text(query: dict) -> str:
    """A findings list's filters in Chinese (the export's 汇总 says what it holds)."""
    labels = {"rule": "规则", "severity": "严重程度", "department": "部门", "status": "核查状态", "q": "文字"}
    parts = [f"{label}：{'、'.join(query[k]) if isinstance(query[k], list) else query[k]}"
             for k, label in labels.items() if query.get(k)]
    return "；".join(parts)


# ---- scenarios -------------------------------------------------------------------------------

scenarios = Blueprint("scenarios", __name__, url_prefix="/api/scenarios", description="划转方案与模拟")


class ScenarioSchema(Schema):
    id = fields.String()
    name = fields.String()
    created = fields.String()
    body = fields.String()


class SimulationRequest(Schema):
    dataset_id = fields.String(required=True)


class SimulationSchema(Schema):
    id = fields.String()
    scenario_id = fields.String()
    dataset_id = fields.String()
    status = fields.String()
    stage = fields.String(allow_none=True)
    progress = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    created = fields.String()
    finished = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)


@scenarios.route("")
class Scenarios(MethodView):
    @scenarios.response(200, ScenarioSchema(many=True))
    def get(self):
        """全部方案"""
        return service().store.scenarios()

    @scenarios.response(201, ScenarioSchema)
    @scenarios.doc(requestBody={"content": {"application/yaml": {"schema": {"type": "string"}},
                                            "application/json": {"schema": {"type": "object"}}}},
                   security=[{"token": []}])
    def post(self):
        """新建方案：YAML 文本（application/yaml）或同样结构的 JSON；带 ?dataset_id= 时据该数据集检查部门、承接机构和选择范围"""
        if request.is_json:
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                abort(422, message="方案应为一个 JSON 对象（name、create、packages……）。")
            body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        else:
            body = request.get_data(as_text=True)
        try:
            sid = service().add_scenario(body, request.args.get("dataset_id", ""))  # checked against it when given
        except InputFileError as e:
            abort(422, message="方案有误：" + "；".join(e.problems), errors={"scenario": e.problems})
        return service().store.scenario(sid)


@scenarios.route("/<scenario_id>/simulations")
class Simulations(MethodView):
    @scenarios.arguments(SimulationRequest)
    @scenarios.response(202, SimulationSchema)
    @scenarios.doc(security=[{"token": []}])
    def post(self, body, scenario_id):
        """在一个数据集上模拟方案（后台任务）"""
        svc = service()
        or_404(svc.store.scenario(scenario_id), f"没有方案 {scenario_id}。")
        try:
            return svc.store.simulation(svc.start_simulation(scenario_id, body["dataset_id"]))
        except NotFound as e:
            abort(404, message=str(e))


simulations = Blueprint("simulations", __name__, url_prefix="/api/simulations", description="划转方案与模拟")


@simulations.route("/<simulation_id>")
class SimulationOne(MethodView):
    @simulations.response(200, SimulationSchema)
    def get(self, simulation_id):
        """模拟状态与结果"""
        return or_404(service().store.simulation(simulation_id), f"没有模拟 {simulation_id}。")


@simulations.route("/<simulation_id>/export")
class SimulationExport(MethodView):
    @simulations.response(200, description="模拟结果与调整后的各部门清单（Excel）")
    def get(self, simulation_id):
        """模拟结果的 Excel：汇总、各项结果、调整后的部门清单"""
        sim = service().store.simulation(simulation_id)
        if sim is None or sim["status"] != "完成":
            abort(404, message=f"没有已完成的模拟 {simulation_id}。")
        result = service().simulated(simulation_id)
        return _send(lambda path: write_simulation(result, path), ".xlsx", f"simulation-{simulation_id}.xlsx")


@simulations.route("/compare")
class SimulationCompare(MethodView):
    @simulations.arguments(Schema.from_dict({"a": fields.String(required=True), "b": fields.String(required=True)})(),
                           location="query")
    @simulations.response(200, Schema.from_dict({"a": fields.Dict(), "b": fields.Dict(), "difference": fields.Dict()})())
    def get(self, query):
        """比较两次模拟：各项结果的数量与规则检查变化"""
        out = {}
        for key in ("a", "b"):
            sim = service().store.simulation(query[key])
            if sim is None or sim["status"] != "完成":
                abort(404, message=f"没有已完成的模拟 {query[key]}。")
            counts = simulation_counts(sim["result"])  # the numbers the page and the Excel show
            out[key] = {"id": sim["id"], "summary": sim["result"]["summary"], **counts["by_key"],
                        "departments": counts["departments"]}
        out["difference"] = {k: out["b"][k] - out["a"][k] for k in out["a"] if isinstance(out["a"][k], int)}
        return out
