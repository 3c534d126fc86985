"""What every reader returns or raises."""

from __future__ import annotations

from dataclasses import dataclass, field


class FileFormatError(Exception):
    """The file cannot be read at all; the message is for the user, in Chinese."""


@dataclass
class RawSheet:
    """Cells as published (None for empty) and merged ranges ``(r0, r1, c0, c1)``,
    end-exclusive, 0-based.

    ``uncached`` maps (row, col), 0-based, to the formula text of each formula
    cell saved without a computed value: its cell reads as None, and the sheet
    parser reports it rather than loading an empty field silently.
    """

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
