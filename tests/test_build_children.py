"""No child of `kg build` outlives it, and the build lock never outlives the build (issue 13, item 14).

A real `kg build` of a generated corpus is killed with SIGKILL while its batch workers run; within a
few seconds no process of its process group may be left, and the next build into the same --out must
publish. Before the fix two pool workers lived on, holding the lock, and the next build hung."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build.children import parent_death_signal_available
from kg.devtools.procs import processes
from kg.publish.dumps import build_lock
from tests.test_build import ROOT, sums

SEED = ROOT / "data" / "corpus"



def live_group(pgid: int) -> list[int]:
    """Processes of the group that are alive (a zombie holds no file and no lock; init reaps it when it can)."""
    return sorted(pid for pid, p in processes().items() if p.pgid == pgid and p.alive)
def children_of(pid: int) -> list[int]:
    return [p.pid for p in processes().values() if p.ppid == pid and p.alive]
def test_a_child_of_a_dead_lock_holder_does_not_hold_the_lock(tmp_path: Path) -> None:
    """flock belongs to the open file, which a fork shares: when the holder dies without unlocking
    (SIGKILL), a child it forked under the lock would keep it held. Its children close their copy at
    the fork, so the lock is free as soon as the holder is gone, while the child still runs."""
    out = tmp_path / "output"
    r, w = os.pipe()
    holder = os.fork()
    if holder == 0:  # the build: takes the lock, forks a long-lived child, dies without unlocking
        try:
            os.close(r)
            with build_lock(out):
                child = os.fork()
                if child == 0:
                    os.close(w)  # the parent's read must end when the holder is gone
                    time.sleep(120)
                    os._exit(0)
                os.write(w, str(child).encode())
                os._exit(0)
        finally:
            os._exit(1)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        child = int(pipe.read())
    assert os.waitpid(holder, 0)[1] == 0
    try:
        assert processes()[child].alive  # the child runs
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if the child still held it
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        os.kill(child, signal.SIGKILL)


def test_the_build_says_when_it_waits_for_another(tmp_path: Path) -> None:
    out = tmp_path / "output"
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another build, as far as the lock can tell
    try:
        with subprocess.Popen([sys.executable, "-m", "kg", "build", "--quiet", "--out", str(out)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
            assert proc.stderr is not None
            line = proc.stderr.readline()  # the first line, before the build can go on
            assert line == f"kg build: another build into {out} is running; waiting for it to finish\n"
            fcntl.flock(fd, fcntl.LOCK_UN)
            rest = proc.stderr.read()
            assert proc.wait(timeout=300) == 0, rest
    finally:
        os.close(fd)
    assert "kg build: 11 documents" in rest.splitlines()[-1]
    sums(out)


def _stage_reached(stage: str, tmp_path: Path, pid: int) -> bool:
    """Whether the build ``pid`` is in ``stage`` with children running (page readers, batch workers,
    or the checking child beside the dumps being written)."""
    work, staging = list(tmp_path.glob(".output.work-*")), list(tmp_path.glob(".output.new-*"))
    if stage == "reading pages":
        return not work and len(children_of(pid)) >= 2
    if stage == "batches":
        return bool(work) and len(children_of(pid)) >= 2
    try:
        written = bool(staging) and any(staging[0].iterdir())
    except OSError:  # removed meanwhile: the build is ending
        return False
    return written and len(children_of(pid)) >= 1


@pytest.mark.slow
@pytest.mark.skipif(not parent_death_signal_available(), reason="no parent-death signal (Linux prctl) here")
@pytest.mark.parametrize("stage", ["reading pages", "batches", "checks and dumps"])
def test_sigkill_of_the_build_leaves_no_process_and_no_lock(tmp_path: Path, stage: str) -> None:
    from kg.devtools.generate import write_corpus

    pages, out = tmp_path / "pages", tmp_path / "output"
    write_corpus(pages, 700)  # read by two processes; three 250-document batches for two workers
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(pages), "--out", str(out), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline and not _stage_reached(stage, tmp_path, proc.pid):
            time.sleep(0.01)
        assert proc.poll() is None, f"the build finished (or timed out) before it was seen in {stage}"
        workers = children_of(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while live_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_group(proc.pid) == [], f"children of the killed build still run (workers were {workers})"
    finally:
        for pid in live_group(proc.pid):  # never leave them behind, even when the test fails
            os.kill(pid, signal.SIGKILL)
    done = subprocess.run([sys.executable, "-m", "kg", "build", str(SEED), "--out", str(out), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # hung forever before the fix
    assert done.returncode == 0, done.stderr
    assert "kg build: 11 documents" in done.stderr.splitlines()[-1]
    sums(out)
    assert [p.name for p in tmp_path.glob(".output.*")] == []
