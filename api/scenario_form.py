"""The scenario form, its preview and checks, and the counts a simulation page, its Excel and a comparison share.

A scenario written in the form is the same structure the YAML uses (name, create, packages with select, to,
mode, follow, reserve, keep_at_origin); the form builds it, ``check`` tells in Chinese, naming the field, what
the chosen dataset cannot support, and ``preview`` runs only the selectors.  ``simulation_counts`` is the one
place the numbers of a finished simulation are computed: the page, the workbook and the comparison all show it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from quanze.loaders.yamlfile import InputFileError
from quanze.reform.scenario import MODES, TOWNSHIPS, Package, TransferScenario, department_key
from quanze.reform.simulate import preview as select_preview
from quanze.tables import Tables

CATEGORIES = tuple(yaml.safe_load((Path(__file__).parent.parent / "loaders" / "data" / "categories.yaml")
                                  .read_text(encoding="utf-8"))["canonical"])
STAGES = tuple(s for s, _ in yaml.safe_load((Path(__file__).parent.parent / "loaders" / "data" / "stages.yaml")
                                            .read_text(encoding="utf-8"))["stages"])
NEW_BODIES = ("行政审批局", "综合行政执法局")  # the bodies a reform usually creates
FOLLOW_CATEGORIES = ("行政检查", "行政强制")
MODE_HELP = {"划转": "事项整体划入承接机构", "委托": "原部门委托承接机构实施", "交由": "交由乡镇（街道）实施",
             "派驻": "原部门派驻承接机构实施"}
FIELDS = {"name": "方案名称", "departments": "原部门", "categories": "权力类别", "keywords": "事项名称关键词",
          "to": "承接机构", "mode": "方式", "keep_at_origin": "留在原部门的环节", "reserve": "保留在原部门的关键词",
          "follow": "随转的关联事项"}


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,，、;；]+", text or "") if w]


def form_values(form) -> dict:
    """What the analyst typed or chose, as the form shows it again (a werkzeug MultiDict or a dict of lists)."""
    get = form.get
    many = form.getlist if hasattr(form, "getlist") else (lambda k: form.get(k) or [])
    return {"name": (get("name") or "").strip(), "description": (get("description") or "").strip(),
            "dataset_id": get("dataset_id") or "", "departments": [d for d in many("departments") if d],
            "categories": [c for c in many("categories") if c], "keywords": (get("keywords") or "").strip(),
            "to": (get("to") or "").strip(), "create": bool(get("create")), "mode": get("mode") or "划转",
            "keep_at_origin": [s for s in many("keep_at_origin") if s], "reserve": (get("reserve") or "").strip(),
            "follow": [c for c in many("follow") if c]}


def to_doc(values: dict) -> dict:
    """The form's values as the scenario structure the YAML files use."""
    select = {k: v for k, v in (("departments", values["departments"]), ("categories", values["categories"]),
                                ("keywords", _words(values["keywords"]))) if v}
    package = {"name": f"{'、'.join(values['categories']) or '所选事项'}{values['mode']}{values['to']}",
               "select": select, "to": values["to"], "mode": values["mode"]}
    if values["follow"]:
        package["follow"] = [{"categories": list(values["follow"]), "via": "provision"}]
    if _words(values["reserve"]):
        package["reserve"] = _words(values["reserve"])
    if values["keep_at_origin"]:
        package["keep_at_origin"] = list(values["keep_at_origin"])
    doc = {"name": values["name"]}
    if values["description"]:
        doc["description"] = values["description"]
    if values["create"]:
        doc["create"] = [{"name": values["to"]}]
    doc["packages"] = [package]
    return doc


def to_yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)


def from_body(body: str) -> dict | None:
    """The form's values of a stored scenario, when it is one the form can show (one package, plain selectors)."""
    try:
        doc = yaml.safe_load(body)
    except yaml.YAMLError:
        return None
    if not isinstance(doc, dict) or len(doc.get("packages") or []) != 1 or doc.get("dissolve"):
        return None
    pkg = doc["packages"][0]
    select = pkg.get("select") or {}
    if set(select) - {"departments", "categories", "keywords"}:
        return None
    created = [b.get("name") if isinstance(b, dict) else b for b in doc.get("create") or []]
    follow = [c for f in pkg.get("follow") or [] for c in f.get("categories") or []]
    return {"name": str(doc.get("name") or ""), "description": str(doc.get("description") or ""), "dataset_id": "",
            "departments": list(select.get("departments") or []), "categories": list(select.get("categories") or []),
            "keywords": "、".join(map(str, select.get("keywords") or [])), "to": str(pkg.get("to") or ""),
            "create": pkg.get("to") in created, "mode": pkg.get("mode") or "划转",
            "keep_at_origin": list(pkg.get("keep_at_origin") or []), "reserve": "、".join(pkg.get("reserve") or []),
            "follow": follow}


def options(tables: Tables | None) -> dict:
    """What the form offers for a dataset: its departments (with item counts), categories and targets."""
    if tables is None:
        return {"departments": [], "categories": list(CATEGORIES), "targets": list(NEW_BODIES) + [TOWNSHIPS]}
    T = tables.items
    depts = Counter(T["department"])
    return {"departments": [(d, n) for d, n in sorted(depts.items())],
            "categories": [c for c in CATEGORIES] + sorted(set(T["category"]) - set(CATEGORIES) - {""}),
            "targets": list(NEW_BODIES) + [TOWNSHIPS] + sorted(set(T["short_name"]))}


def check(values: dict, tables: Tables | None) -> list[str]:
    """Problems of the form's values against the dataset, each naming its field (empty when it can be saved)."""
    problems = []
    if not values["name"]:
        problems.append("方案名称：不能为空")
    if tables is None:
        return problems + ["数据集：请选择一个数据集（据它检查部门、类别和承接机构）"]
    T = tables.items
    if not (values["departments"] or values["categories"] or _words(values["keywords"])):
        problems.append("选择范围：原部门、权力类别、关键词至少填一项")
    names, shorts = set(T["department"]), set(T["short_name"])
    for d in values["departments"]:
        if d not in names and department_key(d) not in shorts:
            problems.append(f"原部门：“{d}”不在所选数据集中")
    known = set(CATEGORIES) | set(T["category"])
    for c in values["categories"] + values["follow"]:
        if c not in known:
            problems.append(f"{FIELDS['categories' if c in values['categories'] else 'follow']}：“{c}”不是权力类别"
                            f"（可选：{'、'.join(CATEGORIES)}）")
    to = values["to"]
    if not to:
        problems.append("承接机构：不能为空")
    elif not values["create"] and to != TOWNSHIPS and department_key(to) not in shorts and to not in names:
        problems.append(f"承接机构：“{to}”既不在所选数据集中，也未勾选“新设机构”（可选：{'、'.join(NEW_BODIES)}、"
                        f"{TOWNSHIPS}或数据集中的部门）")
    elif values["create"] and (department_key(to) in shorts or to == TOWNSHIPS):
        problems.append(f"承接机构：“{to}”已在数据集中，不能再新设（取消“新设机构”）")
    if to == TOWNSHIPS and not (T["admin_level"] == "乡").any():
        problems.append("承接机构：所选数据集中没有乡镇的清单，不能交由乡镇")
    if values["mode"] not in MODES:
        problems.append(f"方式：应为 {'、'.join(MODES)} 之一")
    for s in values["keep_at_origin"]:
        if s not in STAGES:
            problems.append(f"留在原部门的环节：“{s}”不是责任环节（可选：{'、'.join(STAGES)}）")
    if not problems and not preview(values, tables)[0]["count"]:
        problems.append("选择范围：原部门、权力类别、关键词的组合没有选中任何事项")
    return problems


def scenario_of(doc: dict) -> TransferScenario:
    pkgs = [Package(p["name"], {k: list(v) for k, v in p["select"].items()}, p["to"], p.get("mode", "划转"),
                    p.get("follow", []), p.get("reserve", []), p.get("keep_at_origin", []), p["name"])
            for p in doc["packages"]]
    return TransferScenario(doc["name"], pkgs, [b["name"] for b in doc.get("create", [])])


def preview(values: dict, tables: Tables) -> list[dict]:
    """The selectors of the form's scenario run over the dataset: what would move, by department and category."""
    return select_preview(tables, scenario_of(to_doc(values)))


def check_body(scenario: TransferScenario, tables: Tables) -> list[str]:
    """A YAML scenario against a dataset: the problems check_against finds, without the file's name."""
    from quanze.reform.scenario import check_against
    from quanze.reform.simulate import _selected
    from quanze.rules.context import RunContext

    ctx = RunContext(tables)
    try:
        check_against(scenario, set(ctx.items["short_name"]), lambda pkg: bool(_selected(ctx, pkg).any()))
    except InputFileError as e:
        return e.problems
    return []


# ---- a finished simulation's numbers --------------------------------------------------------------------

COUNT_LABELS = [("moved", "划转事项"), ("split", "拆分（监管留原部门）"), ("left_behind", "关联事项未随转"),
                ("gaps", "监管空白与缺口"), ("unsupervised", "其中监管空白"), ("basis_conflicts", "依据写明原部门"),
                ("retained_supervision", "原部门保留监管"), ("new_overlaps", "新增交叉"), ("reserved", "保留在原部门"),
                ("must_rehome", "须另行安置"), ("findings_added", "规则检查新增问题"),
                ("findings_removed", "规则检查消除问题")]


def moved_rows(data: dict) -> list[dict]:
    """Each moved item once: its destinations joined (an item given to every township is one row), and what of it
    stays at the origin (the split) on the same row."""
    kept = {e["id"]: e.get("kept", []) for e in data.get("split", [])}
    rows: dict[str, dict] = {}
    for e in data.get("moved", []):
        row = rows.setdefault(e["id"], {**e, "to": [], "kept": kept.get(e["id"], [])})
        if e.get("to") and e["to"] not in row["to"]:
            row["to"].append(e["to"])
    return [{**r, "to": "、".join(r["to"])} for r in rows.values()]


def simulation_counts(data: dict) -> dict:
    """Every number a simulation's page and Excel show, from the result as stored (SimulationResult.to_dict()).

    ``totals``: (key, label, count); ``departments``: per department before, moved out, moved in, the
    supervision items it keeps for moved licences (拆分), and after — after = before − out + in + kept."""
    moved = moved_rows(data)
    change = data.get("findings_change") or {}
    n = {"moved": len(moved), "split": len({e["id"] for e in data.get("split", [])}),
         "unsupervised": sum(1 for g in data.get("gaps", []) if g.get("kind") == "监管空白"),
         "findings_added": sum(map(len, (change.get("added") or {}).values())),
         "findings_removed": sum(map(len, (change.get("removed") or {}).values()))}
    for key in ("left_behind", "gaps", "basis_conflicts", "retained_supervision", "new_overlaps", "reserved",
                "must_rehome"):
        n[key] = len(data.get(key, []))
    counts = data.get("counts") or {}
    before, after = counts.get("before", {}).get("totals", {}), counts.get("after", {}).get("totals", {})
    out, into, kept = Counter(), Counter(), Counter()
    for e in moved:
        out[e["from"]] += 1
    for e in data.get("moved", []):
        into[e["to"]] += 1
    for e in data.get("split", []):
        kept[e["from"]] += 1
    departments = [{"department": d, "before": before.get(d, 0), "out": out[d], "in": into[d], "kept": kept[d],
                    "after": after.get(d, 0)} for d in sorted(set(before) | set(after))]
    return {"totals": [(k, label, n[k]) for k, label in COUNT_LABELS], "by_key": n, "departments": departments}


def compare(a: dict, b: dict) -> dict:
    """Two finished simulations side by side: each count and each department's before/after."""
    ca, cb = simulation_counts(a), simulation_counts(b)
    totals = [(label, x, cb["by_key"][k], cb["by_key"][k] - x) for k, label, x in ca["totals"]]
    da = {r["department"]: r for r in ca["departments"]}
    db = {r["department"]: r for r in cb["departments"]}
    zero = {"before": 0, "out": 0, "in": 0, "kept": 0, "after": 0}
    departments = [{"department": d, "a": da.get(d, zero), "b": db.get(d, zero)} for d in sorted(set(da) | set(db))
                   if da.get(d, zero) != db.get(d, zero) or da.get(d, zero)["before"] != da.get(d, zero)["after"]]
    return {"totals": totals, "departments": departments}



# ---- the pages ---------------------------------------------------------------------------------------------

def register(web, page) -> None:
    """The scenario form, preview, edit, copy, delete and comparison pages, on the web blueprint."""
    from flask import redirect, request, url_for

    from quanze.api.endpoints import service
    from quanze.api.store import NotFound

    def tables_of(ds: str):
        if not ds:
            return None
        try:
            return service().load(ds).tables
        except NotFound:
            return None

    def show(values, problems=(), previews=None, sc=None, status=200, body=""):
        ds = values.get("dataset_id") or ""
        return page("web/scenario_form.html", values=values, problems=list(problems), previews=previews, sc=sc,
                    options=options(tables_of(ds)), datasets=service().store.datasets(), modes=MODES,
                    mode_help=MODE_HELP, stages=STAGES, follow_categories=FOLLOW_CATEGORIES, body=body), status

    def blank():
        sets = service().store.datasets()
        return {**form_values({}), "dataset_id": request.args.get("dataset_id") or (sets[0]["id"] if sets else ""),
                "keep_at_origin": ["事后监管"], "to": "行政审批局", "create": True, "categories": ["行政许可"]}

    def submitted(sc=None):
        values = form_values(request.form)
        if request.form.get("refresh"):  # the dataset changed: offer its departments
            return show(values, sc=sc)
        tables = tables_of(values["dataset_id"])
        problems = check(values, tables)
        if request.form.get("action") == "preview":
            previews = preview(values, tables) if tables is not None and not problems else None
            return show(values, problems, previews, sc=sc, status=200 if previews is not None else 422)
        if problems:
            return show(values, problems, sc=sc, status=422)
        body = to_yaml(to_doc(values))
        try:
            if sc:
                service().update_scenario(sc["id"], body)
                sid = sc["id"]
            else:
                sid = service().add_scenario(body)
        except InputFileError as e:
            return show(values, e.problems, sc=sc, status=422)
        return redirect(url_for("web.scenario", scenario_id=sid, saved=1), code=303)

    @web.get("/scenarios/new", endpoint="scenario_form")
    def scenario_form():
        return show(blank())

    @web.post("/scenarios/new", endpoint="scenario_form_post")
    def scenario_form_post():
        return submitted()

    def found(scenario_id):
        sc = service().store.scenario(scenario_id)
        if sc is None:
            return None, (page("web/error.html", title="未找到", code=404, detail=f"没有方案 {scenario_id}。"), 404)
        return sc, None

    @web.get("/scenarios/<scenario_id>/edit", endpoint="edit_scenario")
    def edit_scenario(scenario_id):
        sc, missing = found(scenario_id)
        if missing:
            return missing
        values = from_body(sc["body"])
        if values is None or request.args.get("yaml"):
            return show(blank(), sc=sc, body=sc["body"])
        sets = service().store.datasets()
        values["dataset_id"] = request.args.get("dataset_id") or (sets[0]["id"] if sets else "")
        return show(values, sc=sc, body=sc["body"])

    @web.post("/scenarios/<scenario_id>/edit", endpoint="edit_scenario_post")
    def edit_scenario_post(scenario_id):
        sc, missing = found(scenario_id)
        if missing:
            return missing
        if "body" in request.form:  # the YAML, as an advanced option
            try:
                service().update_scenario(scenario_id, request.form["body"])
            except InputFileError as e:
                return show(blank(), ["方案 YAML：" + p for p in e.problems], sc=sc, status=422,
                            body=request.form["body"])
            return redirect(url_for("web.scenario", scenario_id=scenario_id, saved=1), code=303)
        return submitted(sc)

    @web.post("/scenarios/<scenario_id>/copy", endpoint="copy_scenario")
    def copy_scenario(scenario_id):
        sc, missing = found(scenario_id)
        if missing:
            return missing
        doc = yaml.safe_load(sc["body"])
        doc["name"] = f"{doc.get('name') or sc['name']}（副本）"
        sid = service().add_scenario(to_yaml(doc))
        return redirect(url_for("web.scenario", scenario_id=sid, copied=1), code=303)

    @web.post("/scenarios/<scenario_id>/delete", endpoint="delete_scenario")
    def delete_scenario(scenario_id):
        sc, missing = found(scenario_id)
        if missing:
            return missing
        service().delete_scenario(scenario_id)
        return redirect(url_for("web.scenarios", deleted=sc["name"][:100]), code=303)

    @web.get("/simulations/compare", endpoint="compare_simulations")
    def compare_simulations():
        store = service().store
        a, b = store.simulation(request.args.get("a", "")), store.simulation(request.args.get("b", ""))
        problems = [f"模拟{k}：没有模拟 {request.args.get(k, '')}" for k, s in (("a", a), ("b", b)) if s is None]
        problems += [f"模拟{k}：尚未完成（{s['status']}）" for k, s in (("a", a), ("b", b))
                     if s is not None and s["status"] != "完成"]
        if problems:
            return page("web/simulations_compare.html", problems=problems, sims=store.simulations()), 404
        names = {s["id"]: s for s in store.simulations()}
        return page("web/simulations_compare.html", problems=[], a=names[a["id"]], b=names[b["id"]],
                    cmp=compare(a["result"], b["result"]), sims=store.simulations())
