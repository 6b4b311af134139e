"""`kg build` end to end on the bundled corpus: conforms, every seed fact reads back from every dump,
publishes byte-identical N-Triples, verifiable checksums, and never damages the previous output/
(non-conformant data, --strict, or a SIGKILL in the middle of writing)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, Graph, URIRef, namespace
from rdflib.namespace import VOID

from kg.build.pipeline import build
from kg.cli import cli
from kg.config import Settings
from kg.validate.shacl import load_file
from tests.seed_facts import SEED_TOTAL, score_dump, score_mentions_dump

ROOT = Path(__file__).resolve().parent.parent
SEED_CHECK = ROOT.parent / "shared" / "checks" / "seed_check.py"  # only beside CI's and developers' clones
DUMPS = ("kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig")
# the terms themselves, not the DCAT class: pytest probes module globals and rdflib's DCAT warns on unknown names
DCAT_BYTE_SIZE, DCAT_DISTRIBUTION = namespace.DCAT.byteSize, namespace.DCAT.distribution


def run_build(out: Path, **changes: object) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=out, **changes), None, echo=lines.append)
    return code, lines


def sums(out: Path) -> dict[str, str]:
    """Recompute every file's SHA-256 and compare with SHA256SUMS (what `sha256sum -c` does)."""
    listed = dict(reversed(line.split("  ", 1)) for line in (out / "SHA256SUMS").read_text().splitlines())
    actual = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in listed}
    assert actual == listed
    return listed


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "output"
    code, lines = run_build(out)
    assert code == 0, "\n".join(lines)
    assert "kg build: 11 documents" in lines[-1]
    return out


def test_every_file_is_published(built: Path) -> None:
    for name in (*DUMPS, "void.ttl", "context.jsonld", "SHA256SUMS", "ontology/bolcorr.ttl", "ontology/vocab.ttl",
                 "ontology/index.html", "shapes/bolcorr.shapes.ttl"):
        assert (built / name).stat().st_size > 0, name
    assert "bc:Letter" in (built / "ontology/index.html").read_text()


@pytest.mark.parametrize("dump", DUMPS)
def test_every_seed_fact_reads_back_from_every_dump(built: Path, dump: str) -> None:
    score = score_dump(built / dump)
    assert (score.ok, score.total) == (SEED_TOTAL, SEED_TOTAL), score.report()


@pytest.mark.parametrize("dump", DUMPS)
def test_every_organization_place_and_event_of_the_seed_reads_back_from_every_dump(built: Path, dump: str) -> None:
    """tests/data/seed-expected.json's "mentioned" block, field by field; the score is printed (pytest -s)."""
    score = score_mentions_dump(built / dump)
    print(f"{dump}: {score.report()}")
    assert score.total > 150 and score.ok == score.total, score.report()


LETTER = "<https://w3id.org/bolcorr/letter/"


def damaged_dump(built: Path, target: Path) -> Path:
    """kg.nt.gz without 167's senders, 170's note, 171's citation; 168 a day late; a letter No. 999 added
    (in https://schema.org/ terms, which a client reads as http://schema.org/)."""
    lines = gzip.decompress((built / "kg.nt.gz").read_bytes()).decode().splitlines()
    drop = (LETTER + "167> <http://schema.org/sender>", LETTER + "170> <http://schema.org/comment> ",
            LETTER + "171> <http://purl.org/dc/terms/bibliographicCitation>")
    date_168 = LETTER + "168> <http://schema.org/dateCreated>"
    kept = [line.replace('"1923-01-28"', '"1923-01-29"') if line.startswith(date_168) else line
            for line in lines if not line.startswith(drop)]
    assert len(lines) - len(kept) == 3
    kept += [LETTER + '999> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Message> .',
             LETTER + '999> <https://schema.org/identifier> "999" .',
             LETTER + '999> <https://schema.org/sender> <https://w3id.org/bolcorr/person/stalin-i-v> .']
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def test_the_seed_reading_names_every_fact_a_dump_lacks(built: Path, tmp_path: Path) -> None:
    score = score_dump(damaged_dump(built, tmp_path / "damaged.nt"))
    assert score.total == SEED_TOTAL
    assert [(f.what, f.found) for f in score.missing] == [
        ("No. 167: sender Nazaretyan", "[]"), ("No. 167: exactly 1 sender(s)", "0"),
        ("No. 168: schema:dateCreated 1923-01-28", "['1923-01-29']"),
        ("No. 170: 1 editorial notes as schema:comment", "0"),
        ("No. 171: citation F. 76 Op. 2 D. 103 L. 103-113", "[]"), ("No. 171: the citation names the archive", "[]"),
        ("no letter with senders beyond the seed's", "['999']")]
    assert score.report().splitlines()[:2] == [f"seed facts: {SEED_TOTAL - 7}/{SEED_TOTAL}",
                                               "  missing: No. 167: sender Nazaretyan (found [])"]


if SEED_CHECK.exists():  # defined only where ../shared is: a fresh clone collects nothing here, skips nothing

    @pytest.mark.parametrize("dump", ["kg.ttl", "kg.jsonld", "damaged.nt"])
    def test_shared_seed_check_scores_each_dump_as_our_reading_does(built: Path, tmp_path: Path, dump: str) -> None:
        path = damaged_dump(built, tmp_path / dump) if dump == "damaged.nt" else built / dump
        proc = subprocess.run([sys.executable, str(SEED_CHECK), str(path)], capture_output=True, text=True,
                              timeout=120)
        ours = score_dump(path)
        lines = proc.stdout.strip().splitlines()
        assert lines[-1] == f"seed facts: {ours.ok}/{ours.total}", proc.stdout + "\n" + ours.report()
        assert sum(line.startswith("MISSING ") for line in lines) == len(ours.missing), proc.stdout
        assert proc.returncode == (0 if ours.ok == ours.total else 1)


def test_two_builds_give_byte_identical_ntriples(built: Path, tmp_path: Path) -> None:
    code, _ = run_build(tmp_path / "again")
    assert code == 0
    assert (tmp_path / "again/kg.nt.gz").read_bytes() == (built / "kg.nt.gz").read_bytes()


def test_sha256sums_verify(built: Path) -> None:
    listed = sums(built)
    assert set(DUMPS) | {"void.ttl", "context.jsonld"} <= set(listed)
    if shutil.which("sha256sum"):
        proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=built, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.count(": OK") == len(listed)


def test_void_describes_the_build(built: Path) -> None:
    nt = gzip.decompress((built / "kg.nt.gz").read_bytes()).decode()
    void = Graph().parse(built / "void.ttl")
    ds = URIRef("https://w3id.org/bolcorr/void")
    assert int(void.value(ds, VOID.triples)) == len(nt.splitlines())
    wikidata = sum(1 for line in nt.splitlines() if f"<{OWL.sameAs}> <http://www.wikidata.org/entity/Q" in line)
    assert wikidata > 0
    assert int(void.value(URIRef("https://w3id.org/bolcorr/void/wikidata"), VOID.triples)) == wikidata
    version = str(void.value(ds, OWL.versionInfo))
    assert version.startswith(hashlib.sha256(nt.encode()).hexdigest()[:12])
    sizes = {str(void.value(d, URIRef("http://purl.org/dc/terms/title"))): int(void.value(d, DCAT_BYTE_SIZE))
             for d in void.objects(ds, DCAT_DISTRIBUTION)}
    assert sizes == {name: (built / name).stat().st_size for name in (*DUMPS, "cmif.xml", "letters.csv")}


def test_jsonld_is_compact_with_the_published_context(built: Path) -> None:
    doc = json.loads((built / "kg.jsonld").read_text())
    assert doc["@context"] == json.loads((built / "context.jsonld").read_text())["@context"]
    letter = next(n for n in doc["@graph"] if n["@id"] == "data:letter/167")
    assert letter["schema:identifier"] == ["167"] and "schema:Message" in letter["@type"]


def test_kg_validate_exit_codes(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(built / "kg.trig")])
    assert ok.exit_code == 0 and "Conforms: True" in ok.output
    bad = runner.invoke(cli, ["validate", str(ROOT / "tests/data/shapes/invalid/"
                                               "PatternConstraintComponent__folios_in_words.ttl")])
    assert bad.exit_code == 1 and "bc:folios" in bad.output
    for dump in ("kg.nt.gz", "kg.jsonld"):
        other = runner.invoke(cli, ["validate", str(built / dump)])
        assert other.exit_code == 0 and "Conforms: True" in other.output, other.output[:2000]
    ttl = runner.invoke(cli, ["validate", "--format", "ttl", str(built / "kg.ttl")])
    assert ttl.exit_code == 0 and "sh:conforms true" in ttl.output
    (tmp_path / "broken.ttl").write_text("<a> <b> .")
    broken = runner.invoke(cli, ["validate", str(tmp_path / "broken.ttl")])
    assert broken.exit_code == 2 and "broken.ttl" in broken.output
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nothing.trig")])
    assert missing.exit_code == 2 and "nothing.trig" in missing.output
    (tmp_path / "broken.jsonld").write_text('{"@id": "http://example.org/a", "http://example.org/b": ')
    broken_jsonld = runner.invoke(cli, ["validate", str(tmp_path / "broken.jsonld")])
    assert broken_jsonld.exit_code == 2 and "broken.jsonld" in broken_jsonld.output


def test_validate_reads_every_triple_of_each_dump(built: Path) -> None:
    """What `kg validate` checks is the whole graph whatever the format (an empty graph would conform)."""
    whole = set(load_file(built / "kg.ttl"))
    assert len(whole) == len(gzip.decompress((built / "kg.nt.gz").read_bytes()).splitlines())
    for dump in ("kg.nt.gz", "kg.jsonld"):
        assert set(load_file(built / dump)) == whole, dump


def test_strict_with_diagnostics_publishes_nothing(tmp_path: Path) -> None:
    code, lines = run_build(tmp_path / "output")
    assert code == 0
    before = sums(tmp_path / "output")
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=tmp_path / "output"), None, strict=True, echo=lines.append)
    assert code == 1 and "under --strict" in lines[-1]
    assert sums(tmp_path / "output") == before


def test_non_conformant_build_names_the_document_and_keeps_output(built: Path, tmp_path: Path) -> None:
    """A stricter shapes directory (real shapes + one rule document 173 breaks) stands in for bad data."""
    out = tmp_path / "output"
    shutil.copytree(built, out)
    before = sums(out)
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    (shapes / "extra.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix bc: <https://w3id.org/bolcorr/ns#> .
        <urn:test:NoPlace> a sh:NodeShape ; sh:targetNode <https://w3id.org/bolcorr/letter/173> ;
            sh:property [ sh:path bc:placeWritten ; sh:maxCount 0 ] .""")
    code, lines = run_build(out, shapes_dir=shapes)
    assert code == 1
    text = "\n".join(lines)
    assert "documents failing (1): 173" in text
    violation = next(line for line in text.splitlines() if line.startswith("Violation"))
    assert "document 173" in violation and "bc:placeWritten" in violation and "#L" in violation
    assert sums(out) == before and not list(tmp_path.glob(".output.*"))


@pytest.mark.slow
@pytest.mark.parametrize("kill_when", ["staging-created", "dumps-half-written"])
def test_sigkill_midway_leaves_previous_output_complete(built: Path, tmp_path: Path, kill_when: str) -> None:
    from kg.devtools.generate import write_corpus

    out = tmp_path / "output"
    shutil.copytree(built, out)
    before = sums(out)
    pages = tmp_path / "pages"
    write_corpus(pages, 120)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(pages), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        staging = list(tmp_path.glob(".output.new-*"))
        if staging and (kill_when == "staging-created" or (staging[0] / "kg.trig").exists()):
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sums(out) == before  # the previous build, complete and verifiable
    code, _ = run_build(out)  # the next build cleans up what the killed one left
    assert code == 0 and not list(tmp_path.glob(".output.*"))


def test_warnings_are_reported_and_published(tmp_path: Path) -> None:
    """A warning-level rule document 173 breaks: the build says so, names it, and still publishes."""
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    (shapes / "extra.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix bc: <https://w3id.org/bolcorr/ns#> .
        <urn:test:NoPlace> a sh:NodeShape ; sh:targetNode <https://w3id.org/bolcorr/letter/173> ;
            sh:property [ sh:path bc:placeWritten ; sh:maxCount 0 ; sh:severity sh:Warning ] .""")
    code, lines = run_build(tmp_path / "output", shapes_dir=shapes)
    text = "\n".join(lines)
    assert code == 0 and "1 SHACL warnings" in lines[-1]
    assert any(line.startswith("Warning: document 173") and "bc:placeWritten" in line for line in text.splitlines())
    sums(tmp_path / "output")


SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"
DIAGNOSTIC_LINE = re.compile(r"^[^:]+:\d+: document \S+: (error|warning): .+ \[[a-z-]+\]$")
SEED_SUMMARY = [
    f"note-without-marker: 7 warnings, e.g. {SEED}:97: document 168: note 2 has no marker in the text",
    f"unresolved-name: 16 warnings, e.g. {SEED}:19: document 167: name 'Vardzieli' (body) not resolved: "
    "'Vardzieli' is in no authority file"]


def kg_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", "build", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_seed_build_prints_each_diagnostic_in_the_documented_form_then_one_line_per_code(tmp_path: Path) -> None:
    """Parser diagnostics and unresolved names alike: `file:line: document N: severity: message [code]`
    (the README's form); then one summary line per code, then the final line. --quiet drops only the
    lines per diagnostic."""
    proc = kg_build("--out", str(tmp_path / "output"))
    assert proc.returncode == 0, proc.stderr
    *diagnostics, summary1, summary2, final = proc.stderr.splitlines()
    assert [line for line in diagnostics if not DIAGNOSTIC_LINE.match(line)] == []
    assert [line.rsplit(" [", 1)[1] for line in diagnostics] == ["note-without-marker]"] * 7 + ["unresolved-name]"] * 16
    assert diagnostics[7] == (f"{SEED}:19: document 167: warning: name 'Vardzieli' (body) not resolved: "
                              "'Vardzieli' is in no authority file [unresolved-name]")
    assert [summary1, summary2] == SEED_SUMMARY
    assert final.startswith("kg build: 11 documents, ") and "7 parser diagnostics, 16 unresolved names" in final
    quiet = kg_build("--quiet", "--out", str(tmp_path / "quiet"))
    assert quiet.returncode == 0
    assert quiet.stderr.splitlines()[:-1] == SEED_SUMMARY
    assert quiet.stderr.splitlines()[-1].split("; published")[0] == final.split("; published")[0]


def test_build_of_a_directory_without_pages_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "pages"
    empty.mkdir()
    (empty / "index.md").write_text("No. 1\n", encoding="utf-8")
    proc = kg_build(str(empty), "--out", str(tmp_path / "output"))
    assert proc.returncode == 1
    assert proc.stderr == (f"kg build: {empty}: no pages to read: none of its 1 file is a page "
                           f"(.htm, .html, .text, .txt, .xhtml); nothing published, {tmp_path / 'output'} untouched\n")
    assert not (tmp_path / "output").exists()
