"""A reply and the letter it answers, dated at different precisions (generated seed 7 with extras, No. 294).

"[September 1916]" (No. 294) answers "[late June 1916]" (No. 280), as its note says. The shape "a letter
cannot answer itself or a later letter" compared the two schema:dateCreated strings, which keep the page's
precision: "1916-07" (late June, Old Style: 4-13 July) sorted after "1916" (14 September - 13 October
spans two months), so the build of 1,000 letters failed. The shape now compares the Gregorian bounds: the
answered letter's earliest day after the answer's latest is a violation, nothing less; pySHACL (the
reference) and the Oxigraph pass read the same query and say the same.

The generator, for its part, could say that a letter answers one its page dates after it ("[previously
February 18, 1915]" answering "[late February 1915]", seed 9, No. 197): a printed date need not hold the
letter's true day. Its facts now name no such reply.
"""

from __future__ import annotations

import gzip
import itertools
from dataclasses import replace

import pyshacl
import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.build.pipeline import build
from kg.config import ROOT, Settings
from kg.devtools.generate import generate_documents
from kg.rdf.vocab import BC
from kg.validate.shacl import load_shapes, validate_graph

PAGE = ROOT / "tests" / "data" / "formats" / "reply-imprecise-dates.txt"
LETTER = "https://w3id.org/bolcorr/letter/"
LATER = "a letter cannot answer itself or a later letter"


def generated_facts(seed: int, count: int) -> dict[str, dict]:
    """The facts of the first `count` letters of the 1,000-letter corpus with extras (dates depend on the size)."""
    return {f["number"]: f for f in (d.facts.to_json() for d in
                                     itertools.islice(generate_documents(1000, seed, extras=True), count))}


def test_the_generator_keeps_the_reply_of_seed_7() -> None:
    """No. 294 answers No. 280: the note says so and the printed dates allow it (June before September)."""
    facts = generated_facts(7, 294)
    reply, answered = facts["294"], facts["280"]
    assert reply["transmission"]["reply_to"] == "280" and reply["transmission"]["reply_basis"] == "editor-note"
    assert (answered["date_expressed"], reply["date_expressed"]) == ("[late June 1916]", "[September 1916]")
    assert answered["date_detail"]["gregorian_earliest"] <= reply["date_detail"]["gregorian_latest"]


def test_the_generator_names_no_reply_to_a_letter_its_page_dates_later() -> None:
    """Seed 9: No. 197 "[previously February 18, 1915]" (at the latest 3 March, New Style) was said to answer
    No. 195 "[late February 1915]" (6-13 March): true days in order, printed ones not. Now no reply."""
    facts = generated_facts(9, 197)
    assert (facts["195"]["date_expressed"], facts["197"]["date_expressed"]) == (
        "[late February 1915]", "[previously February 18, 1915]")
    assert facts["197"]["transmission"]["reply_to"] is None
    replies = [f for f in facts.values() if f["transmission"]["reply_to"]]
    assert len(replies) >= 3
    for f in replies:
        earliest = facts[f["transmission"]["reply_to"]]["date_detail"].get("gregorian_earliest")
        latest = f["date_detail"].get("gregorian_latest")
        assert earliest is None or latest is None or earliest <= latest, f["number"]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The page of the two cases built by `kg build`'s code: it must conform (else nothing is published)."""
    out = tmp_path_factory.mktemp("reply-dates") / "output"
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=out), [str(PAGE)], echo=lines.append, quiet=True)
    assert code == 0, "\n".join(lines)
    return Graph().parse(data=gzip.decompress((out / "kg.nt.gz").read_bytes()).decode(), format="nt")


@pytest.mark.parametrize(("reply", "answered", "created"), [
    ("294", "280", ("1916", "1916-07")),  # Old Style: a year's value against a month's
    ("966", "965", ("1927-06", "1927-06-06")),  # a month's value against a day of that month
])
def test_a_reply_to_a_letter_dated_less_precisely_is_published(published: Graph, reply: str, answered: str,
                                                               created: tuple[str, str]) -> None:
    letter, target = URIRef(LETTER + reply), URIRef(LETTER + answered)
    assert list(published.objects(letter, BC.inReplyTo)) == [target]
    assert (str(published.value(letter, URIRef("http://schema.org/dateCreated"))),
            str(published.value(target, URIRef("http://schema.org/dateCreated")))) == created
    (attestation,) = published.objects(letter, BC.attestation)
    assert published.value(attestation, BC.attests) == BC.inReplyTo
    assert published.value(attestation, BC.attestedValue) == target
    assert published.value(attestation, BC.quotation) == Literal(f"Answer to document No. {answered}.")
    assert published.value(attestation, DCTERMS.description) == Literal(
        f"note 1 names the document answered: No. {answered}")
    assert published.value(attestation, BC.statedIn) == URIRef(f"{LETTER}{reply}/note/1")


def _answered_on(published: Graph, earliest: str, latest: str) -> Graph:
    """The published graph with No. 280's Gregorian bounds moved to [earliest, latest]."""
    g = Graph()
    g += published
    date = published.value(URIRef(LETTER + "280"), BC.created)
    g.set((date, BC.gregorianEarliest, Literal(earliest, datatype=XSD.date)))
    g.set((date, BC.gregorianLatest, Literal(latest, datatype=XSD.date)))
    return g


def _violations_by_both_paths(g: Graph) -> tuple[set, set]:
    """(focus, path, message) of each violation: kg's validation (SPARQL on Oxigraph) and pySHACL alone."""
    _, ours, _ = validate_graph(g)
    _, reference, _ = pyshacl.validate(g, shacl_graph=load_shapes(Settings().shapes_dir), advanced=True,
                                       inference="none")
    return tuple({(r.value(x, SH.focusNode), r.value(x, SH.resultPath), str(r.value(x, SH.resultMessage)))
                  for x in r.subjects(SH.resultSeverity, SH.Violation)} for r in (ours, reference))  # type: ignore


@pytest.mark.parametrize(("earliest", "latest", "later"), [
    ("1916-07-04", "1916-07-13", False),  # as printed
    ("1916-10-13", "1916-10-20", False),  # may have been written on the answer's last possible day
    ("1916-10-14", "1916-10-20", True),  # certainly after the answer
])
def test_both_paths_call_an_answer_to_a_letter_certainly_after_it_a_violation(
        published: Graph, earliest: str, latest: str, later: bool) -> None:
    ours, reference = _violations_by_both_paths(_answered_on(published, earliest, latest))
    assert ours == reference
    expected = {(URIRef(LETTER + "294"), BC.inReplyTo, f"{LATER} ({LETTER}280)")} if later else set()
    assert ours == expected


def test_the_case_is_a_letter_with_a_date_statement(published: Graph) -> None:
    """The shape reads bc:created's bounds: both letters have them in the Gregorian calendar."""
    for number in ("280", "294", "965", "966"):
        date = published.value(URIRef(LETTER + number), BC.created)
        assert (date, RDF.type, BC.DateStatement) in published
        assert published.value(date, BC.gregorianEarliest) and published.value(date, BC.gregorianLatest)
