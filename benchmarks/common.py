"""What the benchmark scripts share: where the real lists are, and where results go."""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
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


def publish(text: str, write: bool) -> None:
    """Print a result and, with ``--write``, append it to results.md."""
    print(text)
    if write:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + text)


def replace_section(text: str, heading: str, path: Path = RESULTS) -> None:
    """Put ``text`` in place of the section of results.md under ``heading`` (to the next ``## ``), or append it."""
    old = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(heading)}[^\n]*\n.*?(?=^## |\Z)", re.S | re.M)
    new, n = pattern.subn(lambda _: text.rstrip() + "\n\n", old, count=1)
    path.write_text(new if n else old.rstrip() + "\n\n" + text, encoding="utf-8")


def emit(text: str, heading: str, write: bool) -> None:
    """Print a section, and with ``write`` put it in place in results.md."""
    print(text)
    if write:
        replace_section(text, heading)


def interval(ci) -> str:
    """A 95 % interval as written in results.md (— when there is none)."""
    return f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "—"


def _shim(root: Path, where: Path) -> Path:
    """A folder in which ``quanze`` is the repository at ``root`` (its top level is the package)."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "quanze").symlink_to(root)
    return where


@contextlib.contextmanager
def two_versions(rev: str, tmp: Path) -> Iterator[dict[str, tuple[Path, Path]]]:
    """``{"this": (root, shim), "old": (root, shim)}``: this checkout and ``rev`` in a temporary git worktree.

    A shim is a folder to put first on ``sys.path`` so that ``import quanze`` takes that version.
    """
    old = tmp / "old"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old), rev], check=True)
    try:
        yield {"this": (REPO, _shim(REPO, tmp / "s-this")), "old": (old, _shim(old, tmp / "s-old"))}
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return out


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: pages shared with a forked parent count once over the two."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def run_sampled(cmd: list[str], every: float = 0.5) -> tuple[str, float]:
    """Run ``cmd``; its standard output and the peak memory of its whole process tree (MB, summed PSS,
    sampled every ``every`` seconds): the loader's and the rule run's worker processes count too."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        peak = 0
        try:
            while proc.poll() is None:
                peak = max(peak, sum(_pss_kb(p) for p in _tree(proc.pid)))
                time.sleep(every)
        finally:
            if proc.poll() is None:
                proc.kill()
        out.seek(0), err.seek(0)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd, out.read(), err.read())
        return out.read(), peak / 1024
