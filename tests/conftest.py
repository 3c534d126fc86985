"""Shared fixtures.

Tests that read the real published lists or the national law corpus use
``../shared`` beside the repository (or the folder named by QUANZE_SHARED) and
skip when it is absent; CI has it.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QUANZE_SHARED", REPO.parent / "shared"))
KLMY = SHARED / "data" / "klmy"
LAWS = SHARED / "data" / "laws"
EXAMPLE = REPO / "examples" / "mingchuan"
MINI_LAWS = Path(__file__).with_name("fixtures") / "mini_laws"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent)")
    return path


@pytest.fixture(scope="session")
def klmy_dir() -> Path:
    return _need(KLMY)


@pytest.fixture(scope="session")
def laws_dir() -> Path:
    return _need(LAWS / "db.sqlite3").parent


@pytest.fixture(scope="session")
def klmy(klmy_dir, laws_dir):
    """The 16 real lists loaded once with the real law corpus."""
    from quanze.loaders import LawLibrary, load_files

    return load_files([klmy_dir], laws=LawLibrary(laws_dir))


@pytest.fixture(scope="session")
def example():
    from quanze.loaders import load_files

    return load_files([EXAMPLE])


@pytest.fixture(scope="session")
def mini_laws(tmp_path_factory) -> Path:
    """A small corpus in the real layout: Markdown texts plus a db.sqlite3 built from laws.csv."""
    root = tmp_path_factory.mktemp("laws")
    for md in MINI_LAWS.rglob("*.md"):
        target = root / md.relative_to(MINI_LAWS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(md.read_text(encoding="utf-8"), encoding="utf-8")
    con = sqlite3.connect(root / "db.sqlite3")
    con.execute("create table category (id text primary key, name text, folder text, isSubFolder integer,"
                " 'group' text, 'order' integer)")
    con.execute("create table law (id text primary key, level text, name text, filename text, publish date,"
                " expired integer, 'order' integer, subtitle text, valid_from date, ver integer, tags text,"
                " category_id text)")
    with (MINI_LAWS / "laws.csv").open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            con.execute("insert or ignore into category values (?, ?, ?, 0, null, ?)",
                        (row["folder"], row["folder"], row["folder"], n))
            con.execute("insert into law (id, level, name, publish, expired, category_id) values (?,?,?,?,?,?)",
                        (f"law{n}", row["level"], row["name"], row["publish"], int(row["expired"]), row["folder"]))
    con.commit()
    con.close()
    return root
