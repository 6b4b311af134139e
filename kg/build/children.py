"""No child of ``kg build`` outlives it, even when the build is killed with SIGKILL.

    with children_die_with_build():
        ...   # every process forked here (page readers, batch workers, the checking child) dies with us

Why: the build forks page readers (kg/sources/parse.py), batch workers (kg/build/batches.py) and the
checking child (``Pending``). A pool worker waits on its task pipe, whose write end it inherited itself,
so when the parent is killed nothing ever wakes it: it lived on indefinitely, holding an inherited copy
of the build lock's descriptor, and the next build into the same ``--out`` waited for it forever.
``SIGKILL`` cannot be caught, so the parent cannot clean up; the kernel has to: each child asks for
SIGKILL when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``) right after the fork, then checks that
the parent is still the one that forked it (it may have died between fork and prctl).

Why one hook for every fork (``os.register_at_fork``) rather than a line in each pool: kg.sources may not
import this package, and any fork made while a build runs (a library's pool too) is covered without
each call site having to remember. Only forks made by the main thread are covered: the kernel sends
the signal when the *thread* that forked exits, and the build forks from its main thread only; a
worker thread's child would be killed when that thread ends, which would be wrong.
Elsewhere than Linux there is no such call; the children then stop on their own when they next talk to
the dead parent (a broken pipe), as before.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once here, not in each child after the fork."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # type: ignore[no-any-return]
    except OSError:
        return None


_PRCTL = _load_prctl() if os.uname().sysname == "Linux" else None
_builds = 0  # builds running in this process (a test may run several in turn, never nested in practice)
_forking_parent = 0  # set just before a fork: the pid a covered child must die with (0: not covered)


def die_with_parent(parent: int) -> bool:
    """Ask the kernel for SIGKILL when ``parent`` dies; exit at once if it already has.

    Called in a freshly forked child. False where the system has no parent-death signal."""
    if _PRCTL is None or _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # the parent died before prctl: the signal will never come
        os._exit(1)
    return True


def _before_fork() -> None:
    global _forking_parent
    covered = _builds > 0 and threading.current_thread() is threading.main_thread()
    _forking_parent = os.getpid() if covered else 0


def _after_fork_in_child() -> None:
    if _forking_parent:
        die_with_parent(_forking_parent)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


@contextmanager
def children_die_with_build() -> Iterator[None]:
    """While the block runs, every process the main thread forks dies when this process dies."""
    global _builds
    _builds += 1
    try:
        yield
    finally:
        _builds -= 1


def parent_death_signal_available() -> bool:
    """Whether children can be tied to their parent here (Linux); tests skip the kill test otherwise."""
    return _PRCTL is not None
