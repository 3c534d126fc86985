"""The direction of data holds: files → Tables → rules/reform → results; the graph and RDF are views.

``rules/`` and ``reform/`` read the tables and never import the graph package (not even inside a
function): a rule that walked the graph would bring back the cost the tables removed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package → packages it must never import
FORBIDDEN = {"rules": ("quanze.graph",), "reform": ("quanze.graph",), "loaders": ("quanze.graph", "quanze.rules")}


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_views(package):
    bad = [f"{p.relative_to(ROOT)}:{line} imports {name}"
           for p in sorted((ROOT / package).rglob("*.py"))
           for line, name in imports(p)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])]
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_function_level_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from quanze.graph.rdf import to_rdf\n", encoding="utf-8")
    assert (2, "quanze.graph.rdf") in imports(module)


def test_tables_module_imports_no_view():
    names = [n for _, n in imports(ROOT / "tables.py")]
    assert not [n for n in names if n.startswith(("quanze.graph", "quanze.rules", "networkx", "rdflib"))], names
