"""`kg load --to-files`: the quads `kg load` sends, written as gzipped N-Quads for a store's bulk loader.

The files, loaded into a real pyoxigraph store, hold exactly what `kg load` puts into a real Oxigraph
server, quad for quad (the build's graphs, the collection's union copy and its list of graphs), on the
seed build; bad input is an error naming the file that leaves nothing behind.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from kg.cli import cli
from kg.store.bulk import write_files
from kg.store.load import Collection, LoadError
from tests.oxigraph_server import running_oxigraph
from tests.release_builds import Built, seed_release  # noqa: F401 - a fixture

KG = str(Path(sys.executable).parent / "kg")


@pytest.fixture(scope="module")
def seed_build(seed_release: Built) -> Path:  # noqa: F811 - the session's seed build (tests/release_builds.py)
    return seed_release.out


def quads_from_files(folder: Path) -> set[ox.Quad]:
    store = ox.Store()
    for path in sorted(folder.glob("kg-*.nq.gz")):
        store.load(gzip.decompress(path.read_bytes()), format=ox.RdfFormat.N_QUADS)
    return set(store)


def test_the_files_hold_what_kg_load_puts_into_a_store(seed_build: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bulk"
    result = CliRunner().invoke(cli, ["load", "--to-files", str(folder), "--data", str(seed_build)])
    assert result.exit_code == 0, result.output
    written = quads_from_files(folder)
    assert f"wrote {len(written):,} quads in 1 files" in result.output
    with running_oxigraph(union_default_graph=False) as server:
        result = CliRunner().invoke(cli, ["load", "--endpoint", server.store, "--data", str(seed_build)])
        assert result.exit_code == 0, result.output
        resp = requests.get(server.store, headers={"Accept": "application/n-quads"}, timeout=60)
        resp.raise_for_status()
    loaded = set(ox.parse(resp.content, format=ox.RdfFormat.N_QUADS))
    assert written == loaded
    collection = Collection()
    graphs = {q.graph_name.value for q in written}
    build = {q.graph_name.value for q in ox.parse(path=str(seed_build / "kg.trig"), format=ox.RdfFormat.TRIG)}
    assert graphs == build | {collection.union, collection.catalog}
    union = {q.triple for q in written if q.graph_name.value == collection.union}
    assert union == {q.triple for q in written if q.graph_name.value in build}


def test_the_files_are_replaced_and_split_at_graph_boundaries(seed_build: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bulk"
    first = write_files(seed_build, folder, per_file=2000)
    assert len(first.files) > 2 and all(p.name.startswith("kg-") for p in first.files)
    again = write_files(seed_build, folder)  # one file now: the older ones are gone
    assert [p.name for p in again.files] == ["kg-00001.nq.gz"] == [p.name for p in folder.iterdir()]
    assert again.quads == first.quads == len(quads_from_files(folder))
    assert again.triples == again.union_triples


def test_a_missing_build_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bulk"
    result = CliRunner().invoke(cli, ["load", "--to-files", str(out), "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'kg.trig'}: no such file (run `kg build` first)" in result.output
    assert not out.exists()


def test_an_invalid_build_is_a_clear_error_and_leaves_the_folder_as_it_was(seed_build: Path, tmp_path: Path) -> None:
    """The error comes after some files were written (the good graphs at the start): they are removed, and
    the files of an earlier run stay as they were."""
    folder = tmp_path / "bulk"
    write_files(seed_build, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "kg.trig").write_text((seed_build / "kg.trig").read_text(encoding="utf-8") + "\n<urn:g> { oops }\n",
                                 encoding="utf-8")
    with pytest.raises(LoadError, match=f"{bad / 'kg.trig'}: not readable as TriG: .*line"):
        write_files(bad, folder, per_file=2000)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    result = CliRunner().invoke(cli, ["load", "--to-files", str(tmp_path / "new"), "--data", str(bad)])
    assert result.exit_code == 2 and f"{bad / 'kg.trig'}: not readable as TriG" in result.output
    assert not (tmp_path / "new").exists()


def test_one_of_endpoint_or_files(tmp_path: Path) -> None:
    for args in ([], ["--endpoint", "http://127.0.0.1:9/store", "--to-files", str(tmp_path / "x")]):
        result = CliRunner().invoke(cli, ["load", "--data", str(tmp_path), *args])
        assert result.exit_code == 2
        assert "give one of --endpoint (send to a store) or --to-files" in result.output
