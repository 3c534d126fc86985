"""quanze (权责图谱): power-and-responsibility lists as a traceable knowledge graph."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

__version__ = "0.1.0"


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that import each exported name's module on first use.

    ``exports`` maps a name to the module defining it.  A command that needs one
    loader then does not pay for the graph, the rules or the web service
    (rdflib, scikit-learn, flask …) merely because their package was imported.
    No exported name may be a submodule's name too: importing the submodule
    would set the package attribute to the module instead.
    """

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
