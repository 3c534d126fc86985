"""15: "a dataset stored by an older version (no Parquet) is converted on first use — never an error"."""

import shutil
import sqlite3

from conftest import EXAMPLE
from helpers import upload

from quanze import pipeline
from quanze.api.http import create_app


def test_a_dataset_without_tables_is_read_once_and_kept(tmp_path, monkeypatch):
    data = tmp_path / "data"
    client = create_app(data).test_client()
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    items = client.get(f"/api/datasets/{ds}/items?per_page=500").json
    # what an older version left: no tables folder, and the files table without roles (schema 3)
    shutil.rmtree(data / "tables")
    db = sqlite3.connect(data / "quanze.sqlite3")
    db.executescript("begin; alter table files drop column role; pragma user_version = 3; commit;")
    db.close()

    reads, real = [], pipeline.load_files
    monkeypatch.setattr(pipeline, "load_files", lambda *a, **k: reads.append(1) or real(*a, **k))
    again = create_app(data).test_client()
    assert again.get(f"/datasets/{ds}").status_code == 200
    assert reads == [1] and list((data / "tables" / ds).glob("lists-*/items.parquet"))
    assert again.get(f"/api/datasets/{ds}/items?per_page=500").json == items
    assert again.get(f"/api/datasets/{ds}").json["files"][0]["role"] == "lists"
    # the next start reads the tables
    third = create_app(data).test_client()
    assert third.get(f"/api/datasets/{ds}/items?per_page=500").json == items and reads == [1]
