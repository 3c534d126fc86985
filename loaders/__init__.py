"""Loaders: published lists (xls/xlsx/xlsm/csv/json/jsonl/html) and a law corpus → canonical records.

Names are imported on first use (``quanze.lazy_exports``): the light modules here
(text, yamlfile, citations …) are used by the graph and the rules without the
readers and the column matcher.
"""

from quanze import lazy_exports

_EXPORTS = {"LawLibrary": "quanze.loaders.laws", "LoadResult": "quanze.loaders.pipeline",
            "load_files": "quanze.loaders.pipeline",
            **dict.fromkeys(["Citation", "Department", "PowerItem", "Provenance", "Rejection", "Responsibility"],
                            "quanze.loaders.model")}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
