"""Name-usage IRIs are places in the source (kg.rdf.iris.UsagePlaces), so they do not move between releases.

What these tests hold the build to: a reading the resolver learns mints new usage IRIs and leaves every usage
IRI of the earlier build naming the same form on the same line (the earlier numbering renumbered every later
usage); every usage IRI of the seed is unique and, read as line.characters of the published text it is minted
under, points at exactly its bc:nameForm; the header, note and signature places are those documented.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import build
from kg.config import ONTOLOGY_NS, ROOT, Settings
from kg.model import Document, Note, ParseResult, Party, SourceSpan
from kg.rdf.iris import TextPlaces, UsagePlaces
from kg.resolve.authority import load_authorities
from kg.resolve.corpus import resolve_with
from tests.release_builds import app_over

BC, SCHEMA_TEXT = ONTOLOGY_NS, "http://schema.org/text"
USAGE = re.compile(r"^(?P<owner>.+?)/name/(?P<place>[^/]+)$")
TEXT_PLACE = re.compile(r"^(\d+)\.(\d+)-(?:(\d+)\.)?(\d+)$")  # line.first-[line.]last, as TextPlaces writes it
SMILGE = 'declined = ["Smilge"]\n'  # people.toml: the reading of "Smilge" (No. 167) as I. T. Smilga


def build_seed(tmp: Path, data_dir: Path | None = None) -> Path:
    """A real seed build (`kg build`'s code), with the authority files of ``data_dir`` if given."""
    lines: list[str] = []
    settings = replace(Settings(), output_dir=tmp / "output", **({"data_dir": data_dir} if data_dir else {}))
    assert build(settings, None, echo=lines.append, quiet=True) == 0, "\n".join(lines)
    return tmp / "output"


def statements(out: Path) -> dict[str, dict[str, list[str]]]:
    """A build's kg.nt.gz: subject -> predicate -> objects."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    triples = list(ox.parse(gzip.decompress((out / "kg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES))
    for t in triples:
        found[t.subject.value][t.predicate.value].append(t.object.value)
    return found


def usages(statements: dict[str, dict[str, list[str]]]) -> dict[str, tuple[str, str, str]]:
    """Usage IRI -> (name form, usage context, source line)."""
    return {s: (p[BC + "nameForm"][0], p[BC + "usageContext"][0], p.get(BC + "sourceLine", [""])[0])
            for s, p in statements.items() if BC + "usageContext" in p}


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed(tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def seed(seed_out: Path) -> dict[str, dict[str, list[str]]]:
    return statements(seed_out)


def test_a_reading_learned_mints_new_usages_and_moves_no_other(seed, tmp_path: Path) -> None:
    """The earlier release did not read "Smilge" (No. 167, line 7) as Smilga: every usage IRI it published names
    the same form on the same line once the reading is learned, and "Smilge" gets an IRI of its own."""
    authority = shutil.copytree(ROOT / "data" / "authority", tmp_path / "data" / "authority")
    people = (authority / "people.toml").read_text(encoding="utf-8")
    assert people.count(SMILGE) == 1
    (authority / "people.toml").write_text(people.replace(SMILGE, ""), encoding="utf-8")
    before, after = usages(statements(build_seed(tmp_path, tmp_path / "data"))), usages(seed)

    assert {iri: after.get(iri) for iri in before} == before
    added = {iri: after[iri] for iri in set(after) - set(before)}
    (smilge,) = added.values()
    assert smilge[:2] == ("Smilge", "body") and list(added) == [Settings().base_iri + "letter/167/name/7.29-34"]
    # numbered in the order found, as before, every body usage after it and every note usage of No. 167 had moved
    later = [iri for iri, (_, where, line) in before.items() if "/letter/167/" in iri
             and (where == "note" or where == "body" and int(line) > int(smilge[2]))]
    assert len(later) >= 10


def place_text(statements: dict[str, dict[str, list[str]]], owner: str, place: str) -> str:
    """What a usage's place points at, read from the published text of its letter or note."""
    if place.startswith("header-"):
        return ""
    if place.startswith("signature-"):
        (text,), place = statements[owner][BC + "signature"], "1." + place.split(".", 1)[1]
    else:
        (text,) = statements[owner][SCHEMA_TEXT]
    line, first, last_line, last = TEXT_PLACE.match(place).groups()
    lines = text.split("\n")
    if last_line is None:
        return lines[int(line) - 1][int(first) - 1:int(last)]
    return "\n".join([lines[int(line) - 1][int(first) - 1:], *lines[int(line):int(last_line) - 1],
                      lines[int(last_line) - 1][:int(last)]])


def test_every_usage_iri_of_the_seed_is_unique_and_points_at_its_form(seed) -> None:
    found = usages(seed)
    letters = {s for s, p in seed.items() if BC + "nameUsage" in p}
    linked = [u for letter in letters for u in seed[letter][BC + "nameUsage"]]
    assert len(found) == len(linked) == len(set(linked)) > 400  # one node per usage, each linked once
    for iri, (form, where, _) in found.items():
        owner, place = USAGE.match(iri).groups()
        if where == "header":
            assert place.startswith("header-") and owner in letters, iri
            continue
        if where == "note":
            assert seed[iri][BC + "inNote"] == [owner], iri  # minted under its note
        else:
            assert owner in letters, iri
        assert place_text(seed, owner, place) == form, iri


def test_header_usages_are_numbered_as_the_header_prints_the_parties(seed) -> None:
    base = Settings().base_iri + "letter/167/name/"
    assert usages(seed)[base + "header-1"][0] == "A. M. Nazaretyan"
    assert usages(seed)[base + "header-2"][0] == "G. K. Ordzhonikidze"


def test_the_letter_page_anchors_each_usage_once(seed_out: Path, seed) -> None:
    """The page's "All statements" give each sub-resource an anchor from its path: the same place in two notes
    ("Politburo" at 1.26-34 of notes 2 and 3 of No. 167) is two anchors; prefixed, so that the statements about
    note 3 do not take the id of note 3 itself (``note-3``, where the text's marker points). No id twice."""
    with app_over(seed_out) as app:
        response = app.test_client().get("/letter/167", headers={"Accept": "text/html"})
        page = response.get_data(as_text=True)
        response.close()
    ids = re.findall(r'<h3 id="statements-([^"]+)">', page)
    letter = Settings().base_iri + "letter/167/"
    assert {u[len(letter):].replace("/", "-") for u in usages(seed) if u.startswith(letter)} <= set(ids)
    assert {"note-2-name-1.26-34", "note-3-name-1.26-34", "name-header-1", "note-3"} <= set(ids)
    every_id = re.findall(r'\sid="([^"]+)"', page)
    assert '<li id="note-3"' in page and len(every_id) == len(set(every_id))


def test_each_kind_of_place_in_a_hand_built_letter() -> None:
    """Header parties, a name in the body's third line, one in a note, a signature the body does not repeat."""
    body = "Dear comrade!\n\nI saw Koba yesterday;\nRadek left."
    note = Note(number=1, text="Koba is Stalin.")
    span = SourceSpan("hand.txt", 1, 5)
    doc = Document(key="950", number="950", kind="letter", header="", body=body, notes=[note], source=span,
                   fields={"body": span}, signatures=["Sergo."],
                   senders=[Party("G. K. Ordzhonikidze", "person", "G. K. Ordzhonikidze")],
                   recipients=[Party("I. V. Stalin", "person", "I. V. Stalin")])
    res = resolve_with(ParseResult([doc]), load_authorities(ROOT / "data")).resolutions["950"]
    places = UsagePlaces(doc)
    assert {(u.form, u.where, u.note, places.of(u)) for u in res.usages} == {
        ("G. K. Ordzhonikidze", "header", None, "header-1"), ("I. V. Stalin", "header", None, "header-2"),
        ("Koba", "body", None, "3.7-10"), ("Radek", "body", None, "4.1-5"), ("Koba", "note", 1, "1.1-4"),
        ("Stalin", "note", 1, "1.9-14"),
        ("Sergo", "signature", None, "signature-1.1-5")}


def test_a_span_over_a_line_break_ends_on_its_own_line() -> None:
    places = TextPlaces("Central\nCommittee met")
    assert places.place(0, 17) == "1.1-2.9"
    assert places.place(8, 17) == "2.1-9"
