"""Loaders: published lists (xls/xlsx/xlsm/csv/json/jsonl/html) and a law corpus → canonical records."""

from quanze.loaders.laws import LawLibrary
from quanze.loaders.model import Citation, Department, PowerItem, Provenance, Rejection, Responsibility
from quanze.loaders.pipeline import LoadResult, load_files

__all__ = ["Citation", "Department", "LawLibrary", "LoadResult", "PowerItem", "Provenance", "Rejection",
           "Responsibility", "load_files"]
