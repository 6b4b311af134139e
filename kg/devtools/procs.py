"""The processes of this machine as /proc shows them: who is whose child, who is still alive.

Why one module: the tests that kill a build or a server, and the load test that sums its memory, all
ask the same questions (which processes descend from this one, is that one still computing), and
reading ``/proc/<pid>/stat`` has one trap worth solving once: the command name in parentheses may
itself hold spaces or parentheses, so the fields are read after the *last* ``)``. Linux only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Proc:
    """One process: its state letter (``R``, ``S``, ``Z`` ...), parent, process group and CPU seconds."""

    pid: int
    state: str
    ppid: int
    pgid: int
    cpu: float

    @property
    def alive(self) -> bool:
        """A zombie (or a dead process) computes nothing and holds no file or lock."""
        return self.state not in ("Z", "X")


def _read(stat: Path) -> Proc | None:
    try:
        text = stat.read_text()
        fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return Proc(int(stat.parent.name), fields[0], int(fields[1]), int(fields[2]), cpu)
    except (OSError, ValueError, IndexError):  # gone meanwhile, or not a process directory
        return None


def processes() -> dict[int, Proc]:
    """Every process now, by pid."""
    found = (_read(stat) for stat in PROC.glob("[0-9]*/stat"))
    return {p.pid: p for p in found if p is not None}


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    proc = _read(PROC / str(pid) / "stat")
    return proc is not None and proc.alive


def descendants(root: int, table: dict[int, Proc] | None = None) -> dict[int, Proc]:
    """The children, grandchildren ... of ``root`` (not ``root`` itself), living or zombie."""
    table = processes() if table is None else table
    family: set[int] = {root}
    frontier = {root}
    while frontier:
        frontier = {pid for pid, p in table.items() if p.ppid in frontier} - family
        family |= frontier
    return {pid: table[pid] for pid in family - {root} if pid in table}
