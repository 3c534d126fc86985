"""When work may be shared between forked processes: the loader's files and a large run's rules."""

from __future__ import annotations

import multiprocessing
import os
import threading


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def may_fork() -> bool:
    """Whether this process may start worker processes of its own.

    Forking a process that runs other threads (the web service, a notebook kernel, a Dask worker)
    can copy a lock one of them holds, and a daemon process (a pool's worker) may not have children.
    """
    return threading.active_count() == 1 and not multiprocessing.current_process().daemon
