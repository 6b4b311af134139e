"""How sure the text is that an event happened (bc:factuality, bcv:Factuality): the seed build says it of every
event, once, as the entry in data/authority/events.toml reads it from the words it quotes (175's supposed decision
of the CC, 176's planned conference, 171's stated STO sitting); the shapes refuse an event without it or with two;
the loader refuses a value outside the scheme; the event page says it in words beside "Stated in", the letter page
beside the events it lists, and the example query finds the events a letter only supposes or plans."""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import get_args

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import SH, SKOS, Graph, Literal, URIRef

from kg.build.pipeline import build
from kg.config import ROOT, Settings
from kg.model import Factuality
from kg.rdf.vocab import BC, BCV
from kg.resolve.authority import AuthorityError, load_authorities
from kg.validate.shacl import validate_graph
from kg.web.queries import EXAMPLE_QUERIES
from tests.release_builds import app_over
from tests.seed_facts import read_dump

EVENT = "https://w3id.org/bolcorr/event/"
LETTER = "https://w3id.org/bolcorr/letter/"
SUPPOSED, PLANNED, STATED = (EVENT + e for e in ("cc-decision-myasnikov-harm-abroad-supposed",
                                                 "all-party-conference-planned-for-january", "1923-08-03-sto"))
PREFIXES = "PREFIX bc: <https://w3id.org/bolcorr/ns#> PREFIX schema: <http://schema.org/> "


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("factuality") / "output"
    lines: list[str] = []
    assert build(replace(Settings(), output_dir=out), None, echo=lines.append, quiet=True) == 0, "\n".join(lines)
    return out


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return read_dump(built / "kg.trig")


@pytest.fixture(scope="module")
def client(built: Path) -> Iterator[FlaskClient]:
    with app_over(built) as app:
        yield app.test_client()


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = list(store.query(PREFIXES + query))
    return [tuple(term.value if term is not None else "" for term in row) for row in solutions]


def test_the_triples_say_how_the_letter_puts_each_event(store: ox.Store) -> None:
    found = dict(rows(store, f"SELECT ?e ?f WHERE {{ VALUES ?e {{ <{SUPPOSED}> <{PLANNED}> <{STATED}> }} "
                             "?e bc:factuality ?f }"))
    assert found == {SUPPOSED: str(BCV.supposed), PLANNED: str(BCV.planned), STATED: str(BCV.stated)}
    # each read in the letter whose words the entry quotes
    stated_in = rows(store, f"SELECT ?e ?s WHERE {{ VALUES ?e {{ <{SUPPOSED}> <{PLANNED}> }} ?e bc:statedIn ?s }}")
    assert sorted(stated_in) == [(PLANNED, LETTER + "176"), (SUPPOSED, LETTER + "175")]


def test_every_event_says_it_once_and_only_six_are_not_stated_as_fact(store: ox.Store) -> None:
    counts = rows(store, "SELECT ?e (COUNT(?f) AS ?n) WHERE { ?e a bc:Event OPTIONAL { ?e bc:factuality ?f } } "
                         "GROUP BY ?e")
    assert len(counts) >= 61 and {n for _, n in counts} == {"1"}
    hedged = rows(store, f"SELECT ?e ?f WHERE {{ ?e bc:factuality ?f FILTER(?f != <{BCV.stated}>) }} ORDER BY ?e")
    assert [(e.removeprefix(EVENT), f.rsplit("/", 1)[1]) for e, f in hedged] == [
        ("all-party-conference-planned-for-january", "planned"),
        ("bukharin-at-the-krasnaya-presnya-district-meeting", "reported"),
        ("cc-decision-myasnikov-harm-abroad-supposed", "supposed"),
        ("conference-convened-by-the-berliners", "undetermined"),
        ("kpd-party-council-meeting-1923-11", "planned"),
        ("meeting-with-brandler-fischer-and-helm", "planned")]


def test_the_scheme_the_loader_and_the_shapes_name_the_same_values() -> None:
    """One list of values: the concepts of bcv:Factuality in ontology/vocab.ttl; the model's names are their local
    names and the shape's sh:in lists exactly them."""
    onto = Graph().parse(ROOT / "ontology" / "vocab.ttl")
    scheme = {str(c).rsplit("/", 1)[1] for c in onto.subjects(SKOS.inScheme, BCV.Factuality)}
    assert scheme == set(get_args(Factuality))
    shapes = Graph().parse(ROOT / "shapes" / "bolcorr.shapes.ttl")
    prop = next(p for p in shapes.subjects(SH.path, BC.factuality))
    assert {str(v).rsplit("/", 1)[1] for v in shapes.items(shapes.value(prop, SH["in"]))} == scheme


def _published(built: Path) -> Graph:
    """The seed's published triples (kg.nt.gz), as an rdflib graph the validator takes."""
    return Graph().parse(data=gzip.decompress((built / "kg.nt.gz").read_bytes()).decode(), format="nt")


def _violations(report: Graph) -> set[tuple[object, object, object]]:
    return {(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
             report.value(r, SH.sourceConstraintComponent)) for r in report.subjects(SH.resultSeverity, SH.Violation)}


def test_the_shapes_refuse_an_event_without_it_or_with_two(built: Path) -> None:
    graph = _published(built)
    conforms, _, text = validate_graph(graph)
    assert conforms, text
    event = URIRef(SUPPOSED)
    graph.remove((event, BC.factuality, None))
    conforms, report, _ = validate_graph(graph)
    assert not conforms and _violations(report) == {(event, BC.factuality, SH.MinCountConstraintComponent)}
    graph.add((event, BC.factuality, BCV.supposed))
    graph.add((event, BC.factuality, BCV.stated))
    conforms, report, _ = validate_graph(graph)
    assert not conforms and _violations(report) == {(event, BC.factuality, SH.MaxCountConstraintComponent)}
    graph.remove((event, BC.factuality, BCV.stated))
    graph.add((event, BC.factuality, Literal("supposed")))  # the word, not the concept
    graph.remove((event, BC.factuality, BCV.supposed))
    conforms, report, _ = validate_graph(graph)
    assert not conforms and _violations(report) == {(event, BC.factuality, SH.InConstraintComponent)}


@pytest.mark.parametrize("value,message", [
    ('factuality = "rumoured"\n', "[[event]] #1 (death-of-frunze): factuality 'rumoured' is not one of stated, "
                                  "supposed, planned, reported, undetermined (bcv:Factuality)"),
    ("", "[[event]] #1 (death-of-frunze): missing key 'factuality'"),
])
def test_the_loader_refuses_an_entry_without_a_known_factuality(tmp_path: Path, value: str, message: str) -> None:
    folder = tmp_path / "authority"
    shutil.copytree(ROOT / "data" / "authority", folder)
    (folder / "events.toml").write_text('[[event]]\nid = "death-of-frunze"\nlabel = "Death of M. V. Frunze"\n'
                                        'kind = "death"\nkeywords = ["Frunze", "died"]\nstated_in = ["169/1"]\n'
                                        + value, encoding="utf-8")
    with pytest.raises(AuthorityError) as err:
        load_authorities(tmp_path)
    assert str(err.value) == f"{folder / 'events.toml'}: {message}"


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("event,words", [
    (SUPPOSED, "Supposed by the writer (N. N. Krestinsky, letter No. 175, line 535)"),
    (PLANNED, "Planned or announced (I. V. Stalin, letter No. 176, line 563)"),
    (STATED, "Stated as a fact (F. E. Dzerzhinsky, letter No. 171, line 173)"),
    (EVENT + "arrest-of-myasnikov", "Stated as a fact (the editors&#39; note 1 to No. 175)"),
])
def test_the_event_page_says_it_in_words_beside_stated_in(client: FlaskClient, event: str, words: str) -> None:
    page = _page(client, "/" + event.removeprefix("https://w3id.org/bolcorr/"))
    assert f'<dt>How it is stated</dt><dd class="factuality">{words}</dd><dt>Stated in</dt>' in page


def test_a_note_stating_an_event_is_called_as_the_edition_numbers_it(client: FlaskClient) -> None:
    """"Stated in" names a note "note 1 to No. 175" and links it, not its IRI's CURIE (a note has no label)."""
    stated = re.search(r"<dt>Stated in</dt><dd>(.*?)</dd>", _page(client, "/event/arrest-of-myasnikov"), re.S).group(1)
    assert re.search(r'<a href="/letter/175/note/1">note 1 to No. 175</a>', stated), stated


def test_the_letter_page_marks_the_events_it_does_not_state_as_fact(client: FlaskClient) -> None:
    events = re.search(r'<dd class="mentions-events">(.*?)</dd>', _page(client, "/letter/173"), re.S).group(1)
    marked = dict(re.findall(r'<a href="/event/([^"]+)">[^<]*</a> <small class="factuality">\(([^)]*)\)</small>',
                             events))
    assert marked == {"meeting-with-brandler-fischer-and-helm": "planned or announced",
                      "kpd-party-council-meeting-1923-11": "planned or announced",
                      "conference-convened-by-the-berliners": "not said whether it took place"}
    assert '<a href="/event/hamburg-uprising">Hamburg Uprising</a>, ' in events  # stated: no mark


def test_the_example_query_finds_what_a_letter_only_supposes_or_plans(client: FlaskClient) -> None:
    query = dict(EXAMPLE_QUERIES)["Events a letter only supposes or plans"]
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    found = [(b["number"]["value"], b["event"]["value"].removeprefix(EVENT), b["factuality"]["value"].rsplit("/")[-1])
             for b in response.get_json()["results"]["bindings"]]
    assert found == [("173", "meeting-with-brandler-fischer-and-helm", "planned"),
                     ("173", "kpd-party-council-meeting-1923-11", "planned"),
                     ("175", "cc-decision-myasnikov-harm-abroad-supposed", "supposed"),
                     ("176", "all-party-conference-planned-for-january", "planned")]
