"""Progress of long work on a terminal (nothing is drawn when output is not a terminal)."""

from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm


@contextlib.contextmanager
def terminal_progress(stream=None):
    """Yield a ``progress(stage, done, total)`` callback drawing one bar per stage."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="项" if "依据" in stage else "条" if "规则" in stage else "个文件",
                                     file=stream, leave=False)
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()
