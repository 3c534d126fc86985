"""The service's store: SQLite in a data folder, plus the uploaded files exactly as uploaded.

Every dataset, run, finding, review and scenario survives a restart.  The schema
is versioned (``PRAGMA user_version``) and migrated forward step by step; nothing
is dropped.  Uploaded files are kept byte for byte as ``uploads/<dataset>/<position>/<name>``,
the name being the client's made safe (the loader reads the region and department
from it); the original names and each file's role (a list, or a reference input
such as 三定职责) are rows in the store.  The tables read from them are kept beside,
in ``tables/<dataset>/`` (``api/persist.py``).

Several processes (gunicorn workers) share one database: it runs in WAL mode with a
busy timeout, and every write is one transaction that ends, committed or rolled back,
when its block does.  Each Store holds a lock file for its lifetime; a job records
the lock of the process running it, so a job whose process died (kill -9, crash) is
seen as interrupted by whoever reads it next.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections import Counter
from pathlib import Path

from quanze.loaders.pipeline import SUPPORTED_SUFFIXES

LISTS = "lists"  # the role of a list file; the other roles are the reference inputs (api/inputs.py)
LINEAGE_SUFFIXES = {".yaml", ".yml"}

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
    # 3: the process that runs a job; datasets left without a load report by an interrupted upload go
    """
    alter table runs add column owner text;
    alter table simulations add column owner text;
    delete from datasets where report is null;
    """,
    # 4: the role of an uploaded file: a list, or a reference input (三定职责, 通用目录 ……) of its dataset
    """
    alter table files add column role text not null default 'lists';
    """,
    # 5: what the findings list filters and sorts on, as columns: the rule's title, the items' names, the message
    """
    alter table findings add column title text not null default '';
    alter table findings add column items text not null default '';
    alter table findings add column message text not null default '';
    update findings set title = coalesce(json_extract(data, '$.title'), ''),
                        message = coalesce(json_extract(data, '$.message'), ''),
                        items = coalesce((select group_concat(json_extract(s.value, '$.name'), '、')
                                          from json_each(findings.data, '$.subjects') s), '');
    create index if not exists findings_run_order on findings(run_id, severity, rule);
    """,
    # 6: the region an upload named (files that name none are read under it); department names an analyst
    #    corrected or merged, per dataset
    """
    alter table datasets add column region text not null default '';
    create table if not exists department_aliases (dataset_id text not null references datasets(id) on delete cascade,
                                     name text not null, canonical text not null, at text not null,
                                     primary key (dataset_id, name));
    """,
]
REVIEW_STATUSES = ("待核查", "核查中", "已确认", "已驳回", "已整改")
SEVERITY_ORDER = ("红", "黄", "蓝")
# the columns a findings list can be sorted by (page and API), each with the SQL it sorts on
SORTS = {"severity": "sev_rank", "rule": "rule", "department": "departments", "item": "items",
         "message": "message", "status": "review"}
_SEV_RANK = "case severity when '红' then 0 when '黄' then 1 when '蓝' then 2 else 3 end"
_LATEST_REVIEW = ("coalesce((select status from reviews r where r.fingerprint = f.fingerprint order by r.id desc "
                  f"limit 1), '{REVIEW_STATUSES[0]}')")
_RULE_ID = re.compile(r"[Rr]0*(\d{1,2})([a-zA-Z]?)")
RUNNING = ("排队", "运行中")
INTERRUPTED = "中断"
INTERRUPTED_REASON = "任务中断：运行它的服务进程已停止（重启或崩溃），结果没有保存。请重新运行。"
BUSY_TIMEOUT = 30.0
OWNER_MARK = ".owner"
STAGING = ".staging-"  # + owner + "." + random: an upload folder before it is marked


class NotFound(LookupError):
    """A write refers to a row that does not exist (a dataset, a scenario)."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.uploads = self.folder / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.tables = self.folder / "tables"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.folder / "quanze.sqlite3", timeout=BUSY_TIMEOUT, check_same_thread=False,
                                   isolation_level=None)  # transactions are begun explicitly, see transaction()
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"pragma busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        self._db.execute("pragma journal_mode = wal")
        self._db.execute("pragma foreign_keys = on")
        self.owner, self._owner_file = _hold_owner_lock(self.folder / "locks")
        self.migrate()
        self._relocate_flat_uploads()
        self.recover()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen yet; returns the schema version."""
        with self.transaction() as db:
            version = db.execute("pragma user_version").fetchone()[0]
            for n, script in enumerate(MIGRATIONS[version:], version + 1):
                for statement in filter(str.strip, script.split(";")):
                    if not _adds_a_column_there(db, statement):
                        db.execute(statement)
                db.execute(f"pragma user_version = {n}")
            return len(MIGRATIONS)

    def close(self) -> None:
        """Close the database and give up this process's lock (before a fork: a connection must not cross it)."""
        with self._lock:
            self._db.close()
        self._owner_file.close()
        (self.folder / "locks" / f"{self.owner}.lock").unlink(missing_ok=True)

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction: committed when the block ends, rolled back when it raises."""
        with self._lock:
            self._db.execute("begin immediate")
            try:
                yield self._db
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()

    def _exec(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self.transaction() as db:
            return db.execute(sql, args).fetchall()

    def _read(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ---- processes and interrupted work --------------------------------------------------

    def alive(self, owner: str | None) -> bool:
        """Whether the process that wrote ``owner`` into a job still runs (it holds its lock file)."""
        if owner == self.owner:
            return True
        if not owner or "/" in owner:
            return False
        return _lock_is_held(self.folder / "locks" / f"{owner}.lock")

    def recover(self) -> None:
        """Mark the jobs of processes that died as interrupted; drop what their unfinished uploads wrote."""
        for table in ("runs", "simulations"):
            for row in self._read(f"select id, owner from {table} where status in (?, ?)", RUNNING):
                if not self.alive(row["owner"]):
                    self._interrupt(table, row["id"])
        known = {r["id"] for r in self._read("select id from datasets")}
        for folder in self.uploads.iterdir():
            if folder.name in known or not folder.is_dir():
                continue
            mark = folder / OWNER_MARK
            # a mark can be empty: the process died between creating it and writing it
            owner = (mark.read_text(encoding="utf-8").strip() if mark.exists() else "") or _staged_by(folder.name)
            if folder.name.startswith(".") and not owner:
                continue  # not a folder this store made
            if not self.alive(owner):
                shutil.rmtree(folder, ignore_errors=True)
        if self.tables.is_dir():  # the tables of a dataset deleted while another process was writing them
            for folder in self.tables.iterdir():
                if folder.name not in known and not folder.name.startswith("."):
                    shutil.rmtree(folder, ignore_errors=True)
        for lock in (self.folder / "locks").glob("*.lock"):
            self.alive(lock.stem)  # a dead process's lock file is removed when found free

    def _interrupt(self, table: str, key: str) -> None:
        self._exec(f"update {table} set status = ?, error = ?, finished = ? where id = ? and status in (?, ?)",
                   (INTERRUPTED, INTERRUPTED_REASON, now(), key, *RUNNING))

    def _checked(self, table: str, d: dict) -> dict:
        """A job row, marked interrupted first when the process running it is gone."""
        if d["status"] in RUNNING and not self.alive(d.get("owner")):
            self._interrupt(table, d["id"])
            d.update(self._read(f"select status, error, finished from {table} where id = ?", (d["id"],))[0])
        return d

    # ---- datasets ------------------------------------------------------------------------

    def stage_dataset(self, uploads: list[tuple]) -> tuple[str, list[dict]]:
        """Write the uploaded files (original name, content[, role]) for a dataset not yet in the store.

        The folder is marked with this process's lock until ``add_dataset`` commits, so that
        an upload interrupted by a crash is removed at the next start, never listed.
        """
        ds = new_id()
        # named by its owner from the first instant: a crash before the mark is written leaves nothing kept
        draft = Path(tempfile.mkdtemp(prefix=f"{STAGING}{self.owner}.", dir=self.uploads))
        (draft / OWNER_MARK).write_text(self.owner, encoding="utf-8")
        draft.rename(self.uploads / ds)  # visible to recover() only once it is marked
        return ds, self._write_files(ds, uploads, 0)

    def stage_inputs(self, ds: str, uploads: list[tuple]) -> list[dict]:
        """Write more files (reference inputs) into a stored dataset's folder; ``add_inputs`` lists them.

        Until then they are not rows of the store, so a crash in between leaves files nobody reads.
        """
        if not self._read("select 1 from datasets where id = ?", (ds,)):
            raise NotFound(f"没有数据集 {ds}。")
        last = self._read("select max(position) from files where dataset_id = ?", (ds,))[0][0]
        start = max(-1 if last is None else last, *self._positions_on_disk(ds)) + 1
        return self._write_files(ds, uploads, start)

    def _positions_on_disk(self, ds: str) -> list[int]:
        return [int(p.name) for p in (self.uploads / ds).iterdir() if p.is_dir() and p.name.isdigit()] or [-1]

    def _write_files(self, ds: str, uploads: list[tuple], start: int) -> list[dict]:
        folder = self.uploads / ds
        files = []
        for pos, (original, content, *role) in enumerate(uploads, start):
            role = role[0] if role else LISTS
            stored = f"{pos:03d}/{_safe_name(original, LINEAGE_SUFFIXES if role == 'lineage' else ())}"
            (folder / stored).parent.mkdir()
            (folder / stored).write_bytes(content)
            files.append({"dataset_id": ds, "position": pos, "name": original, "stored": stored,
                          "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                          "role": role, "path": str(folder / stored)})
        return files

    def add_dataset(self, ds: str, name: str, files: list[dict], report: dict, region: str = "") -> None:
        """Keep a staged dataset with its load report (and the region its upload named), in one transaction."""
        with self.transaction() as db:
            db.execute("insert into datasets (id, name, created, report, region) values (?, ?, ?, ?, ?)",
                       (ds, name, now(), json.dumps(report, ensure_ascii=False), region or ""))
            _insert_files(db, files)
        (self.uploads / ds / OWNER_MARK).unlink(missing_ok=True)

    def add_inputs(self, ds: str, files: list[dict], report: dict) -> None:
        """List staged reference files with the dataset's new report, in one transaction."""
        with self.transaction() as db:
            if not db.execute("update datasets set report = ? where id = ? returning id",
                              (json.dumps(report, ensure_ascii=False), ds)).fetchone():
                raise NotFound(f"没有数据集 {ds}。")
            _insert_files(db, files)

    def discard_staged(self, ds: str, files: list[dict] | None = None) -> None:
        """Remove a staged dataset, or only the staged ``files`` of a stored one."""
        if files is None:
            shutil.rmtree(self.uploads / ds, ignore_errors=True)
            return
        for f in files:
            shutil.rmtree(Path(f["path"]).parent, ignore_errors=True)

    def dataset_files(self, ds: str) -> list[dict]:
        rows = self._read("select * from files where dataset_id = ? order by position", (ds,))
        return [{**dict(r), "path": str(self.uploads / ds / r["stored"])} for r in rows]

    def tables_folder(self, ds: str) -> Path:
        """Where a dataset's tables are kept (Parquet, api/persist.py)."""
        return self.tables / ds

    def _relocate_flat_uploads(self) -> None:
        """Files kept by earlier versions as ``<position>-<name>`` move to ``<position>/<name>``."""
        for r in self._read("select * from files where stored not like '%/%'"):
            stored = f"{r['position']:03d}/{_safe_name(r['name'])}"
            old, new = self.uploads / r["dataset_id"] / r["stored"], self.uploads / r["dataset_id"] / stored
            try:
                new.parent.mkdir(exist_ok=True)
                old.rename(new)
            except FileNotFoundError:  # another worker moved it first
                continue
            self._exec("update files set stored = ? where dataset_id = ? and position = ?",
                       (stored, r["dataset_id"], r["position"]))

    def dataset(self, ds: str) -> dict | None:
        rows = self._read("select * from datasets where id = ?", (ds,))
        if not rows:
            return None
        d = dict(rows[0])
        d["report"] = json.loads(d["report"]) if d["report"] else None
        d["files"] = [{k: f[k] for k in ("name", "sha256", "size", "role")} for f in self.dataset_files(ds)]
        d["aliases"] = self.aliases(ds)
        return d

    def aliases(self, ds: str) -> dict[str, str]:
        """The dataset's department aliases: name as loaded → the name it is corrected to."""
        return {r["name"]: r["canonical"] for r in self._read(
            "select name, canonical from department_aliases where dataset_id = ? order by name", (ds,))}

    def set_aliases(self, ds: str, aliases: dict[str, str]) -> None:
        """Replace the dataset's department aliases, in one transaction; raises NotFound without the dataset."""
        with self.transaction() as db:
            if not db.execute("select 1 from datasets where id = ?", (ds,)).fetchone():
                raise NotFound(f"没有数据集 {ds}。")
            db.execute("delete from department_aliases where dataset_id = ?", (ds,))
            at = now()
            db.executemany("insert into department_aliases values (?, ?, ?, ?)",
                           [(ds, name, canonical, at) for name, canonical in aliases.items()])

    def datasets(self) -> list[dict]:
        return [dict(r) for r in self._read("select id, name, created from datasets order by created desc")]

    def rename_dataset(self, ds: str, name: str) -> bool:
        """Give a dataset another name; False when there is no such dataset."""
        return bool(self._exec("update datasets set name = ? where id = ? returning id", (name, ds)))

    def delete_dataset(self, ds: str) -> bool:
        found = bool(self._exec("delete from datasets where id = ? returning id", (ds,)))
        if found:
            shutil.rmtree(self.uploads / ds, ignore_errors=True)
            shutil.rmtree(self.tables_folder(ds), ignore_errors=True)
        return found

    # ---- runs and findings ---------------------------------------------------------------

    def add_run(self, ds: str, params: dict) -> str:
        """A queued run of this process; raises NotFound when the dataset does not exist."""
        run = new_id()
        with self.transaction() as db:
            if not db.execute("select 1 from datasets where id = ?", (ds,)).fetchone():
                raise NotFound(f"没有数据集 {ds}。")
            db.execute("insert into runs (id, dataset_id, status, stage, progress, params, created, owner) values "
                       "(?, ?, '排队', '', 0, ?, ?, ?)", (run, ds, json.dumps(params, ensure_ascii=False), now(),
                                                       self.owner))
        return run

    def _update(self, table: str, key: str, **fields) -> None:
        """Update a job row (runs, simulations); dict values are stored as JSON."""
        values = [json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, dict) else v for v in fields.values()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        self._exec(f"update {table} set {sets} where id = ?", (*values, key))

    def _row(self, table: str, key: str, json_columns: tuple[str, ...]) -> dict | None:
        rows = self._read(f"select * from {table} where id = ?", (key,))
        if not rows:
            return None
        d = self._checked(table, dict(rows[0]))
        for k in json_columns:
            d[k] = json.loads(d[k]) if d[k] else None
        return d

    def update_run(self, run: str, **fields) -> None:
        self._update("runs", run, **fields)

    def run(self, run: str) -> dict | None:
        d = self._row("runs", run, ("params", "stats"))
        if d is None:
            return None
        d["findings"] = self._read("select count(*) from findings where run_id = ?", (run,))[0][0]
        d["rules"] = [{k: r.get(k) for k in ("id", "status", "reason", "findings")}
                      for r in (d["stats"] or {}).get("runs", [])]
        return d

    def runs(self, ds: str) -> list[dict]:
        return [self.run(r["id"]) for r in self._read("select id from runs where dataset_id = ? order by created desc",
                                                      (ds,))]

    def add_findings(self, run: str, findings: list[dict]) -> None:
        """Keep a run's findings in the engine's order (the order within a rule on every list)."""
        with self.transaction() as db:
            db.executemany("insert or replace into findings (run_id, fingerprint, rule, severity, departments, data, "
                           "title, items, message) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                               (run, f["fingerprint"], f["rule"], f["severity"], "、".join(f["departments"]),
                                json.dumps(f, ensure_ascii=False, default=str), f.get("title") or "",
                                "、".join(s.get("name") or "" for s in f.get("subjects") or []), f.get("message") or "")
                               for f in findings])

    def findings(self, run: str, rule=None, severity=None, department=None, status=None, q=None,
                 sort: str | None = None, order: str = "asc", offset: int = 0, limit: int = 50) -> tuple[int, list[dict]]:
        """A page of a run's findings with their current review status, filtered, sorted and paged in SQL.

        ``rule``: rule ids (``R01a``), prefixes (``R01`` for R01a and R01b, ``R1`` read as ``R01``) or words of
        a rule's Chinese title, several separated by commas (any of them); ``department``: a department name
        or a list of them (findings concerning all of them); a name that is not one of the run's departments
        is looked for inside their names; ``q``: text in the message, the items' names, the departments or
        the rule's title.  Sorted 红 → 黄 → 蓝, then by rule, then in the engine's order, unless ``sort`` names
        a column of ``SORTS`` (then by it first, ``order`` asc or desc).
        """
        where, args = self._finding_filter(run, rule, severity, department, status, q)
        base = (f"select * from (select f.rowid as seq, f.*, {_SEV_RANK} as sev_rank, {_LATEST_REVIEW} as review "
                f"from findings f where f.run_id = ?) where {' and '.join(where)}")
        total = self._read(f"select count(*) from ({base})", args)[0][0]
        keys = ["sev_rank", "rule", "seq"]
        if sort in SORTS:
            keys = [f"{SORTS[sort]} {'desc' if order == 'desc' else 'asc'}"] + [k for k in keys if k != SORTS[sort]]
        rows = self._read(f"{base} order by {', '.join(keys)} limit ? offset ?", (*args, limit, offset))
        return total, [{**json.loads(r["data"]), "review": r["review"]} for r in rows]

    def run_findings(self, run: str) -> list[dict]:
        """Every finding of a run, by rule and fingerprint (the order a run's result is rebuilt in)."""
        rows = self._read(f"select data, {_LATEST_REVIEW} as review from findings f where run_id = ? "
                          "order by rule, fingerprint", (run,))
        return [{**json.loads(r["data"]), "review": r["review"]} for r in rows]

    def _finding_filter(self, run, rule, severity, department, status, q) -> tuple[list[str], list]:
        where, args = ["1"], [run]
        if rule:
            alternatives = []
            for token in filter(None, re.split(r"[,，、;；\s]+", rule.strip())):
                m = _RULE_ID.fullmatch(token)
                if m and m.group(2):
                    alternatives.append("rule = ?")
                    args.append(f"R{int(m.group(1)):02d}{m.group(2).lower()}")
                elif m:
                    alternatives.append("(rule = ? or rule glob ?)")
                    args += [f"R{int(m.group(1)):02d}", f"R{int(m.group(1)):02d}[a-z]"]
                else:
                    alternatives.append("instr(title, ?) > 0")
                    args.append(token)
            where.append(f"({' or '.join(alternatives) or '1'})")
        if severity:
            where.append("severity = ?")
            args.append(severity)
        names = [department] if isinstance(department, str) else list(department or [])
        known = set(self.finding_departments(run)) if names else set()
        for name in filter(None, (n.strip() for n in names)):
            if name in known:  # one of the run's departments: that department, not others containing its name
                where.append("instr('、' || departments || '、', ?) > 0")
                args.append(f"、{name}、")
            else:
                where.append("instr(departments, ?) > 0")
                args.append(name)
        if status:
            where.append("review = ?")
            args.append(status)
        if q and q.strip():
            where.append("instr(message || '|' || items || '|' || departments || '|' || title, ?) > 0")
            args.append(q.strip())
        return where, args

    def finding_departments(self, run: str) -> list[str]:
        """The departments a run's findings concern, by name."""
        rows = self._read("select distinct departments from findings where run_id = ?", (run,))
        return sorted({d for r in rows for d in (r["departments"] or "").split("、") if d})

    def finding_counts(self, run: str) -> dict[str, Counter]:
        """Findings per severity, rule and department, read from the columns (no finding is decoded)."""
        rows = self._read("select severity, rule, departments from findings where run_id = ?", (run,))
        return {"severity": Counter(r["severity"] for r in rows), "rule": Counter(r["rule"] for r in rows),
                "department": Counter(d for r in rows for d in (r["departments"] or "").split("、") if d)}

    def item_findings(self, run: str, item_id: str) -> list[dict]:
        """The findings of a run that concern the item ``item_id``, 红 → 黄 → 蓝 then by rule."""
        rows = self._read(f"select data, {_LATEST_REVIEW} as review from findings f where run_id = ? and exists "
                          "(select 1 from json_each(f.data, '$.subjects') s where json_extract(s.value, '$.id') = ?) "
                          f"order by {_SEV_RANK}, rule, rowid", (run, item_id))
        return [{**json.loads(r["data"]), "review": r["review"]} for r in rows]

    def neighbours(self, run: str, fingerprint: str, rule=None, severity=None, department=None, status=None,
                   q=None, sort: str | None = None, order: str = "asc") -> dict | None:
        """Where a finding stands in a run's findings list filtered and sorted as :meth:`findings` does:
        its position (1-based), the total, and the fingerprints before and after it (None at an end), found
        in SQL with a window over the filtered list; None when the finding is not in that list."""
        where, args = self._finding_filter(run, rule, severity, department, status, q)
        keys = ["sev_rank", "rule", "seq"]
        if sort in SORTS:
            keys = [f"{SORTS[sort]} {'desc' if order == 'desc' else 'asc'}"] + [k for k in keys if k != SORTS[sort]]
        window = f"over (order by {', '.join(keys)})"
        rows = self._read(
            f"select position, total, prev, next from (select fingerprint, row_number() {window} as position, "
            f"count(*) over () as total, lag(fingerprint) {window} as prev, lead(fingerprint) {window} as next "
            f"from (select f.rowid as seq, f.*, {_SEV_RANK} as sev_rank, {_LATEST_REVIEW} as review "
            f"from findings f where f.run_id = ?) where {' and '.join(where)}) where fingerprint = ?",
            (*args, fingerprint))
        return dict(rows[0]) if rows else None

    def run_finding(self, run: str, fingerprint: str) -> dict | None:
        """A finding as one run found it, with its review status and history."""
        rows = self._read("select data from findings where run_id = ? and fingerprint = ?", (run, fingerprint))
        if not rows:
            return None
        return {**json.loads(rows[0]["data"]), "review": self.review_status(fingerprint),
                "reviews": self.reviews(fingerprint), "run_id": run}

    def finding(self, fingerprint: str) -> dict | None:
        rows = self._read("select f.data, f.run_id from findings f join runs r on r.id = f.run_id "
                          "where f.fingerprint = ? order by r.created desc limit 1", (fingerprint,))
        if not rows:
            return None
        return {**json.loads(rows[0]["data"]), "review": self.review_status(fingerprint),
                "reviews": self.reviews(fingerprint), "run_id": rows[0]["run_id"]}

    # ---- scenarios and simulations -------------------------------------------------------

    def add_scenario(self, name: str, body: str) -> str:
        sid = new_id()
        self._exec("insert into scenarios values (?, ?, ?, ?)", (sid, name, body, now()))
        return sid

    def scenario(self, sid: str) -> dict | None:
        rows = self._read("select * from scenarios where id = ?", (sid,))
        return dict(rows[0]) if rows else None

    def update_scenario(self, sid: str, name: str, body: str) -> None:
        self._exec("update scenarios set name = ?, body = ? where id = ?", (name, body, sid))

    def delete_scenario(self, sid: str) -> None:
        """A scenario and its simulations."""
        self._exec("delete from simulations where scenario_id = ?", (sid,))
        self._exec("delete from scenarios where id = ?", (sid,))

    def simulations(self, sid: str | None = None) -> list[dict]:
        """Simulations (of one scenario), newest first, without their results."""
        where, args = ("where s.scenario_id = ?", (sid,)) if sid else ("", ())
        return [dict(r) for r in self._read(
            "select s.id, s.scenario_id, s.dataset_id, s.status, s.created, c.name as scenario, d.name as dataset "
            f"from simulations s join scenarios c on c.id = s.scenario_id left join datasets d on d.id = s.dataset_id "
            f"{where} order by s.created desc", args)]

    def scenarios(self) -> list[dict]:
        return [dict(r) for r in self._read("select id, name, created from scenarios order by created desc")]

    def add_simulation(self, sid: str, ds: str) -> str:
        """A queued simulation of this process; raises NotFound when the scenario or dataset does not exist."""
        sim = new_id()
        with self.transaction() as db:
            for table, key, what in (("scenarios", sid, "方案"), ("datasets", ds, "数据集")):
                if not db.execute(f"select 1 from {table} where id = ?", (key,)).fetchone():
                    raise NotFound(f"没有{what} {key}。")
            db.execute("insert into simulations (id, scenario_id, dataset_id, status, stage, progress, created, owner) "
                       "values (?, ?, ?, '排队', '', 0, ?, ?)", (sim, sid, ds, now(), self.owner))
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

    def add_reviews(self, run: str, fingerprints: list[str], status: str, comment: str = "",
                    reviewer: str = "") -> int:
        """The same review of several findings of a run, in one transaction; raises NotFound (and writes
        nothing) when a fingerprint is not a finding of the run.  Returns how many were reviewed."""
        wanted = list(dict.fromkeys(fingerprints))
        with self.transaction() as db:
            found = {r[0] for n in range(0, len(wanted), 500) for r in db.execute(
                f"select fingerprint from findings where run_id = ? and fingerprint in "
                f"({', '.join('?' * len(wanted[n:n + 500]))})", (run, *wanted[n:n + 500]))}
            missing = [fp for fp in wanted if fp not in found]
            if missing:
                raise NotFound(f"分析任务 {run} 中没有这些问题：{'、'.join(missing[:10])}"
                               + ("……" if len(missing) > 10 else "") + "。")
            at = now()
            db.executemany("insert into reviews (fingerprint, status, comment, reviewer, at) values (?, ?, ?, ?, ?)",
                           [(fp, status, comment, reviewer, at) for fp in wanted])
        return len(wanted)

    def reviews(self, fingerprint: str) -> list[dict]:
        return [dict(r) for r in self._read("select status, comment, reviewer, at from reviews where fingerprint = ? "
                                            "order by id", (fingerprint,))]

    def latest_reviews(self, run: str) -> dict[str, dict]:
        """The latest review of each reviewed finding of a run, by fingerprint."""
        rows = self._read("select fingerprint, status, comment, reviewer, at from reviews where id in "
                          "(select max(id) from reviews where fingerprint in "
                          "(select fingerprint from findings where run_id = ?) group by fingerprint)", (run,))
        return {r["fingerprint"]: dict(r) for r in rows}

    def review_status(self, fingerprint: str) -> str:
        rows = self._read("select status from reviews where fingerprint = ? order by id desc limit 1", (fingerprint,))
        return rows[0]["status"] if rows else REVIEW_STATUSES[0]


def _adds_a_column_there(db, statement: str) -> bool:
    """Whether ``statement`` adds a column the table has already (a database that a version number understates)."""
    m = re.match(r"\s*alter table (\w+) add column (\w+)", statement, re.I)
    return bool(m) and any(r[1] == m.group(2) for r in db.execute(f"pragma table_info({m.group(1)})"))


def _insert_files(db, files: list[dict]) -> None:
    db.executemany("insert into files (dataset_id, position, name, stored, sha256, size, role) "
                   "values (?, ?, ?, ?, ?, ?, ?)", [
                       (f["dataset_id"], f["position"], f["name"], f["stored"], f["sha256"], f["size"],
                        f.get("role", LISTS)) for f in files])


def _safe_name(name: str, keep=()) -> str:
    """The client's file name made safe: no directories, no control or reserved characters, bounded length.

    Kept otherwise as sent, since the loader reads the region and department from it
    (the same file gives the same items as from a shell).
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".")
    stem, suffix = os.path.splitext(kept)
    stem = stem.encode("utf-8")[:200].decode("utf-8", "ignore").strip() or "file"
    suffix = suffix.lower()
    return f"{stem}{suffix}" if suffix in SUPPORTED_SUFFIXES or suffix in keep else f"{stem}.bin"


def _staged_by(name: str) -> str:
    """The owner a staging folder's name gives ('' for any other name)."""
    return name[len(STAGING):].rsplit(".", 1)[0] if name.startswith(STAGING) and "." in name[len(STAGING):] else ""


def _hold_owner_lock(folder: Path) -> tuple[str, object]:
    """A lock file this process holds while it lives (the kernel releases it when the process dies)."""
    folder.mkdir(exist_ok=True)
    owner = f"{os.getpid()}-{new_id()}"
    draft = folder / f"{owner}.new"
    handle = open(draft, "w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    draft.rename(folder / f"{owner}.lock")  # seen by others only once it is held
    return owner, handle


def _lock_is_held(path: Path) -> bool:
    """Whether some live process holds ``path``; a free lock file is removed."""
    try:
        handle = open(path, "r+")
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        path.unlink(missing_ok=True)
        return False
