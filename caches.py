"""The bounded per-process caches (tokens, name cores, cell parsing, term numbering), emptied between the
tasks of a Dask worker.

Within one task the caches save work: a batch repeats the same names thousands of times.  Across tasks
they only fill: a worker that ran more tasks (a run of more provinces gives it more) held 200–300 MB more
between tasks, so its memory grew with the run rather than with its task.  Emptied at the start of each
task, a worker's memory follows the task it runs (docs/benchmarks.md, Dask section).  The single process
and the service keep them: their bounds (``maxsize``) hold their memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys


def keep_between_tasks(cache):
    """Mark a bounded cache whose entries do not grow with the tasks (a run's inputs, read once per run):
    :func:`clear` leaves it, so a task does not read them again."""
    cache.keep_between_tasks = True
    return cache


def bounded_caches() -> list:
    """Every ``functools.lru_cache`` with a bound in the package's loaded modules, but those kept between
    tasks.  Unbounded ones (``functools.cache``: the data tables, compiled patterns) are loaded once and do
    not grow."""
    found: dict[int, object] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == __package__ or name.startswith(f"{__package__}.")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_info().maxsize \
                    and not getattr(value, "keep_between_tasks", False):
                found[id(value)] = value
    return list(found.values())


def clear() -> None:
    """Empty the bounded caches and the term numbering, and give the memory freed back to the system."""
    from quanze.rules import textsim

    for cache in bounded_caches():
        cache.cache_clear()
    textsim.new_numbering()
    gc.collect()
    _trim()


@functools.cache
def _libc():
    path = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(path) if path else None
    except OSError:
        return None


def _trim() -> None:
    """glibc keeps freed memory for the process unless asked (``malloc_trim``), and so does Arrow's pool
    (mimalloc or jemalloc: the Parquet a task read); elsewhere nothing to do."""
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
