"""Web pages for 编办 analysts (Chinese, server-rendered, no external resources).

Upload lists and see the load report; start a rule check and watch its progress;
read findings with counts by rule, severity and department; open a finding with its
items side by side, the source rows and the evidence, and review it.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote, unquote

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from quanze.api import charts as chart_data
from quanze.api import scenario_form, views
from quanze.api.endpoints import service
from quanze.api.inputs import FIELDS, HELP, ROLES
from quanze.api.reports import beijing
from quanze.api.service import AliasError, NothingToLoad, StillRunning
from quanze.api.store import LISTS, REVIEW_STATUSES, SEVERITY_ORDER, SORTS, NotFound
from quanze.loaders.departments import find_region
from quanze.loaders.yamlfile import InputFileError
from quanze.rules.catalogue import CatalogueError

web = Blueprint("web", __name__)
# the reference inputs a form offers, each with its field, label and help
INPUT_ROLES = [(role, ROLES[role], HELP[role]) for role in ROLES if role != LISTS]


def _page(template: str, **context):
    """A page: token fields are there when the service has a token, shown until this browser session
    has given it once (kept in an HttpOnly session cookie); the reviewer's name as last given."""
    token = current_app.config.get("QUANZE_TOKEN") or ""
    given = request.cookies.get("quanze_token", "")
    context.setdefault("reviewer", unquote(request.cookies.get(REVIEWER_COOKIE, "")))
    return render_template(template, need_token=bool(token),
                           ask_token=bool(token) and not hmac.compare_digest(given.encode(), token.encode()),
                           **context)


REVIEWER_COOKIE = "quanze_reviewer"


@web.app_template_filter("beijing")
def _beijing(ts, seconds: bool = False) -> str:
    return beijing(ts, seconds)


@web.get("/")
def datasets(message: str = ""):
    notice = f"已删除数据集“{request.args['deleted']}”。" if request.args.get("deleted") else ""
    return _page("web/datasets.html", datasets=service().store.datasets(), message=message, roles=INPUT_ROLES,
                 notice=notice)


@web.post("/datasets/<dataset_id>/rename")
def rename(dataset_id: str):
    name = request.form.get("name", "").strip()[:200]
    if service().store.dataset(dataset_id) is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    if not name:
        return dataset(dataset_id, message="数据集名称不能为空。"), 422
    service().store.rename_dataset(dataset_id, name)
    return redirect(url_for("web.dataset", dataset_id=dataset_id, renamed=1), code=303)


@web.post("/datasets/<dataset_id>/delete")
def delete(dataset_id: str):
    """Delete a dataset with its files, tables, checks and findings (the page asks to confirm first)."""
    ds = service().store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    service().store.delete_dataset(dataset_id)
    service().forget(dataset_id)
    return redirect(url_for("web.datasets", deleted=ds["name"][:100]), code=303)


def _uploads() -> list[tuple[str, bytes, str]]:
    """The files chosen in a form, each with the role of its field (清单, 三定职责 ……)."""
    return [(f.filename, f.read(), role) for field, role in FIELDS.items() for f in request.files.getlist(field)
            if f.filename]


@web.post("/datasets")
def upload():
    uploads = _uploads()
    if not any(role == LISTS for *_, role in uploads):
        return datasets(message="请选择至少一个清单文件。"), 400
    region = request.form.get("region", "").strip()
    if region and find_region(region) != region:
        return datasets(message=f"无法识别地区“{region[:50]}”：请填写地名，如“克拉玛依市”“明川县”“独山子区”。"), 422
    try:
        ds, _ = service().add_dataset(uploads, region or None)
    except NothingToLoad as e:
        return datasets(message=str(e)), 415
    return redirect(url_for("web.dataset", dataset_id=ds), code=303)


@web.post("/datasets/<dataset_id>/inputs")
def add_inputs(dataset_id: str):
    if service().store.dataset(dataset_id) is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    uploads = [u for u in _uploads() if u[2] != LISTS]
    kind = request.form.get("kind", "")
    chosen = [f for f in request.files.getlist("file") if f.filename]
    if chosen and kind not in ROLES or kind == LISTS:
        return dataset(dataset_id, message="请选择参考文件的类型。"), 422
    uploads += [(f.filename, f.read(), kind) for f in chosen]
    if not uploads:
        return dataset(dataset_id, message="请选择至少一个参考文件。"), 400
    try:
        service().add_inputs(dataset_id, uploads)
    except NothingToLoad as e:
        return dataset(dataset_id, message=str(e)), 415
    except NotFound as e:
        return datasets(message=str(e)), 404
    return redirect(url_for("web.dataset", dataset_id=dataset_id), code=303)


@web.get("/datasets/<dataset_id>")
def dataset(dataset_id: str, message: str = ""):
    store = service().store
    ds = store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    notice = ("部门名称更正已保存，之后的检查按更正后的名称。" if request.args.get("saved") is not None
              else "已重命名。" if request.args.get("renamed") else "")
    entry = service().load(dataset_id)
    depts = views.departments(entry.tables)
    loaded = views.departments(entry.raw if entry.raw is not None else entry.tables)
    return _page("web/dataset.html", ds=ds, runs=store.runs(dataset_id), message=message, roles=INPUT_ROLES,
                 departments=[(d["id"], d["name"], d["items"]) for d in depts],
                 loaded_departments=[(d["name"], d["items"]) for d in loaded], aliases=ds["aliases"], notice=notice)


@web.get("/datasets/<dataset_id>/report")
def load_report(dataset_id: str):
    """The load report: per-sheet warnings, the column mapping, why rows read exceed items, the law check."""
    from quanze.api.load_report import context

    ds = service().store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    entry = service().load(dataset_id)
    return _page("web/load_report.html", ds=ds, **context(ds["report"] or {}, entry.tables, service().laws))


@web.get("/datasets/<dataset_id>/items/<item_id>")
def item(dataset_id: str, item_id: str):
    """An item: all its fields, its source row, its citations and its findings in the latest check."""
    from quanze.api.finding_view import item_context

    svc = service()
    ds = svc.store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    page = item_context(svc.load(dataset_id).tables, item_id, svc.laws)
    if page is None:
        return dataset(dataset_id, message=f"数据集中没有事项 {item_id}。"), 404
    runs = [r for r in svc.store.runs(dataset_id) if r["status"] == "完成"]
    found = svc.store.item_findings(runs[0]["id"], item_id) if runs else []
    return _page("web/item.html", ds=ds, run=runs[0] if runs else None, findings=found, **page)


@web.post("/datasets/<dataset_id>/aliases")
def aliases(dataset_id: str):
    """Correct or merge department names: each row of the form names a department as loaded and its new name
    (empty: as loaded)."""
    svc = service()
    if svc.store.dataset(dataset_id) is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    pairs = zip(request.form.getlist("name"), request.form.getlist("canonical"))
    table = {n.strip(): c.strip() for n, c in pairs if n.strip() and c.strip() and c.strip() != n.strip()}
    try:
        svc.set_aliases(dataset_id, table)
    except AliasError as e:
        return dataset(dataset_id, message="部门名称更正有误：" + "；".join(e.problems)), 422
    except NotFound as e:
        return datasets(message=str(e)), 404
    return redirect(url_for("web.dataset", dataset_id=dataset_id, saved=len(table)) + "#departments", code=303)


# the themes the check page groups the catalogue by (a rule not named here is under 其他)
THEMES = [
    ("职能交叉与重复", ("R01a", "R01b", "R02", "R03", "R10")),
    ("权责对应与责任环节", ("R04a", "R04b", "R04c", "R05a", "R05b", "R06")),
    ("法律依据", ("R08", "R09", "R12", "R20")),
    ("对照目录与模板", ("R07", "R11", "R14")),
    ("机构沿革", ("R18", "R19")),
    ("类别与规范", ("R13", "R15", "R16", "R17")),
    ("跨省比较", ("R21", "R22", "R23")),
]
NEED_LABELS = {"laws": "法律法规库（启动服务时用 --laws 指定）", "duties": "三定职责表（含“部门”“职责”两列）或三定规定全文",
               "catalogue": "通用目录（或指导目录）", "cancelled": "已取消（或下放）事项目录",
               "township": "乡镇清单模板（法定目录加赋权目录）", "national": "全国权责清单基本目录",
               "lineage": "本地机构沿革（YAML）"}
EDITABLE = ("number", "integer", "text")


def checklist(tables, inputs) -> list[dict]:
    """Every rule of the catalogue, grouped by theme: title, severity, description, parameters with their
    meaning, and the inputs it needs that the dataset lacks (so that it cannot run)."""
    from quanze.rules.context import RunContext
    from quanze.rules.primitives import REGISTRY

    ctx = RunContext(tables, inputs)
    rules = {r.id: r for r in _catalogue()}
    placed = {rid for _, ids in THEMES for rid in ids}
    groups = [(name, [i for i in ids if i in rules]) for name, ids in THEMES]
    groups.append(("其他", [i for i in rules if i not in placed]))
    out = []
    for name, ids in groups:
        entries = []
        for rid in ids:
            rule, primitive = rules[rid], REGISTRY.get(rules[rid].check)
            needs = list(dict.fromkeys((*rule.needs, *(primitive.needs if primitive else ()))))
            missing = [n for n in needs if not ctx.has(n)]
            params = []
            for key, value in rule.params.items():
                spec = primitive.schema.get(key) if primitive else None
                params.append({"name": key, "value": value, "meaning": spec.meaning if spec else "",
                               "expected": spec.expected() if spec else "",
                               "editable": bool(spec) and spec.type in EDITABLE and not isinstance(value, bool),
                               "choices": spec.choices if spec and spec.type == "text" else None})
            entries.append({"id": rid, "title": rule.title, "severity": rule.severity,
                            "description": " ".join(rule.description.split()), "params": params,
                            "missing": [NEED_LABELS.get(n, n) for n in missing]})
        if entries:
            out.append({"theme": name, "rules": entries})
    return out


@web.get("/datasets/<dataset_id>/check")
def check(dataset_id: str, message: str = ""):
    svc = service()
    ds = svc.store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    entry = svc.load(dataset_id)
    groups = checklist(entry.tables, entry.inputs)
    blocked = [r for g in groups for r in g["rules"] if r["missing"]]
    return _page("web/check.html", ds=ds, groups=groups, blocked=blocked, message=message,
                 total=sum(len(g["rules"]) for g in groups))


def _chosen_rules_and_settings(dataset_id: str) -> tuple[str | None, list[str] | None]:
    """The rules and changed parameters a check form sends: the whole catalogue (None) when every rule that
    can run is ticked; ``R03.threshold=0.7`` for each parameter whose value differs from the catalogue's."""
    form = request.form
    if not form.get("checklist"):  # the dataset page's short form: rule ids typed, or none for all
        return form.get("rules", "").strip() or None, None
    ticked = form.getlist("rule")
    entry = service().load(dataset_id)
    groups = checklist(entry.tables, entry.inputs)
    runnable = [r["id"] for g in groups for r in g["rules"] if not r["missing"]]
    rules = None if set(runnable) <= set(ticked) else ",".join(ticked) or None
    settings = []
    defaults = {f"{r['id']}.{p['name']}": p["value"] for g in groups for r in g["rules"] for p in r["params"]}
    for key, value in form.items():
        name = key[len("set:"):]
        if key.startswith("set:") and name in defaults and value.strip() != str(defaults[name]):
            rule_id = name.split(".", 1)[0]
            if rules is None or rule_id in ticked:
                settings.append(f"{name}={value.strip()}")
    return rules, settings or None


@web.post("/datasets/<dataset_id>/analyses")
def analyse(dataset_id: str):
    from quanze.rules.catalogue import load_catalogue, override, select
    from quanze.rules.primitives import defaults

    if service().store.dataset(dataset_id) is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    if request.form.get("checklist") and not request.form.getlist("rule"):
        return check(dataset_id, message="请至少勾选一条规则。"), 422
    rules, settings = _chosen_rules_and_settings(dataset_id)
    try:  # refuse a bad selection or setting now, not in the background
        override(select(load_catalogue(), rules), settings, defaults())
        run_id = service().start_analysis(dataset_id, rules, settings)
    except NotFound as e:
        return datasets(message=str(e)), 404
    except CatalogueError as e:
        page = check if request.form.get("checklist") else dataset
        return page(dataset_id, message=str(e)), 422
    return redirect(url_for("web.run", run_id=run_id), code=303)


@web.post("/analyses/<run_id>/rerun")
def rerun(run_id: str):
    if service().store.run(run_id) is None:
        return datasets(message=f"没有分析任务 {run_id}。"), 404
    try:
        new = service().rerun_analysis(run_id)
    except (StillRunning, NotFound) as e:
        return datasets(message=str(e)), 409 if isinstance(e, StillRunning) else 404
    return redirect(url_for("web.run", run_id=new), code=303)


PER_PAGE = 50
SORT_LABELS = [("severity", "严重程度"), ("rule", "规则"), ("department", "部门"), ("item", "事项"),
               ("message", "问题"), ("status", "核查状态")]


def rule_titles() -> dict[str, str]:
    """Rule id → its Chinese title, from the catalogue."""
    return {r.id: r.title for r in _catalogue()}


def _catalogue():
    from quanze.rules.catalogue import load_catalogue

    return load_catalogue()


def finding_query(args) -> dict:
    """The filters and sort of a findings list from a page's query string (values a list cannot take are dropped)."""
    query = {k: (args.get(k) or "").strip() or None for k in ("rule", "q")}
    query["severity"] = args.get("severity") if args.get("severity") in SEVERITY_ORDER else None
    query["status"] = args.get("status") if args.get("status") in REVIEW_STATUSES else None
    query["department"] = [d.strip() for d in args.getlist("department") if d.strip()] or None
    query["sort"] = args.get("sort") if args.get("sort") in SORTS else None
    query["order"] = "desc" if args.get("order") == "desc" else "asc"
    return query


def query_args(query: dict, **changes) -> dict:
    """A findings list's query string as url_for arguments, with ``changes`` (None removes a parameter)."""
    out = {k: v for k, v in {**query, **changes}.items() if v not in (None, "", [])}
    if out.get("order") == "asc":
        out.pop("order")
    return out


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


@web.get("/analyses/<run_id>")
def run(run_id: str, message: str = ""):
    store = service().store
    job = store.run(run_id)
    if job is None:
        return datasets(message=f"没有分析任务 {run_id}。"), 404
    query = finding_query(request.args)
    per_page = _int(request.args.get("per_page"), PER_PAGE, 1, 500)
    filters = {k: query[k] for k in ("rule", "severity", "department", "status", "q")}
    total = store.findings(run_id, limit=0, **filters)[0]
    pages = max(1, -(-total // per_page))
    page = _int(request.args.get("page"), 1, 1, pages)
    _, found = store.findings(run_id, offset=(page - 1) * per_page, limit=per_page, sort=query["sort"],
                              order=query["order"], **filters)
    counts = store.finding_counts(run_id)
    titles = rule_titles()
    notice = ""
    reviewed = request.args.get("reviewed")
    if reviewed and not message and request.args.get("as") in REVIEW_STATUSES:
        notice = f"已将 {_int(reviewed, 0, 0, 10**6)} 个问题的核查状态设为“{request.args['as']}”。"
    state = {k: v for k, v in query.items() if k not in ("sort", "order")}
    if per_page != PER_PAGE:
        state["per_page"] = per_page
    sort_state = {**state, "sort": query["sort"], "order": query["order"]}
    return _page("web/run.html", run=job, findings=found, total=total, query=query, statuses=REVIEW_STATUSES,
                 charts=run_charts(run_id, titles) if job["status"] == "完成" else None,
                 graph=_department_pages(job["dataset_id"], chart_data.with_links(
                     chart_data.overlap_graph(store, run_id), _findings_link(run_id))) if job["status"] == "完成" else None,
                 page=page, pages=pages, per_page=per_page, state=state, sort_state=sort_state,
                 query_args=query_args, titles=titles, sorts=SORT_LABELS, notice=notice, message=message,
                 departments=store.finding_departments(run_id),
                 by_severity=[(s, counts["severity"][s]) for s in SEVERITY_ORDER if counts["severity"][s]],
                 by_rule=sorted(counts["rule"].items()), by_department=counts["department"].most_common())


def _findings_link(run_id: str):
    """A chart element's filter → the address of its findings list."""
    return lambda f: url_for("web.run", run_id=run_id, **f) + "#findings"


def _department_pages(dataset_id: str, graph: dict) -> dict:
    """The overlap graph with each node's department page (``page``), but the graph's centre's own."""
    ids = {d["name"]: d["id"] for d in views.departments(service().load(dataset_id).tables)}
    for node in graph["nodes"]:
        if node["name"] in ids and node["name"] != graph["center"]:
            node["page"] = url_for("web.department", dataset_id=dataset_id, department_id=ids[node["name"]])
    return graph


def run_charts(run_id: str, titles: dict[str, str]) -> dict:
    """The results page's charts (api/charts.py), each element with the link to its findings."""
    store = service().store
    return chart_data.with_links({"severity": chart_data.severity_counts(store, run_id),
                                  "rules": chart_data.rule_counts(store, run_id, titles),
                                  "heatmap": chart_data.heatmap(store, run_id, titles)}, _findings_link(run_id))


@web.post("/analyses/<run_id>/reviews")
def bulk_review(run_id: str):
    """The same review of the findings ticked on a results page; back to the same page with a message."""
    store = service().store
    if store.run(run_id) is None:
        return datasets(message=f"没有分析任务 {run_id}。"), 404
    chosen, status = request.form.getlist("fingerprint"), request.form.get("status", "")
    back = {k: v for k, v in request.args.lists() if k in ("rule", "severity", "department", "status", "q", "sort",
                                                             "order", "page", "per_page")}
    if not chosen:
        return run(run_id, message="请先勾选要核查的问题。"), 400
    if status not in REVIEW_STATUSES:
        return run(run_id, message=f"核查状态应为以下之一：{'、'.join(REVIEW_STATUSES)}。"), 422
    try:
        n = store.add_reviews(run_id, chosen, status, request.form.get("comment", ""),
                              request.form.get("reviewer", ""))
    except NotFound as e:
        return run(run_id, message=str(e)), 422
    return _remember_reviewer(redirect(url_for("web.run", run_id=run_id, **back, reviewed=n, **{"as": status}),
                                       code=303), request.form.get("reviewer", "").strip())


@web.get("/findings/<fingerprint>")
def finding(fingerprint: str):
    """A finding: its items side by side with their differences marked, the provisions they share with the
    article's text, the evidence, and the previous/next finding of the list it was opened from (``run`` and
    that list's filters and sort in the query string)."""
    from quanze.api.finding_view import finding_page

    page = finding_page(service(), fingerprint, request.args, finding_query(request.args))
    if page is None:
        return datasets(message=f"没有问题 {fingerprint}。"), 404
    notice = "核查已保存。" if request.args.get("saved") else ""
    return _page("web/finding.html", statuses=REVIEW_STATUSES, notice=notice, query_args=query_args, **page)


@web.post("/findings/<fingerprint>/review")
def review(fingerprint: str):
    status = request.form.get("status", "")
    if service().store.finding(fingerprint) is None:
        return datasets(message=f"没有问题 {fingerprint}。"), 404
    if status not in REVIEW_STATUSES:
        return finding(fingerprint), 422
    reviewer = request.form.get("reviewer", "").strip()
    service().store.add_review(fingerprint, status, request.form.get("comment", ""), reviewer)
    back = {k: v for k, v in request.args.lists() if k != "saved"}  # the list it was opened from
    return _remember_reviewer(redirect(url_for("web.finding", fingerprint=fingerprint, **back, saved=1), code=303),
                              reviewer)


def _remember_reviewer(response, reviewer: str):
    """The reviewer's name kept for the next review in this browser (a year)."""
    if reviewer:
        response.set_cookie(REVIEWER_COOKIE, quote(reviewer[:50]), max_age=365 * 24 * 3600, samesite="Strict",
                            httponly=True)
    return response


# ---- departments ---------------------------------------------------------------------------

OVERLAP_RULES = ("R01a", "R01b", "R02", "R03")


@web.get("/datasets/<dataset_id>/departments/<path:department_id>")
def department(dataset_id: str, department_id: str):
    svc = service()
    if svc.store.dataset(dataset_id) is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    page = views.department_page(svc.load(dataset_id).tables, department_id)
    if page is None:
        return dataset(dataset_id, message=f"数据集中没有部门 {department_id}。"), 404
    name = page["name"]
    runs = [r for r in svc.store.runs(dataset_id) if r["status"] == "完成"]
    own, graph, overlaps = 0, None, []
    if runs:
        own = svc.store.findings(runs[0]["id"], department=[name], limit=0)[0]
        graph = _department_pages(dataset_id, chart_data.with_links(
            chart_data.overlap_graph(svc.store, runs[0]["id"], ",".join(OVERLAP_RULES), name),
            _findings_link(runs[0]["id"])))
        # the departments this one shares overlap findings with, most first (the graph's edges from it)
        overlaps = [(e["target"] if e["source"] == name else e["source"], e["value"], e["href"])
                    for e in graph["edges"] if name in (e["source"], e["target"])]
    return _page("web/department.html", name=name, dataset_id=dataset_id, total=page["total"], levels=page["levels"],
                 table=page["table"], overlaps=overlaps, run=runs[0] if runs else None, own=own,
                 overlap_rules=",".join(OVERLAP_RULES), graph=graph)


# ---- scenarios -----------------------------------------------------------------------------

SECTIONS = [("moved", "划转事项"), ("split", "拆分（监管留原部门）"), ("left_behind", "关联事项未随转"),
            ("gaps", "监管空白与缺口"), ("basis_conflicts", "依据写明原部门"), ("new_overlaps", "新增交叉"),
            ("reserved", "保留在原部门"), ("must_rehome", "须另行安置")]


@web.get("/scenarios")
def scenarios(message: str = "", draft: str = ""):
    notice = f"已删除方案“{request.args['deleted']}”。" if request.args.get("deleted") else ""
    return _page("web/scenarios.html", scenarios=service().store.scenarios(), message=message, draft=draft,
                 simulations=service().store.simulations(), datasets=service().store.datasets(), notice=notice)


@web.post("/scenarios")
def new_scenario():
    upload = request.files.get("file")
    body = upload.read().decode("utf-8") if upload and upload.filename else request.form.get("body", "")
    try:
        sid = service().add_scenario(body, request.form.get("dataset_id", ""))
    except InputFileError as e:
        return scenarios(message="方案有误：" + "；".join(e.problems), draft=body), 422
    return redirect(url_for("web.scenario", scenario_id=sid), code=303)


@web.get("/scenarios/<scenario_id>")
def scenario(scenario_id: str):
    sc = service().store.scenario(scenario_id)
    if sc is None:
        return scenarios(message=f"没有方案 {scenario_id}。"), 404
    notice = "方案已保存。" if request.args.get("saved") else "已复制方案。" if request.args.get("copied") else ""
    return _page("web/scenario.html", sc=sc, datasets=service().store.datasets(), notice=notice,
                 simulations=service().store.simulations(scenario_id))


@web.post("/scenarios/<scenario_id>/simulations")
def run_scenario(scenario_id: str):
    try:
        sim = service().start_simulation(scenario_id, request.form.get("dataset_id", ""))
    except NotFound as e:
        return scenarios(message=str(e)), 404
    return redirect(url_for("web.simulation", simulation_id=sim), code=303)


@web.get("/simulations/<simulation_id>")
def simulation(simulation_id: str):
    sim = service().store.simulation(simulation_id)
    if sim is None:
        return scenarios(message=f"没有模拟 {simulation_id}。"), 404
    change = (sim["result"] or {}).get("findings_change", {})
    rules = sorted(set(change.get("added", {})) | set(change.get("removed", {})))
    done = sim["status"] == "完成" and sim["result"]
    return _page("web/simulation.html", sim=sim, sections=SECTIONS, change_rules=rules,
                 sankey=chart_data.sankey(sim["result"]) if sim["result"] else None,
                 scenario=service().store.scenario(sim["scenario_id"]),
                 counts=scenario_form.simulation_counts(sim["result"]) if done else None,
                 moved=scenario_form.moved_rows(sim["result"]) if done else [])


scenario_form.register(web, _page)


@web.get("/docs")
def api_docs():
    """The API described from its OpenAPI document, as a plain page (no external scripts)."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return _page("web/docs.html", spec=spec)
