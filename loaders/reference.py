"""Reference tables (YAML data files beside the code), read once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).with_name("data")


@functools.cache
def table(name: str) -> dict:
    """The parsed ``data/<name>.yaml``."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)
