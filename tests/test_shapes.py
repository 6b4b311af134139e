"""The shapes catch what they claim: one invalid sample per constraint, with the exact
sh:sourceConstraintComponent and sh:resultPath; valid data conforms; the report names the document,
the field and the source line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, SH, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

from kg.config import Settings
from kg.model import CrossReference
from kg.rdf.mapping import authority_graph_iri, map_corpus
from kg.rdf.vocab import BC
from kg.validate.shacl import load_hierarchy, load_shapes, validate_dataset, validate_graph
from tests.mapping_fixtures import corpus, doc_167, doc_173
from tests.release_builds import Built, seed_release  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parent.parent
INVALID = sorted((ROOT / "tests/data/shapes/invalid").glob("*.ttl"))
SHAPES = ROOT / "shapes/bolcorr.shapes.ttl"


def expectation(path: Path) -> tuple[URIRef | None, URIRef | None, URIRef, URIRef | None]:
    """(component, result path, severity, source shape or None) from the sample's '# expect:' line.

    The shape is named where the component and path alone do not tell which constraint fired (an sh:or on
    the letter: a party or date missing and not said, or said unknown and given)."""
    _, _, comp, result_path, severity, *shape = path.read_text().splitlines()[0].split()
    return expand(comp), expand(result_path), SH[severity], expand(shape[0]) if shape else None


PREFIXES = {"sh": str(SH), "bc": str(BC._NS), "schema": "http://schema.org/", "rdf": str(RDF), "skos": str(SKOS),
            "prov": str(PROV), "dcterms": str(DCTERMS), "owl": str(OWL), "bcsh": "https://w3id.org/bolcorr/shapes#"}


def expand(curie: str) -> URIRef | None:
    if curie == "-":  # a constraint on the focus node itself (sh:or of an event's kinds): no result path
        return None
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def results(report: Graph) -> set[tuple[URIRef, URIRef, URIRef]]:
    return {(report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultPath),
             report.value(r, SH.resultSeverity)) for r in report.subjects(SH.resultSeverity, None)}


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sample_reports_its_constraint(sample: Path) -> None:
    component, path, severity, shape = expectation(sample)
    g = Graph()
    g.parse(sample)
    conforms, report, text = validate_graph(g)
    found = results(report)
    assert (component, path, severity) in found, text
    if shape is not None:  # the report carries the shape's own message, not the shape
        message = Graph().parse(SHAPES).value(shape, SH.message)
        assert message and {report.value(r, SH.resultMessage) for r in report.subjects(SH.resultSeverity, severity)
                            } == {message}, text
    if severity == SH.Violation:
        assert not conforms
        assert {r for r in found if r[2] == SH.Violation} == {(component, path, severity)}, text
    else:
        assert conforms, text


def test_every_constraint_component_has_a_sample() -> None:
    shapes = Graph().parse(SHAPES)
    used = set()
    for p in set(shapes.predicates()):
        if str(p).startswith(str(SH)) and p in PARAMETER_COMPONENT:
            used.add(PARAMETER_COMPONENT[p])
    sampled = {SH[p.name.split("__")[0]] for p in INVALID}
    assert used <= sampled, used - sampled


def test_every_anchored_pattern_has_the_line_break_guard_beside_it() -> None:
    """A "$" in a pattern also matches before a final newline in Python's re (pySHACL, our fast path) and in
    Java's regex; only the guard (sh:not bcsh:LineBreak on the same shape) keeps "12-13\\n" out. A pattern
    added without it would pass such a value unseen, so the rule is checked on the file, not remembered."""
    shapes = Graph().parse(SHAPES)
    line_break = expand("bcsh:LineBreak")
    anchored = [node for node, pattern in shapes.subject_objects(SH.pattern) if "$" in str(pattern)]
    assert len(anchored) >= 12
    unguarded = [str(shapes.value(node, SH.path) or node) for node in anchored
                 if (node, SH["not"], line_break) not in shapes]
    assert unguarded == []
    assert str(shapes.value(line_break, SH.pattern)) == "[\\n\\r\u0085\u2028\u2029]"


PARAMETER_COMPONENT = {SH[k]: SH[v] for k, v in {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
    "pattern": "PatternConstraintComponent", "in": "InConstraintComponent", "hasValue": "HasValueConstraintComponent",
    "or": "OrConstraintComponent", "equals": "EqualsConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent", "minInclusive": "MinInclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent", "closed": "ClosedConstraintComponent",
    "languageIn": "LanguageInConstraintComponent", "uniqueLang": "UniqueLangConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "not": "NotConstraintComponent",
    "sparql": "SPARQLConstraintComponent"}.items()}


def test_mapped_fixture_corpus_conforms() -> None:
    conforms, report, text = validate_graph(map_corpus(corpus()))
    assert conforms, text
    assert not results(report)


def test_report_names_document_field_and_line() -> None:
    """Break note 1 of document 167 (cross-reference unmarked): the text says where to look."""
    ds = map_corpus(corpus())
    g = ds.graph(URIRef("https://w3id.org/bolcorr/graph/letter/167"))
    g.remove((URIRef("https://w3id.org/bolcorr/letter/166"), BC.outsideCorpus, Literal(True)))
    conforms, report, text = validate_graph(ds)
    assert not conforms
    assert results(report) == {(SH.OrConstraintComponent, BC.citesDocument, SH.Violation)}
    line = next(x for x in text.splitlines() if x.startswith("Violation"))
    assert "document 167" in line and "bc:citesDocument" in line
    assert "bolshevik-correspondence-1923-nos-167-177.txt#L50-L50" in line
    assert "documents failing (1): 167" in text.splitlines()[0]


def test_duplicate_numbers_across_documents_are_found_in_dataset_pass() -> None:
    """Uniqueness across document graphs: the per-batch pass cannot see it, the dataset pass must."""
    ds = map_corpus(corpus())
    g = ds.graph(URIRef("https://w3id.org/bolcorr/graph/letter/173"))
    g.set((URIRef("https://w3id.org/bolcorr/letter/173"), BC.documentNumber, Literal("167")))
    conforms, report, text = validate_graph(ds)
    assert not conforms
    focus = {report.value(r, SH.focusNode) for r in report.subjects(SH.sourceConstraintComponent,
                                                                     SH.SPARQLConstraintComponent)}
    assert focus == {URIRef("https://w3id.org/bolcorr/letter/167"), URIRef("https://w3id.org/bolcorr/letter/173")}
    assert "documents failing (2): 167, 173" in text


def test_cross_reference_inside_the_corpus_must_resolve_across_document_graphs() -> None:
    """167 cites note 9 of document 173 (another named graph, another batch), which 173 does not have.

    The mapping reports it and links the document only (numbering is often damaged in translation);
    a graph that does carry such a link (written by hand, or by another tool) fails the shape: the
    letter resolves across graphs, the note does not, and it is not marked outside the corpus."""
    source = doc_167()
    source.notes[0].cross_references = [CrossReference("See note 9 to document No. 173.", "173", 9)]
    c = corpus()
    c.documents = [source, doc_173()]
    settings = Settings()
    problems: list[str] = []
    ds = map_corpus(c, problems=problems)
    note = URIRef("https://w3id.org/bolcorr/letter/167/note/1")
    g = ds.graph(URIRef("https://w3id.org/bolcorr/graph/letter/167"))
    assert (note, BC.citesDocument, URIRef("https://w3id.org/bolcorr/letter/173")) in g
    assert not list(g.triples((note, BC.citesNote, None)))
    assert [p for p in problems if "note 9" in p] == [
        f"{source.notes[0].span.file}:{source.notes[0].span.first_line}: document 167, note 1: cites note 9 to "
        "document No. 173, which has no note 9 (numbering damaged?); linked to the document only"]
    g.add((note, BC.citesNote, URIRef("https://w3id.org/bolcorr/letter/173/note/9")))
    findings = validate_dataset(ds, load_shapes(settings.shapes_dir), load_hierarchy(settings.ontology_dir),
                                authority_graph_iri(), batch_docs=1, workers=1)
    assert [(f.document, f.path, f.component, f.value) for f in findings if f.is_violation] == [
        ("167", "bc:citesNote", "sh:OrConstraintComponent", "<https://w3id.org/bolcorr/letter/173/note/9>")]


def test_the_seed_build_conforms_to_the_published_shapes_alone(seed_release: Built) -> None:  # noqa: F811
    """Any SHACL validator, given only the release's shapes/ (no ontology, no inference), finds the data
    conforming: the data states the superclasses sh:class and sh:targetClass ask for (bc:Agent beside
    bc:Person, bc:Group and bc:Archive; bc:Event beside an event's kind). pySHACL itself, not our fast path."""
    data = Graph().parse(data=gzip.decompress((seed_release.out / "kg.nt.gz").read_bytes()).decode(), format="nt")
    shapes = Graph()
    for path in sorted((seed_release.out / "shapes").glob("*.ttl")):
        shapes.parse(path)
    assert not list(shapes.triples((None, RDFS.subClassOf, None)))
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none")
    assert conforms and not [r for r in results(report) if r[2] == SH.Violation], text
    agents = set(data.subjects(RDF.type, BC.Agent))
    assert agents and all((a, RDF.type, BC.Agent) in data for a in data.objects(None, BC.sender))
    assert set(data.subjects(RDF.type, BC.Person)) | set(data.subjects(RDF.type, BC.Group)) <= agents


def test_a_letter_says_what_the_page_does_not_name() -> None:
    """The mapping states bc:senderUnknown / bc:recipientUnknown / bc:dateUnknown where the reading found none,
    and only there; the graph conforms, without the statement it does not, nor with one beside a value."""
    c = corpus()
    c.documents[0].senders, c.documents[0].date, c.documents[0].place_dates = [], None, []
    ds = map_corpus(c)
    letter = URIRef(f"https://w3id.org/bolcorr/letter/{c.documents[0].key}")
    g = ds.graph(URIRef(f"https://w3id.org/bolcorr/graph/letter/{c.documents[0].key}"))
    assert (letter, BC.senderUnknown, Literal(True)) in g and (letter, BC.dateUnknown, Literal(True)) in g
    said = [(s, p) for s, p, _, _ in ds.quads((None, None, Literal(True), None))
            if p in (BC.senderUnknown, BC.recipientUnknown, BC.dateUnknown)]
    assert sorted(said) == [(letter, BC.dateUnknown), (letter, BC.senderUnknown)]
    conforms, _, text = validate_graph(ds)
    assert conforms, text
    g.remove((letter, BC.senderUnknown, None))
    conforms, report, _ = validate_graph(ds)
    assert not conforms and results(report) == {(SH.OrConstraintComponent, None, SH.Violation)}
    g.add((letter, BC.senderUnknown, Literal(True)))
    g.add((letter, BC.recipientUnknown, Literal(True)))  # beside the recipients the page names: a contradiction
    conforms, report, text = validate_graph(ds)
    assert not conforms and results(report) == {(SH.OrConstraintComponent, None, SH.Violation)}
    assert {(report.value(r, SH.focusNode), str(report.value(r, SH.resultMessage)))
            for r in report.subjects(SH.resultSeverity, SH.Violation)} == {
        (letter, "a letter that says its recipient is unknown (bc:recipientUnknown true) and names one (bc:recipient)")}
