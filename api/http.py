"""The HTTP service: a Flask app factory with a JSON API described by OpenAPI (flask-smorest).

Errors are ``application/problem+json`` with a Chinese ``detail``; no stack trace
reaches a client.  Write operations come from the service's own pages or from no page
at all (Origin/Referer checked), and need the configured token.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException, InternalServerError

from quanze.api.endpoints import FindingFilter, exports, graph, or_404, scenarios, service, simulations
from quanze.api.inputs import FIELDS, HELP, ROLES
from quanze.api.service import AliasError, NothingToLoad, Service, StillRunning
from quanze.api.store import LISTS, REVIEW_STATUSES, NotFound, Store
from quanze.api.web import web
from quanze.loaders.formats import MAX_FILE_BYTES
from quanze.rules.catalogue import CatalogueError

PROBLEM = "application/problem+json"
TITLES = {400: "请求有误", 401: "未授权", 403: "禁止访问", 404: "未找到", 405: "不支持的方法", 409: "状态冲突",
          413: "上传过大", 414: "请求地址过长", 415: "不支持的文件", 422: "内容无法处理", 429: "请求过多",
          431: "请求头过大", 500: "服务器内部错误"}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ProblemApi(Api):
    """flask-smorest's Api answering every error as problem+json (RFC 9457) in Chinese."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")  # webargs puts validation errors in "messages"
        detail = data.get("message") or _DETAILS.get(error.code) or error.description
        if error.code == 422 and not data.get("message"):
            detail = "请求内容不符合要求：" + _explain(errors)
        if wants_a_page():
            return error_page(error.code, detail, data.get("headers"))
        body = {"type": "about:blank", "title": TITLES.get(error.code, error.name), "status": error.code,
                "detail": detail}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
        response.status_code = error.code
        response.content_type = PROBLEM
        response.headers.update(data.get("headers") or {})  # e.g. Retry-After with a 429
        return response


_MESSAGES = [("Missing data for required field.", "缺少必填项"), ("Unknown field.", "未知字段"),
             ("Must be one of:", "应为以下之一："), ("Not a valid integer.", "不是有效的整数"),
             ("Not a valid string.", "不是有效的文本"), ("Must be greater than or equal to", "应不小于"),
             ("and less than or equal to", "且不大于"),
             ("Not a valid list.", "不是有效的列表"), ("Invalid input type.", "类型不对")]


def _explain(errors) -> str:
    """webargs' {location: {field: [messages]}} as one Chinese line."""
    parts = []
    for where, fields_ in (errors or {}).items():
        for name, msgs in (fields_ or {}).items():
            text = "；".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)
            for english, chinese in _MESSAGES:
                text = text.replace(english, chinese)
            parts.append(f"{name}：{text}")
    return "，".join(parts) or "参数有误"


_DETAILS = {
    404: "没有这个资源。",
    405: "此路径不支持该请求方法。",
    413: f"上传内容超过上限（{MAX_FILE_BYTES // 1024 // 1024} MB）。",
    414: "请求地址过长：请缩短查询（如 SPARQL 语句）后重试。",
    431: "请求头过大。",
    500: "服务器处理请求时出错，请稍后重试或联系管理员。",
}


def wants_a_page() -> bool:
    """Whether the request is for a page (answered in HTML), not for the API (answered as problem+json)."""
    path = request.path
    return not (path.startswith(("/api/", "/static/")) or path in ("/openapi.json", "/healthz"))


def error_page(code: int, detail: str, headers: dict | None = None):
    """A page route's error as a Chinese page with the way back, keeping the status code."""
    from flask import render_template

    hint = {401: "请在表单的“令牌”一栏填写本服务的令牌后重试（同一浏览器会话中只需填写一次）。",
            403: "请在本服务的网页中操作。", 404: "请检查地址，或从数据集列表重新进入。",
            413: "请分批上传，或压缩文件后重试。"}.get(code, "")
    body = render_template("web/error.html", code=code, title=TITLES.get(code, "出错了"), detail=detail, hint=hint,
                           need_token=False)
    response = current_app.response_class(body, status=code, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def create_app(data_dir: str | Path, token: str | None = None, laws=None, max_upload: int = MAX_FILE_BYTES,
               testing: bool = False, sparql_slots: int = 2) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        API_TITLE="quanze 权责图谱", API_VERSION="1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json", MAX_CONTENT_LENGTH=max_upload, TESTING=testing,
        QUANZE_TOKEN=token, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    api = ProblemApi(app, spec_kwargs={"components": {"securitySchemes": {
        "token": {"type": "http", "scheme": "bearer"}}}})
    app.extensions["quanze"] = Service(Store(data_dir), laws=laws, sparql_slots=sparql_slots)
    for bp in (health, datasets, analyses, findings, graph, exports, scenarios, simulations):
        api.register_blueprint(bp)
    app.register_blueprint(web)

    @app.before_request
    def _writes_need_the_token():
        if request.method not in SAFE_METHODS:
            require_same_origin()
            require_token()

    @app.after_request
    def _remember_the_token(response):
        # a token typed once into a web form is kept for the session (HttpOnly cookie)
        if response.status_code < 400 and request.method == "POST" and request.form.get("token"):
            response.set_cookie("quanze_token", request.form["token"], httponly=True, samesite="Strict")
        return response

    @app.errorhandler(Exception)
    def _unexpected(error):  # anything not an HTTPException: a 500 without the trace
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        app.logger.exception("unhandled error")
        return api.handle_http_exception(InternalServerError())

    return app


def require_same_origin() -> None:
    """A write sent by a page of another site is refused (Origin, else Referer, must name this host).

    Requests with neither header (scripts, curl) are not from a page and pass on to the token check.
    Behind a reverse proxy the host and scheme the browser saw are those the proxy forwards
    (X-Forwarded-Host/-Proto); a page of another site cannot add these headers to a form post.
    """
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent:
        return
    parts = urlsplit(sent)
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip().lower()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip().lower()
    if (parts.scheme.lower(), parts.netloc.lower()) != (scheme, host):
        abort(403, message=f"拒绝跨站请求：这个写操作来自其他网页（{sent[:200]}），不是本服务（{request.host}）的页面。"
                           "请在本服务的网页中操作，或用不带 Origin 的脚本并附令牌。")


def require_token() -> None:
    """Write operations carry the configured token (checked before any other validation)."""
    token = current_app.config.get("QUANZE_TOKEN")
    if not token:
        return
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() \
        or request.form.get("token", "") or request.cookies.get("quanze_token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401, message="写操作需要令牌：请求头 Authorization: Bearer <令牌>，或在网页表单中填写令牌。")


# ---- schemas -------------------------------------------------------------------------------

class DatasetSchema(Schema):
    id = fields.String()
    name = fields.String()
    created = fields.String()
    region = fields.String(metadata={"description": "上传时填写的地区（文件名和标题中没有写明地区的清单按它导入）"})
    report = fields.Dict(allow_none=True)
    files = fields.List(fields.Dict())
    aliases = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "部门名称更正：导入时的名称 → 改为的名称"})


def _file_field(role: str, **kwargs):
    return fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}),
                       metadata={"description": f"{ROLES[role]}：{HELP[role]}"}, **kwargs)


class InputsSchema(Schema):
    """Reference files, each in the field of its role (any of them, one or more files each)."""

    kind = fields.String(metadata={"description": "与 file 一起用：参考文件的类型，duties 三定职责、catalogue 通用目录、"
                                                  "township 乡镇模板、cancelled 已取消事项、national 全国基本目录、lineage 沿革"})
    file = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}),
                       metadata={"description": "与 kind 一起用：一个或多个参考文件，类型由 kind 指定"})
    duties = _file_field("duties")
    catalogue = _file_field("catalogue")
    cancelled = _file_field("cancelled")
    township = _file_field("township")
    national = _file_field("national")
    lineage = _file_field("lineage")


class UploadSchema(InputsSchema):
    files = _file_field(LISTS, required=True)
    region = fields.String(metadata={"description": "地区，如 克拉玛依市：文件名和标题中没有写明地区的清单按它导入"})


class AliasTable(Schema):
    aliases = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={
        "description": "导入时的部门名称 → 改为（或并入）的部门名称；整张表替换原有的，空表即撤销全部更正"})


def checked_region(value: str | None) -> str | None:
    """A region typed into an upload: a place name (克拉玛依市, 明川县), else a 422 problem."""
    from quanze.loaders.departments import find_region

    value = (value or "").strip()
    if not value:
        return None
    if find_region(value) != value:
        abort(422, message=f"无法识别地区“{value[:50]}”：请填写地名，如“克拉玛依市”“明川县”“独山子区”。")
    return value


class AnalysisRequest(Schema):
    rules = fields.String(load_default=None, metadata={"description": "规则选择，如 R01,R03"})
    settings = fields.List(fields.String(), load_default=None, metadata={"description": "参数，如 R03.threshold=0.6"})


class AnalysisSchema(Schema):
    id = fields.String()
    dataset_id = fields.String()
    status = fields.String()
    stage = fields.String(allow_none=True)
    progress = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    findings = fields.Integer()
    created = fields.String()
    finished = fields.String(allow_none=True)
    rules = fields.List(fields.Dict(), metadata={
        "description": "各规则的运行情况：id、status（ok 运行、skipped 跳过、error 出错）、reason（如“缺少输入：三定职责表”）、findings"})


class FindingQuery(FindingFilter):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ReviewRequest(Schema):
    status = fields.String(required=True, validate=validate.OneOf(REVIEW_STATUSES))
    comment = fields.String(load_default="")
    reviewer = fields.String(load_default="")


class BulkReviewRequest(ReviewRequest):
    fingerprints = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=10_000))


class BulkReviewResult(Schema):
    reviewed = fields.Integer()
    status = fields.String()


class HealthSchema(Schema):
    status = fields.String()


class FindingSchema(Schema):
    fingerprint = fields.String()
    rule = fields.String()
    title = fields.String()
    severity = fields.String()
    message = fields.String()
    advice = fields.List(fields.String())
    subjects = fields.List(fields.Dict())
    departments = fields.List(fields.String())
    evidence = fields.Dict()
    sources = fields.List(fields.Dict())
    review = fields.String()
    reviews = fields.List(fields.Dict())


class FindingPage(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    findings = fields.List(fields.Raw(metadata={"description": "问题（结构同 FindingSchema）", "type": "object"}))


class ReviewSchema(Schema):
    status = fields.String()
    comment = fields.String()
    reviewer = fields.String()
    at = fields.String()


# ---- endpoints ---------------------------------------------------------------------------

health = Blueprint("health", __name__, description="服务状态")


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, HealthSchema)
    def get(self):
        """服务是否可用"""
        return {"status": "ok"}


datasets = Blueprint("datasets", __name__, url_prefix="/api/datasets", description="清单数据集")


@datasets.route("")
class Datasets(MethodView):
    @datasets.response(200, DatasetSchema(many=True))
    def get(self):
        """全部数据集"""
        return service().store.datasets()

    @datasets.arguments(UploadSchema, location="files")
    @datasets.response(201, DatasetSchema)
    @datasets.doc(security=[{"token": []}])
    def post(self, _):
        """上传一个或多个清单文件（字段 files，可填写地区 region），可同时上传参考文件（字段 duties 三定职责、catalogue 通用目录、
        cancelled 已取消事项、township 乡镇模板、lineage 沿革），返回导入报告；参考文件使规则 R05a/R05b、R07、
        R11、R14 能够运行"""
        uploads = uploaded_files(request.files) + kind_files(request.form.get("kind"), request.files.getlist("file"))
        if not any(role == LISTS for *_, role in uploads):
            abort(400, message="请用表单字段 files 上传至少一个清单文件。")
        region = checked_region(request.form.get("region"))
        svc = service()
        try:
            ds, _ = svc.add_dataset(uploads, region)
        except NothingToLoad as e:
            abort(415, message=str(e))
        return svc.store.dataset(ds)


@datasets.route("/<dataset_id>")
class DatasetOne(MethodView):
    @datasets.response(200, DatasetSchema)
    def get(self, dataset_id):
        """一个数据集及其导入报告"""
        return or_404(service().store.dataset(dataset_id), f"没有数据集 {dataset_id}。")

    @datasets.arguments(Schema.from_dict({"name": fields.String(
        required=True, validate=validate.Length(min=1, max=200))})())
    @datasets.response(200, DatasetSchema)
    @datasets.doc(security=[{"token": []}])
    def patch(self, body, dataset_id):
        """重命名数据集"""
        name = body["name"].strip()
        if not name:
            abort(422, message="数据集名称不能为空。")
        if not service().store.rename_dataset(dataset_id, name):
            abort(404, message=f"没有数据集 {dataset_id}。")
        return service().store.dataset(dataset_id)

    @datasets.response(204)
    @datasets.doc(security=[{"token": []}])
    def delete(self, dataset_id):
        """删除数据集（含上传的文件、分析结果）"""
        if not service().store.delete_dataset(dataset_id):
            abort(404, message=f"没有数据集 {dataset_id}。")
        service().forget(dataset_id)


@datasets.route("/<dataset_id>/inputs")
class DatasetInputs(MethodView):
    @datasets.arguments(InputsSchema, location="files")
    @datasets.response(201, DatasetSchema)
    @datasets.doc(security=[{"token": []}])
    def post(self, _, dataset_id):
        """为已有数据集添加参考文件：字段 kind（duties 三定职责、catalogue 通用目录、township 乡镇模板、
        cancelled 已取消事项、national 全国基本目录、lineage 沿革）加 file，或按类型的字段 duties、catalogue、cancelled、
        township、national、lineage；
        返回更新后的导入报告；之后的规则检查使用这些参考文件"""
        svc = service()
        or_404(svc.store.dataset(dataset_id), f"没有数据集 {dataset_id}。")
        uploads = [u for u in uploaded_files(request.files) if u[2] != LISTS]
        uploads += kind_files(request.form.get("kind"), request.files.getlist("file"))
        if not uploads:
            abort(400, message="请用表单字段 kind（duties、catalogue、township、cancelled、national 或 lineage）和 file，"
                               "或字段 duties、catalogue、cancelled、township、national、lineage 上传至少一个参考文件。")
        try:
            svc.add_inputs(dataset_id, uploads)
        except NothingToLoad as e:
            abort(415, message=str(e))
        except NotFound as e:  # deleted meanwhile
            abort(404, message=str(e))
        return svc.store.dataset(dataset_id)


@datasets.route("/<dataset_id>/aliases")
class DatasetAliases(MethodView):
    @datasets.arguments(Schema.from_dict({"format": fields.String(
        load_default="json", validate=validate.OneOf(["json", "yaml"]))})(), location="query")
    @datasets.response(200, AliasTable, description="更正表（JSON）；format=yaml 时为 departments.yaml 格式的 YAML 文件")
    def get(self, query, dataset_id):
        """部门名称更正表；format=yaml 时为 departments.yaml 格式的别名表"""
        from quanze.api.departments import aliases_yaml, department_names

        svc = service()
        ds = or_404(svc.store.dataset(dataset_id), f"没有数据集 {dataset_id}。")
        if query["format"] == "json":
            return {"aliases": ds["aliases"]}
        entry = svc.load(dataset_id)
        text = aliases_yaml(ds["aliases"], department_names(entry.raw if entry.raw is not None else entry.tables),
                            ds["name"])
        return current_app.response_class(text, mimetype="application/yaml", headers={
            "Content-Disposition": f"attachment; filename=departments-{dataset_id}.yaml"})

    @datasets.arguments(AliasTable)
    @datasets.response(200, AliasTable)
    @datasets.doc(security=[{"token": []}])
    def put(self, body, dataset_id):
        """更正或合并部门名称（整张表替换）：之后的页面、检查和模拟都按更正后的名称"""
        svc = service()
        or_404(svc.store.dataset(dataset_id), f"没有数据集 {dataset_id}。")
        try:
            return {"aliases": svc.set_aliases(dataset_id, body["aliases"])}
        except AliasError as e:
            abort(422, message="部门名称更正有误：" + "；".join(e.problems), errors={"aliases": e.problems})
        except NotFound as e:
            abort(404, message=str(e))


def kind_files(kind: str | None, files) -> list[tuple[str, bytes, str]]:
    """Files sent in the field ``file`` with their role in ``kind``; a 422 problem for an unknown kind."""
    files = [f for f in files if f.filename]
    if not files and not kind:
        return []
    roles = [r for r in ROLES if r != LISTS]
    if kind not in roles:
        abort(422, message=f"参考文件类型 kind 应为以下之一：{'、'.join(f'{r}（{ROLES[r]}）' for r in roles)}"
                           + (f"，而不是“{str(kind)[:30]}”。" if kind else "。"))
    if not files:
        abort(400, message=f"请用字段 file 上传{ROLES[kind]}文件。")
    return [(f.filename, f.read(), kind) for f in files]


def uploaded_files(files) -> list[tuple[str, bytes, str]]:
    """(name, content, role) of each file sent, its role being its form field (files: a list)."""
    return [(f.filename or "未命名", f.read(), role) for field, role in FIELDS.items()
            for f in files.getlist(field) if f.filename or field == "files"]


@datasets.route("/<dataset_id>/analyses")
class DatasetAnalyses(MethodView):
    @datasets.arguments(AnalysisRequest)
    @datasets.response(202, AnalysisSchema)
    @datasets.doc(security=[{"token": []}])
    def post(self, body, dataset_id):
        """开始一次规则检查（后台任务），返回任务状态"""
        svc = service()
        or_404(svc.store.dataset(dataset_id), f"没有数据集 {dataset_id}。")
        from quanze.rules.catalogue import load_catalogue, override, select
        from quanze.rules.primitives import defaults

        try:  # refuse a bad selection or setting now, not in the background
            override(select(load_catalogue(), body["rules"]), body["settings"], defaults())
        except CatalogueError as e:
            abort(422, message=str(e))
        try:
            run_id = svc.start_analysis(dataset_id, body["rules"], body["settings"])
        except NotFound as e:  # deleted meanwhile
            abort(404, message=str(e))
        return svc.store.run(run_id)


analyses = Blueprint("analyses", __name__, url_prefix="/api/analyses", description="规则检查")


@analyses.route("/<analysis_id>")
class Analysis(MethodView):
    @analyses.response(200, AnalysisSchema)
    def get(self, analysis_id):
        """任务状态：阶段与进度"""
        return or_404(service().store.run(analysis_id), f"没有分析任务 {analysis_id}。")


@analyses.route("/<analysis_id>/rerun")
class AnalysisRerun(MethodView):
    @analyses.response(202, AnalysisSchema)
    @analyses.doc(security=[{"token": []}])
    def post(self, analysis_id):
        """重新运行一次检查（如中断或失败后），返回新任务的状态"""
        svc = service()
        or_404(svc.store.run(analysis_id), f"没有分析任务 {analysis_id}。")
        try:
            return svc.store.run(svc.rerun_analysis(analysis_id))
        except StillRunning as e:
            abort(409, message=str(e))
        except NotFound as e:
            abort(404, message=str(e))


@analyses.route("/<analysis_id>/findings")
class AnalysisFindings(MethodView):
    @analyses.arguments(FindingQuery, location="query")
    @analyses.response(200, FindingPage)
    def get(self, query, analysis_id):
        """分析结果：按规则、严重程度、部门、核查状态、文字筛选，排序（默认红、黄、蓝再按规则），分页"""
        store = service().store
        or_404(store.run(analysis_id), f"没有分析任务 {analysis_id}。")
        page, per_page = query.pop("page"), query.pop("per_page")
        total, found = store.findings(analysis_id, offset=(page - 1) * per_page, limit=per_page, **query)
        return {"total": total, "page": page, "per_page": per_page, "findings": found}


@analyses.route("/<analysis_id>/reviews")
class AnalysisReviews(MethodView):
    @analyses.arguments(BulkReviewRequest)
    @analyses.response(200, BulkReviewResult)
    @analyses.doc(security=[{"token": []}])
    def post(self, body, analysis_id):
        """批量核查：把本次检查的多个问题设为同一核查状态（全部属于本次检查才保存）"""
        store = service().store
        or_404(store.run(analysis_id), f"没有分析任务 {analysis_id}。")
        try:
            n = store.add_reviews(analysis_id, body["fingerprints"], body["status"], body["comment"], body["reviewer"])
        except NotFound as e:
            abort(422, message=str(e))
        return {"reviewed": n, "status": body["status"]}


findings = Blueprint("findings", __name__, url_prefix="/api/findings", description="问题与核查")


@findings.route("/<fingerprint>")
class FindingOne(MethodView):
    @findings.response(200, FindingSchema)
    def get(self, fingerprint):
        """一个问题：证据、来源行、核查状态与历史"""
        return or_404(service().store.finding(fingerprint), f"没有问题 {fingerprint}。")


@findings.route("/<fingerprint>/review")
class FindingReview(MethodView):
    @findings.response(200, ReviewSchema(many=True))
    def get(self, fingerprint):
        """核查历史（最早的在前）"""
        return service().store.reviews(fingerprint)

    @findings.arguments(ReviewRequest)
    @findings.response(200, ReviewSchema)
    @findings.doc(security=[{"token": []}])
    def put(self, body, fingerprint):
        """设置核查状态：待核查 / 核查中 / 已确认 / 已驳回 / 已整改"""
        store = service().store
        or_404(store.finding(fingerprint), f"没有问题 {fingerprint}。")
        return store.add_review(fingerprint, body["status"], body["comment"], body["reviewer"])


def run_server(factory, host: str, port: int, workers: int = 2, threads: int = 8) -> None:
    """Serve with gunicorn: ``workers`` processes of ``threads`` threads, each with its own app.

    Every worker opens the same SQLite store, so datasets, jobs and reviews are shared;
    a worker's caches (loaded graphs) are its own.
    """
    from gunicorn.app.base import BaseApplication
    from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
    from gunicorn.workers.gthread import ThreadWorker

    class Worker(ThreadWorker):
        """gunicorn's threaded worker, answering a too long request line or header as problem+json."""

        def handle_error(self, req, client, addr, exc):
            code = 414 if isinstance(exc, LimitRequestLine) else 431 if isinstance(exc, LimitRequestHeaders) else 0
            if not code:
                return super().handle_error(req, client, addr, exc)
            body = json.dumps({"type": "about:blank", "title": TITLES[code], "status": code, "detail": _DETAILS[code]},
                              ensure_ascii=False).encode()
            head = (f"HTTP/1.1 {code} {TITLES[code]}\r\nConnection: close\r\nContent-Type: {PROBLEM}; charset=utf-8"
                    f"\r\nContent-Length: {len(body)}\r\n\r\n")
            try:
                client.sendall(head.encode("latin-1", "replace") + body)
            except OSError:
                pass

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "worker_class": Worker,
                               "threads": threads, "timeout": 300, "graceful_timeout": 10}.items():
                self.cfg.set(key, value)

        def load(self):
            return factory()

    Server().run()
