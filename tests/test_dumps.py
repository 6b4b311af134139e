"""The publishing step on its own: the swap keeps output/ whole on every path (atomic exchange,
two-rename fallback, crash recovery, a failing writer), and the N-Triples dump is canonical."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest

import kg.publish.assemble as dumps_assemble
import kg.publish.dumps as dumps
from kg.config import Settings
from kg.rdf.mapping import map_corpus
from tests.mapping_fixtures import corpus


def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), output_dir=tmp_path / "output")


def test_publish_replaces_output_and_leaves_no_staging(tmp_path: Path) -> None:
    s = settings(tmp_path)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "stale.txt").write_text("from an older build")
    info = dumps.write_dumps(map_corpus(corpus()), s)
    assert not (tmp_path / "output" / "stale.txt").exists()
    assert info.version in (tmp_path / "output" / "void.ttl").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_two_rename_fallback_when_exchange_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dumps, "_exchange", lambda a, b: False)
    s = settings(tmp_path)
    dumps.write_dumps(map_corpus(corpus()), s)
    first = (tmp_path / "output" / "kg.nt.gz").read_bytes()
    dumps.write_dumps(map_corpus(corpus()), s)
    assert (tmp_path / "output" / "kg.nt.gz").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_recover_restores_output_displaced_by_a_killed_build(tmp_path: Path) -> None:
    """A kill between the two renames of the fallback leaves output/ as .output.old-*: put it back."""
    old = tmp_path / ".output.old-4242"
    old.mkdir()
    (old / "kg.ttl").write_text("previous build")
    (tmp_path / ".output.new-abcd").mkdir()
    dumps.recover(tmp_path / "output")
    assert (tmp_path / "output" / "kg.ttl").read_text() == "previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_failing_writer_keeps_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(tmp_path)
    dumps.write_dumps(map_corpus(corpus()), s)
    before = {p.name: p.read_bytes() for p in (tmp_path / "output").iterdir() if p.is_file()}

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(dumps_assemble, "write_jsonld", broken)
    with pytest.raises(OSError, match="disk full"):
        dumps.write_dumps(map_corpus(corpus()), s)
    after = {p.name: p.read_bytes() for p in (tmp_path / "output").iterdir() if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_ntriples_dump_is_canonical(tmp_path: Path) -> None:
    dumps.write_dumps(map_corpus(corpus()), settings(tmp_path))
    raw = (tmp_path / "output" / "kg.nt.gz").read_bytes()
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip MTIME = 0
    assert raw[3] & 0x08 == 0  # no FNAME field: the bytes depend on the content only
    lines = gzip.decompress(raw).decode().splitlines()
    assert lines == sorted(set(lines))
    assert '<https://w3id.org/bolcorr/letter/167> <http://schema.org/identifier> "167" .' in lines
