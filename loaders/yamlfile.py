"""YAML files written by people (scenarios, lineage): every mapping remembers its line.

Errors in such files must name the line, so the loader records where each mapping
starts under the key ``__line__`` (1-based).
"""

from __future__ import annotations

from pathlib import Path

import yaml


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


class InputFileError(ValueError):
    """A scenario or lineage file that cannot be used; the message lists every problem, in Chinese."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path, self.problems = str(path), problems
        super().__init__(f"{Path(path).name} 有误，未执行：\n" + "\n".join(f"  - {p}" for p in problems))


def read_yaml(path: str | Path) -> dict:
    path = Path(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        raise InputFileError(path, ["文件不存在"]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行：" if mark else ""
        raise InputFileError(path, [f"{where}不是有效的 YAML（{getattr(e, 'problem', e)}）"]) from None
    if not isinstance(doc, dict):
        raise InputFileError(path, ["文件内容应为一个映射（键: 值）"])
    return doc


def line(node: dict) -> str:
    return f"第{node.get('__line__', '?')}行"


def key_line(path: str | Path, key: str) -> str:
    """The line of a top-level key, for messages about list-valued entries (which carry no line)."""
    for n, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith(f"{key}:"):
            return f"第{n}行"
    return f"“{key}”处"
