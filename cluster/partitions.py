"""The tables on disk for the workers: Parquet folders partitioned by province, territory, then government.

``work/tables/province=<省>/territory=<地域>/government=<本级政府>/{items,citations,clauses,departments}.parquet``,
each folder written by ``Tables.write`` and read back by ``Tables.read``, so a partition's rows are the
whole run's rows, value for value, in the same relative order.  The territory is a county or a city with its
townships (``tables.territory``); the province is the one the list's own region or its folder names
(``loaders.departments.province_of``; empty, one partition of its own, when neither says).
A government-partition rule gives the same hits over any set of whole governments, a territory-partition
rule over any set of whole territories, a province-partition rule over any set of whole provinces: a task
reads several folders when partitions are small.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from quanze.tables import Tables, _restore

MANIFEST = "partitions.json"
POSITIONS = "positions.npz"


@dataclass(frozen=True)
class Partition:
    province: str
    territory: str
    government: str
    folder: str
    items: int
    positions: tuple[int, ...]  # the rows of the whole run's items table, in order

    def to_dict(self) -> dict:
        return {"province": self.province, "territory": self.territory, "government": self.government, "folder": self.folder,
                "items": self.items, "positions": list(self.positions)}


def _name(value: str) -> str:
    """A folder name for a key value: the value itself, with the characters a path cannot hold escaped."""
    return re.sub(r'[\\/:*?"<>|%\x00]', lambda m: f"%{ord(m.group()):02X}", value) or "%00"


def write_partitions(tables: Tables, root: str | Path) -> list[Partition]:
    """Write ``tables`` as one Parquet folder per government under its territory and province; the partitions, in the
    order of their first row (so in source order)."""
    root = Path(root)
    items = tables.items
    keys = ["province", "territory", "government"]
    by_government = items.groupby(keys, sort=False).indices
    government_of = dict(zip(items["id"], zip(*(items[k] for k in keys))))
    cits = tables.citations.groupby(tables.citations["item_id"].map(government_of), sort=False).indices \
        if len(tables.citations) else {}
    clauses = tables.clauses.groupby(tables.clauses["item_id"].map(government_of), sort=False).indices \
        if len(tables.clauses) else {}
    departments = tables.departments
    out = []
    for key, rows in sorted(by_government.items(), key=lambda kv: kv[1][0]):
        province, territory, government = key
        folder = root.joinpath(*(f"{k}={_name(v)}" for k, v in zip(keys, key)))
        part_items = items.iloc[rows].reset_index(drop=True)
        # every row's place in the whole run's table, so that partitions read together are in the run's order
        at = {"items": np.asarray(rows, dtype=np.int64),
              "citations": np.asarray(cits.get(key, []), dtype=np.int64),
              "clauses": np.asarray(clauses.get(key, []), dtype=np.int64),
              "departments": np.flatnonzero(departments["id"].isin(set(part_items["department_id"])).to_numpy())}
        part = Tables(part_items, *(getattr(tables, name).iloc[at[name]].reset_index(drop=True)
                                    for name in ("citations", "clauses", "departments")))
        part.write(folder)
        np.savez(folder / POSITIONS, **at)
        out.append(Partition(province, territory, government, str(folder.relative_to(root)), len(rows),
                             tuple(int(r) for r in rows)))
    (root / MANIFEST).write_text(json.dumps([{k: v for k, v in p.to_dict().items() if k != "positions"} for p in out],
                                            ensure_ascii=False, indent=0), encoding="utf-8")
    return out


def read_with_rows(root: str | Path, folders: list[str], clauses: bool = True) -> tuple[Tables, np.ndarray]:
    """``read_partitions``, and the row of the whole run's items table each of its items is."""
    where = _positions(root, folders)
    return read_partitions(root, folders, clauses, where), np.sort(np.concatenate([w["items"] for w in where]))


def _positions(root: str | Path, folders: list[str]) -> list:
    return [np.load(Path(root) / f / POSITIONS) for f in folders]


def read_partitions(root: str | Path, folders: list[str], clauses: bool = True, where: list | None = None) -> Tables:
    """The tables of some partitions together, their rows in the whole run's order (without their
    responsibility clauses, the largest table, unless ``clauses``).

    Each table's files are read as Arrow and joined before they become one pandas frame (``Tables.read``
    per folder, then a concat, took 8.6 s for the 161 governments of the city preset; this 5.0 s)."""
    root = Path(root)
    if len(folders) == 1 and clauses:
        return Tables.read(root / folders[0])
    where = where if where is not None else _positions(root, folders)
    frames = {}
    for name in ("items", "citations", "clauses", "departments"):
        if name == "clauses" and not clauses:  # the columns, no rows
            empty = pq.read_schema(root / folders[0] / f"{name}.parquet").empty_table().to_pandas()
            frames[name] = _restore(empty, name)
            continue
        joined = pa.concat_tables([pq.read_table(root / f / f"{name}.parquet") for f in folders],
                                  promote_options="default")  # a column all empty in one folder is null there
        order = np.argsort(np.concatenate([w[name] for w in where]), kind="stable")
        frame = joined.to_pandas(self_destruct=True, split_blocks=True)  # each column's Arrow memory freed once converted
        del joined
        frames[name] = _restore(frame, name).iloc[order].reset_index(drop=True)
        del frame
    return Tables(**frames)
