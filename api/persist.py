"""A dataset's tables kept on disk, so that a restarted service reads them instead of the Excel files.

Parquet rather than tables in the SQLite store: pyarrow is a dependency already (pandas
reads and writes it with ``Tables.write``/``Tables.read``); the files are columnar and
typed, so a table comes back with its column types (nullable integers, flags) in
milliseconds, and the strings repeated on many rows (a department, a region) are
dictionary-encoded; each table is one file, written once and never updated, and no
server or schema migration is involved.  In SQLite the same tables would be rows that
every read turns back into columns, written through the database the jobs also write.

Layout, per dataset: ``tables/<dataset>/lists-<stamp>/`` (the lists' Tables) and
``tables/<dataset>/inputs-<stamp>/`` (one Tables folder per reference list, and
``duties.parquet``).  The stamp is a digest of the files the tables were read from, of
this format and of the law library the citations were resolved against: a folder with
another stamp is never read, and the tables are read from the uploaded files again (a
dataset kept by an older version has no folder at all).  A folder is written under a
temporary name and renamed when complete, so that another process never reads half of one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path

import pandas as pd

from quanze.tables import CITATION_COLUMNS, CLAUSE_COLUMNS, DEPARTMENT_COLUMNS, ITEM_COLUMNS, Tables

FORMAT = 1  # raised when what is written changes in a way the columns do not show


def stamp(files: list[dict], laws=None) -> str:
    """A digest naming what tables read from ``files`` (store rows) hold."""
    key = {"format": FORMAT, "columns": [ITEM_COLUMNS, CITATION_COLUMNS, CLAUSE_COLUMNS, DEPARTMENT_COLUMNS],
           "laws": str(getattr(laws, "root", laws or "")),
           "files": [(f["position"], f["name"], f["sha256"], f["size"]) for f in files]}
    return hashlib.sha1(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]


def kept(root: Path, kind: str, key: str) -> bool:
    """Whether tables of ``kind`` (lists, inputs) stamped ``key`` are on disk."""
    return (root / f"{kind}-{key}").is_dir()


def read_lists(root: Path, key: str) -> Tables | None:
    """The lists' tables kept under ``key``, or None when there are none (or they cannot be read)."""
    folder = root / f"lists-{key}"
    if not folder.is_dir():
        return None
    try:
        return Tables.read(folder)
    except Exception:  # removed meanwhile, or damaged: read from the uploaded files again
        return None


def write_lists(root: Path, key: str, tables: Tables) -> None:
    _publish(root, f"lists-{key}", tables.write)


def read_inputs(root: Path, key: str) -> dict | None:
    """The reference tables kept under ``key`` by the names rules use for them, or None."""
    folder = root / f"inputs-{key}"
    if not folder.is_dir():
        return None
    try:
        found: dict = {p.stem: pd.read_parquet(p, engine="pyarrow") for p in folder.glob("*.parquet")}
        found.update({p.name: Tables.read(p) for p in folder.iterdir() if p.is_dir()})
        return found
    except Exception:
        return None


def write_inputs(root: Path, key: str, inputs: dict) -> None:
    """Write the inputs that are tables (reference lists as Tables, 三定 duties as a DataFrame)."""
    def write(folder: Path) -> None:
        folder.mkdir(parents=True)
        for name, value in inputs.items():
            if isinstance(value, Tables):
                value.write(folder / name)
            elif isinstance(value, pd.DataFrame):
                value.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")
    _publish(root, f"inputs-{key}", write)


def _publish(root: Path, name: str, write) -> None:
    """``write(folder)`` into a temporary folder, renamed to ``name`` when done; older folders of the kind go."""
    root.mkdir(parents=True, exist_ok=True)
    draft = root / f".{name}-{uuid.uuid4().hex[:8]}"
    try:
        write(draft)
        try:
            draft.rename(root / name)
        except OSError:  # another process wrote the same tables first
            pass
    finally:
        shutil.rmtree(draft, ignore_errors=True)
    kind = name.split("-", 1)[0]
    for old in root.glob(f"{kind}-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
