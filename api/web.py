"""Web pages for 编办 analysts (Chinese, server-rendered, no external resources).

Upload lists and see the load report; start a rule check and watch its progress;
read findings with counts by rule, severity and department; open a finding with its
items side by side, the source rows and the evidence, and review it.
"""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from quanze.api.reports import evidence_text
from quanze.api.store import REVIEW_STATUSES
from quanze.rules.catalogue import CatalogueError

web = Blueprint("web", __name__)


def _svc():
    return current_app.extensions["quanze"]


def _page(template: str, **context):
    return render_template(template, need_token=bool(current_app.config.get("QUANZE_TOKEN")), **context)


@web.get("/")
def datasets(message: str = ""):
    return _page("web/datasets.html", datasets=_svc().store.datasets(), message=message)


@web.post("/datasets")
def upload():
    uploads = [(f.filename or "未命名", f.read()) for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return datasets(message="请选择至少一个清单文件。"), 400
    svc = _svc()
    name = uploads[0][0] if len(uploads) == 1 else f"{uploads[0][0]} 等 {len(uploads)} 个文件"
    ds = svc.store.add_dataset(name, uploads)
    loaded, _ = svc.load(ds)
    svc.store.set_report(ds, loaded.report())
    return redirect(url_for("web.dataset", dataset_id=ds), code=303)


@web.get("/datasets/<dataset_id>")
def dataset(dataset_id: str, message: str = ""):
    store = _svc().store
    ds = store.dataset(dataset_id)
    if ds is None:
        return datasets(message=f"没有数据集 {dataset_id}。"), 404
    return _page("web/dataset.html", ds=ds, runs=store.runs(dataset_id), message=message)


@web.post("/datasets/<dataset_id>/analyses")
def analyse(dataset_id: str):
    rules = request.form.get("rules", "").strip() or None
    try:
        run_id = _svc().start_analysis(dataset_id, rules)
    except CatalogueError as e:
        return dataset(dataset_id, message=str(e)), 422
    return redirect(url_for("web.run", run_id=run_id), code=303)


@web.get("/analyses/<run_id>")
def run(run_id: str):
    store = _svc().store
    job = store.run(run_id)
    if job is None:
        return datasets(message=f"没有分析任务 {run_id}。"), 404
    query = {k: request.args.get(k) or None for k in ("rule", "severity", "department", "status")}
    total, found = store.findings(run_id, limit=500, **query)
    _, everything = store.findings(run_id, limit=100_000)
    return _page("web/run.html", run=job, findings=found, total=total, query=query, statuses=REVIEW_STATUSES,
                 by_severity=sorted(Counter(f["severity"] for f in everything).items(), key=lambda kv: "红黄蓝".index(kv[0])),
                 by_rule=sorted(Counter(f["rule"] for f in everything).items()),
                 by_department=Counter(d for f in everything for d in f["departments"]).most_common(20))


@web.get("/findings/<fingerprint>")
def finding(fingerprint: str):
    found = _svc().store.finding(fingerprint)
    if found is None:
        return datasets(message=f"没有问题 {fingerprint}。"), 404
    return _page("web/finding.html", f=found, evidence=evidence_text(found["evidence"]), statuses=REVIEW_STATUSES)


@web.post("/findings/<fingerprint>/review")
def review(fingerprint: str):
    status = request.form.get("status", "")
    if status not in REVIEW_STATUSES:
        return finding(fingerprint), 422
    _svc().store.add_review(fingerprint, status, request.form.get("comment", ""), request.form.get("reviewer", ""))
    return redirect(url_for("web.finding", fingerprint=fingerprint), code=303)
