"""A disk `kg build` cannot write to: one `kg: error:` line naming the file, exit 3, the previous output/
byte for byte, no scratch directory left (issue 13, item 15).

Tests run as root, which ignores permission bits, so the failures are made real: a size-limited tmpfs
filled to the brim for "disk full", the same tmpfs remounted read-only for "read-only" (both skipped,
with the reason, where mounting is not allowed), and, everywhere, a file where a directory must be."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_build import ROOT, sums

SEED = ROOT / "data" / "corpus"
ERROR = re.compile(r"^kg: error: (?P<path>/\S+): (?P<reason>[^(]+) \(nothing published; (?P<out>\S+) is as it was\)$")


def kg_build(out: Path, *sources: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", "build", *sources, "--out", str(out), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``where`` for the block (skip if this machine cannot mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    where.mkdir()
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        assert _run("umount", str(where)).returncode == 0


def one_error_line(proc: subprocess.CompletedProcess[str], out: Path) -> tuple[str, str]:
    """The build's only stderr line under --quiet, parsed: (path, reason); exit code 3."""
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    m = ERROR.match(lines[0])
    assert m, lines[0]
    assert m.group("out") == str(out)
    return m.group("path"), m.group("reason")


def fill(disk: Path, leave: int) -> None:
    """Fill the file system of ``disk`` until only ``leave`` bytes are free."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with (disk / "filler").open("wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_full_disk_names_the_file_and_keeps_the_previous_output(tmp_path: Path) -> None:
    """The seed build fits; a 600-document build (three batches, written by two workers) does not."""
    from kg.devtools.generate import write_corpus

    pages = tmp_path / "pages"
    write_corpus(pages, 600)
    with tmpfs(tmp_path / "disk", "16m") as disk:
        out = disk / "output"
        assert kg_build(out, str(SEED)).returncode == 0
        before = sums(out)
        fill(disk, 256 * 1024)
        path, reason = one_error_line(kg_build(out, str(pages)), out)
        assert reason == "No space left on device"
        assert path.startswith(f"{disk}/.output.") and Path(path).name  # a file of this build, not a directory
        assert re.search(r"/(?:[\w.-]+|\{[\w.,-]+\})$", path)
        assert sums(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "output"]


def test_read_only_disk_names_the_directory_and_keeps_the_previous_output(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "16m") as disk:
        out = disk / "output"
        assert kg_build(out, str(SEED)).returncode == 0
        before = sums(out)
        assert _run("mount", "-o", "remount,ro", str(disk)).returncode == 0
        try:
            path, reason = one_error_line(kg_build(out, str(SEED)), out)
        finally:
            _run("mount", "-o", "remount,rw", str(disk))
        assert (path, reason) == (str(disk), "Read-only file system")
        assert sums(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["output"]


def test_a_file_where_the_output_directory_must_be(tmp_path: Path) -> None:
    """--out names a file, or a path under one: exit 3 naming it; the file is untouched."""
    blocker = tmp_path / "blocker"
    content = f"not a directory {uuid.uuid4()}\n"
    blocker.write_text(content)
    path, reason = one_error_line(kg_build(blocker, str(SEED)), blocker)
    assert (path, reason) == (str(blocker), "not a directory")
    path, reason = one_error_line(kg_build(blocker / "output", str(SEED)), blocker / "output")
    assert (path, reason) == (str(blocker), "not a directory")
    assert blocker.read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_write_error_without_a_file_name_is_given_one() -> None:
    """write() and close() say "No space left on device" and no file: the file comes from the traceback
    (/dev/full fails every write for real)."""
    from kg.publish.dumps import name_the_file

    def write_one(path: str) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write("x")

    def write_two(path: str, other: Path) -> None:
        with other.open("w", encoding="utf-8") as fine, open(path, "w", encoding="utf-8") as full:
            fine.write("y")
            full.write("x" * 100_000)  # past the buffer: fails here, on this line

    with pytest.raises(OSError) as one:
        write_one("/dev/full")
    assert one.value.filename is None and name_the_file(one.value).filename == "/dev/full"
    with tempfile.TemporaryDirectory() as tmp, pytest.raises(OSError) as two:
        write_two("/dev/full", Path(tmp) / "fine.txt")
    assert two.value.filename is None and name_the_file(two.value).filename == "/dev/full"
