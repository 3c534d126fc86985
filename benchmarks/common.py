"""What the benchmark scripts share: where the real lists are, and where results go."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
RESULTS = Path(__file__).with_name("results.md")


def add_shared(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--shared", default=str(SHARED), help="the folder holding data/klmy (and data/laws)")


def real_lists(args) -> Path | None:
    """``<shared>/data/klmy``, or None after saying it is missing."""
    klmy = Path(args.shared) / "data" / "klmy"
    if klmy.is_dir():
        return klmy
    print(f"需要真实清单目录：{klmy}", file=sys.stderr)
    return None
