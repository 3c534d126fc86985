"""The service's store: SQLite in a data folder, plus the uploaded files exactly as uploaded.

Every dataset, run, finding, review and scenario survives a restart.  The schema
is versioned (``PRAGMA user_version``) and migrated forward step by step; nothing
is dropped.  Uploaded files are kept byte for byte under names the service
chooses, never the names a client sent; the original names are rows in the store.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
import threading
import uuid
from collections import Counter
from pathlib import Path

MIGRATIONS = [
    # 1: the first schema
    """
    create table datasets (id text primary key, name text not null, created text not null, report text);
    create table files (dataset_id text not null references datasets(id) on delete cascade, position int not null,
                        name text not null, stored text not null, sha256 text not null, size int not null);
    create table runs (id text primary key, dataset_id text not null references datasets(id) on delete cascade,
                       status text not null, stage text, progress real, params text, created text not null,
                       finished text, error text, stats text);
    create table findings (run_id text not null references runs(id) on delete cascade, fingerprint text not null,
                           rule text not null, severity text not null, departments text, data text not null,
                           primary key (run_id, fingerprint));
    create index findings_fingerprint on findings(fingerprint);
    create table reviews (id integer primary key autoincrement, fingerprint text not null, status text not null,
                          comment text, reviewer text, at text not null);
    create index reviews_fingerprint on reviews(fingerprint);
    create table scenarios (id text primary key, name text not null, body text not null, created text not null);
    """,
    # 2: simulations of a scenario over a dataset, run as jobs like analyses
    """
    create table simulations (id text primary key, scenario_id text not null references scenarios(id) on delete cascade,
                              dataset_id text not null references datasets(id) on delete cascade,
                              status text not null, stage text, progress real, created text not null, finished text,
                              error text, result text);
    """,
]
REVIEW_STATUSES = ("待核查", "核查中", "已确认", "已驳回", "已整改")


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.uploads = self.folder / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.folder / "quanze.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("pragma foreign_keys = on")
        self.migrate()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen yet; returns the schema version."""
        with self._lock:
            version = self._db.execute("pragma user_version").fetchone()[0]
            for n, script in enumerate(MIGRATIONS[version:], version + 1):
                self._db.executescript(f"begin; {script}; pragma user_version = {n}; commit;")
            return len(MIGRATIONS)

    def _exec(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, args)
            rows = cur.fetchall()
            self._db.commit()
            return rows

    # ---- datasets ------------------------------------------------------------------------

    def add_dataset(self, name: str, uploads: list[tuple[str, bytes]]) -> str:
        """Keep the uploaded files (original name, content); returns the dataset id."""
        ds = new_id()
        folder = self.uploads / ds
        folder.mkdir()
        self._exec("insert into datasets (id, name, created) values (?, ?, ?)", (ds, name, now()))
        for pos, (original, content) in enumerate(uploads):
            stored = f"{pos:03d}-{_safe_name(original)}"
            (folder / stored).write_bytes(content)
            self._exec("insert into files values (?, ?, ?, ?, ?, ?)",
                       (ds, pos, original, stored, hashlib.sha256(content).hexdigest(), len(content)))
        return ds

    def dataset_files(self, ds: str) -> list[dict]:
        rows = self._exec("select * from files where dataset_id = ? order by position", (ds,))
        return [{**dict(r), "path": str(self.uploads / ds / r["stored"])} for r in rows]

    def set_report(self, ds: str, report: dict) -> None:
        self._exec("update datasets set report = ? where id = ?", (json.dumps(report, ensure_ascii=False), ds))

    def dataset(self, ds: str) -> dict | None:
        rows = self._exec("select * from datasets where id = ?", (ds,))
        if not rows:
            return None
        d = dict(rows[0])
        d["report"] = json.loads(d["report"]) if d["report"] else None
        d["files"] = [{k: f[k] for k in ("name", "sha256", "size")} for f in self.dataset_files(ds)]
        return d

    def datasets(self) -> list[dict]:
        return [dict(r) for r in self._exec("select id, name, created from datasets order by created desc")]

    def delete_dataset(self, ds: str) -> bool:
        found = bool(self._exec("select 1 from datasets where id = ?", (ds,)))
        if found:
            self._exec("delete from datasets where id = ?", (ds,))
            for f in (self.uploads / ds).glob("*"):
                f.unlink()
            (self.uploads / ds).rmdir()
        return found

    # ---- runs and findings ---------------------------------------------------------------

    def add_run(self, ds: str, params: dict) -> str:
        run = new_id()
        self._exec("insert into runs (id, dataset_id, status, stage, progress, params, created) values "
                   "(?, ?, '排队', '', 0, ?, ?)", (run, ds, json.dumps(params, ensure_ascii=False), now()))
        return run

    def _update(self, table: str, key: str, **fields) -> None:
        """Update a job row (runs, simulations); dict values are stored as JSON."""
        values = [json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, dict) else v for v in fields.values()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        self._exec(f"update {table} set {sets} where id = ?", (*values, key))

    def _row(self, table: str, key: str, json_columns: tuple[str, ...]) -> dict | None:
        rows = self._exec(f"select * from {table} where id = ?", (key,))
        if not rows:
            return None
        d = dict(rows[0])
        for k in json_columns:
            d[k] = json.loads(d[k]) if d[k] else None
        return d

    def update_run(self, run: str, **fields) -> None:
        self._update("runs", run, **fields)

    def run(self, run: str) -> dict | None:
        d = self._row("runs", run, ("params", "stats"))
        if d is None:
            return None
        d["findings"] = self._exec("select count(*) from findings where run_id = ?", (run,))[0][0]
        return d

    def runs(self, ds: str) -> list[dict]:
        return [self.run(r["id"]) for r in self._exec("select id from runs where dataset_id = ? order by created desc",
                                                      (ds,))]

    def add_findings(self, run: str, findings: list[dict]) -> None:
        with self._lock:
            self._db.executemany("insert or replace into findings values (?, ?, ?, ?, ?, ?)", [
                (run, f["fingerprint"], f["rule"], f["severity"], "、".join(f["departments"]),
                 json.dumps(f, ensure_ascii=False, default=str)) for f in findings])
            self._db.commit()

    def findings(self, run: str, rule=None, severity=None, department=None, status=None,
                 offset: int = 0, limit: int = 50) -> tuple[int, list[dict]]:
        """A page of a run's findings with their current review status, filtered in SQL."""
        where, args = ["run_id = ?"], [run]
        for col, value in (("rule", rule), ("severity", severity)):
            if value:
                where.append(f"{col} = ?")
                args.append(value)
        if department:
            where.append("departments like ?")
            args.append(f"%{department}%")
        if status:
            where.append("review = ?")
            args.append(status)
        latest = ("coalesce((select status from reviews r where r.fingerprint = f.fingerprint order by r.id desc "
                  f"limit 1), '{REVIEW_STATUSES[0]}')")
        base = f"select * from (select f.*, {latest} as review from findings f) where {' and '.join(where)}"
        total = self._exec(f"select count(*) from ({base})", args)[0][0]
        rows = self._exec(f"{base} order by rule, fingerprint limit ? offset ?", (*args, limit, offset))
        return total, [{**json.loads(r["data"]), "review": r["review"]} for r in rows]

    def finding_counts(self, run: str) -> dict[str, Counter]:
        """Findings per severity, rule and department, read from the columns (no finding is decoded)."""
        rows = self._exec("select severity, rule, departments from findings where run_id = ?", (run,))
        return {"severity": Counter(r["severity"] for r in rows), "rule": Counter(r["rule"] for r in rows),
                "department": Counter(d for r in rows for d in (r["departments"] or "").split("、") if d)}

    def finding(self, fingerprint: str) -> dict | None:
        rows = self._exec("select f.data from findings f join runs r on r.id = f.run_id where f.fingerprint = ? "
                          "order by r.created desc limit 1", (fingerprint,))
        if not rows:
            return None
        return {**json.loads(rows[0]["data"]), "review": self.review_status(fingerprint),
                "reviews": self.reviews(fingerprint)}

    # ---- scenarios and simulations -------------------------------------------------------

    def add_scenario(self, name: str, body: str) -> str:
        sid = new_id()
        self._exec("insert into scenarios values (?, ?, ?, ?)", (sid, name, body, now()))
        return sid

    def scenario(self, sid: str) -> dict | None:
        rows = self._exec("select * from scenarios where id = ?", (sid,))
        return dict(rows[0]) if rows else None

    def scenarios(self) -> list[dict]:
        return [dict(r) for r in self._exec("select id, name, created from scenarios order by created desc")]

    def add_simulation(self, sid: str, ds: str) -> str:
        sim = new_id()
        self._exec("insert into simulations (id, scenario_id, dataset_id, status, stage, progress, created) "
                   "values (?, ?, ?, '排队', '', 0, ?)", (sim, sid, ds, now()))
        return sim

    def update_simulation(self, sim: str, **fields) -> None:
        self._update("simulations", sim, **fields)

    def simulation(self, sim: str) -> dict | None:
        return self._row("simulations", sim, ("result",))

    # ---- reviews -------------------------------------------------------------------------

    def add_review(self, fingerprint: str, status: str, comment: str = "", reviewer: str = "") -> dict:
        self._exec("insert into reviews (fingerprint, status, comment, reviewer, at) values (?, ?, ?, ?, ?)",
                   (fingerprint, status, comment, reviewer, now()))
        return self.reviews(fingerprint)[-1]

    def reviews(self, fingerprint: str) -> list[dict]:
        return [dict(r) for r in self._exec("select status, comment, reviewer, at from reviews where fingerprint = ? "
                                            "order by id", (fingerprint,))]

    def review_status(self, fingerprint: str) -> str:
        rows = self._exec("select status from reviews where fingerprint = ? order by id desc limit 1", (fingerprint,))
        return rows[0]["status"] if rows else REVIEW_STATUSES[0]


def _safe_name(name: str) -> str:
    """A file name the service chooses: no directories, no odd characters, bounded length."""
    base = Path(name.replace("\\", "/")).name
    kept = "".join(ch for ch in base if ch.isalnum() or ch in "._-（）()")
    stem, suffix = Path(kept).stem[:80] or "file", Path(kept).suffix.lower()[:6]
    return f"{stem}{suffix}" if suffix in (".xls", ".xlsx", ".xlsm", ".csv", ".json", ".txt") else f"{stem}.bin"
