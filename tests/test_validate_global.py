"""The SPARQL constraints over per-batch N-Quads slices give what they give over the whole dataset.

kg.validate.whole.global_sparql_findings (slices bulk-loaded into an on-disk Oxigraph store, targets,
owners and source lines asked of the store for the returned rows only) must return exactly the
findings of kg.validate.fast.sparql_findings (whole dataset in memory): on the seed, on a generated
corpus with the scale tests' faults, and on one with a fault for every sh:sparql constraint of the
shapes -- with the duplicate document numbers in different slice files, and with the documents
split over one file or three.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, SH, Literal, URIRef
from rdflib.term import Node

from kg.rdf.light import LightDataset
from kg.rdf.mapping import authority_graph_iri
from kg.rdf.vocab import BC
from kg.validate.fast import light_index, query_predicates, sparql_findings
from kg.validate.report import Finding, document_of, short
from kg.validate.shacl import prepare
from kg.validate.whole import global_sparql_findings, slice_predicates, write_slice
from tests.test_scale import HIERARCHY, SETTINGS, SHAPES, broken, generated, generated_corpus, seed, seed_corpus

__all__ = ["generated", "generated_corpus", "seed", "seed_corpus"]  # fixtures shared with test_scale

SHAPE_SET = prepare(SHAPES)
SHARED = authority_graph_iri(SETTINGS.base_iri)
SCHEMA_SAME_AS = URIRef("http://schema.org/sameAs")


def reference(light: LightDataset) -> list[Finding]:
    return sorted(set(sparql_findings(light_index(light, SHARED), SHAPE_SET, HIERARCHY)))


def parts_of(light: LightDataset, parts: int) -> list[LightDataset]:
    """The document graphs in ``parts`` contiguous runs (in the mapping's order), as batches would be."""
    docs = [name for name in light.graphs if name != SHARED]
    size = -(-len(docs) // parts)
    out = []
    for i in range(0, len(docs), size):
        part = LightDataset(light.base_iri)
        for name in docs[i:i + size]:
            part.graphs[name] = light.graphs[name]
        out.append(part)
    return out


def sliced(light: LightDataset, tmp_path: Path, parts: int) -> list[Finding]:
    predicates = slice_predicates(SHAPE_SET.checks)
    files = []
    for i, part in enumerate(parts_of(light, parts)):
        path = tmp_path / f"slice-{parts}-{i}.nq"
        write_slice(part, predicates, SHARED, path)
        files.append(path)
    found = global_sparql_findings(files, list(light.graphs[SHARED].triples), SHARED, SHAPE_SET, HIERARCHY)
    return found


def test_slice_predicates_add_what_findings_need_to_the_queries() -> None:
    predicates = slice_predicates(SHAPE_SET.checks)
    assert predicates is not None
    assert predicates >= (query_predicates(SHAPE_SET.checks) or set())
    assert {str(RDF.type), str(BC.sourceLines), str(BC.outsideCorpus)} <= predicates


def test_write_slice_keeps_document_graphs_and_slice_predicates_only(seed: LightDataset, tmp_path: Path) -> None:
    import pyoxigraph as ox

    predicates = slice_predicates(SHAPE_SET.checks)
    assert predicates is not None
    count = write_slice(seed, predicates, SHARED, tmp_path / "s.nq")
    quads = list(ox.parse(path=str(tmp_path / "s.nq"), format=ox.RdfFormat.N_QUADS))
    expected = [(s, p, o, g) for s, p, o, g in seed.quads() if g != SHARED and str(p) in predicates]
    assert count == len(quads) == len(expected) > 0
    assert {q.graph_name.value for q in quads} == {str(g) for g in seed.graphs if g != SHARED}  # type: ignore[union-attr]
    assert write_slice(seed, None, SHARED, tmp_path / "all.nq") == sum(
        len(g) for name, g in seed.graphs.items() if name != SHARED)


@pytest.mark.parametrize("which", ["seed", "generated"])
@pytest.mark.parametrize("faults", [False, True])
def test_sliced_findings_equal_the_in_memory_ones(which: str, faults: bool, request: pytest.FixtureRequest,
                                                  tmp_path: Path) -> None:
    light = request.getfixturevalue(which)
    light = broken(light, seed=3) if faults else light
    assert sliced(light, tmp_path, 3) == reference(light)


def _lines(light: LightDataset, graph: URIRef, node: Node) -> str:
    """The source lines a finding about ``node`` must carry (its own, else its document graph's)."""
    triples = light.graphs[graph].triples
    for s in (node, graph):
        for t in triples:
            if t[0] == s and t[1] == BC.sourceLines:
                return str(t[2])
    return ""


def _one(triples: dict, predicate: URIRef, test=lambda t: True) -> tuple[Node, Node, Node]:
    return next(t for t in triples if t[1] == predicate and test(t))


def _explained(triples: dict) -> list[tuple[Node, Node, Node]]:
    """The bc:refersTo triples of name usages that also say why (bc:identificationBasis)."""
    explained = {t[0] for t in triples if t[1] == BC.identificationBasis}
    return [t for t in triples if t[1] == BC.refersTo and t[0] in explained]


def faulty(light: LightDataset) -> tuple[LightDataset, list[Finding]]:
    """A copy with one fault per sh:sparql constraint, and the findings each must give (severity,
    document, focus, path, message, value, source lines)."""
    out = LightDataset(light.base_iri)
    for name, g in light.graphs.items():
        out.graph(name).triples = dict(g.triples)
    letters = [name for name in out.graphs if "/graph/letter/" in str(name)]
    expected: list[tuple[URIRef, URIRef | None, Node, URIRef, str, Node]] = []

    # document numbers: the first and the last document (different slice files) carry the same one
    first, last = out.graphs[letters[0]].triples, out.graphs[letters[-1]].triples
    a = _one(first, BC.documentNumber, lambda t: (t[0], RDF.type, BC.Letter) in first)
    b = _one(last, BC.documentNumber, lambda t: (t[0], RDF.type, BC.Letter) in last)
    del last[b]
    last[(b[0], b[1], a[2])] = None
    expected += [(SH.Violation, letters[0], a[0], BC.documentNumber, NUMBER, a[2]),
                 (SH.Violation, letters[-1], b[0], BC.documentNumber, NUMBER, a[2])]

    # note numbers: two notes of one document with the same number
    graph = next(n for n in letters[1:-1] if sum(t[1] == BC.noteNumber for t in out.graphs[n].triples) > 1)
    triples = out.graphs[graph].triples
    notes = [t for t in triples if t[1] == BC.noteNumber]
    del triples[notes[0]]
    triples[(notes[0][0], BC.noteNumber, notes[-1][2])] = None
    letter = _one(triples, BC.hasNote, lambda t: t[2] == notes[0][0])[0]
    expected.append((SH.Violation, graph, letter, BC.hasNote, NOTE, notes[-1][2]))

    # a bracketed date not marked as supplied
    graph = letters[2]
    triples = out.graphs[graph].triples
    date = _one(triples, BC.expressedDate)
    supplied = _one(triples, BC.dateSupplied, lambda t: t[0] == date[0])
    del triples[date], triples[supplied]
    triples[(date[0], BC.expressedDate, Literal(f"[{date[2]}]"))] = None
    triples[(date[0], BC.dateSupplied, Literal(False))] = None
    expected.append((SH.Warning, graph, date[0], BC.dateSupplied, BRACKETS, Literal(False)))

    # an identification basis without bc:refersTo, and a bc:refersTo without a basis
    graph = next(n for n in letters[3:] if len(_explained(out.graphs[n].triples)) > 1)
    triples = out.graphs[graph].triples
    usages = _explained(triples)
    unresolved, unexplained = usages[0], usages[-1]
    assert unresolved[0] != unexplained[0]
    del triples[unresolved]
    basis = _one(triples, BC.identificationBasis, lambda t: t[0] == unresolved[0])
    del triples[_one(triples, BC.identificationBasis, lambda t: t[0] == unexplained[0])]
    expected += [(SH.Violation, graph, unresolved[0], BC.identificationBasis, UNRESOLVED, basis[2]),
                 (SH.Warning, graph, unexplained[0], BC.refersTo, UNEXPLAINED, unexplained[2])]

    # two resources claim one Wikidata item: an authority resource and a letter
    person, _, item = _one(out.graphs[SHARED].triples, SCHEMA_SAME_AS)
    graph = letters[1]
    letter = _one(out.graphs[graph].triples, RDF.type, lambda t: t[2] == BC.Letter)[0]
    out.graphs[graph].triples[(letter, SCHEMA_SAME_AS, item)] = None
    # ... and neither that letter nor another with an owl:sameAs to it has an alignment record for the item
    other = letters[2]
    linked = _one(out.graphs[other].triples, RDF.type, lambda t: t[2] == BC.Letter)[0]
    out.graphs[other].triples[(linked, OWL.sameAs, item)] = None
    expected += [(SH.Violation, graph, letter, BC.hasWikidataAlignment, EVIDENCE, item),
                 (SH.Violation, other, linked, BC.hasWikidataAlignment, EVIDENCE, item)]
    expected += [(SH.Violation, None, person, SCHEMA_SAME_AS, SAME_AS, item),
                 (SH.Violation, graph, letter, SCHEMA_SAME_AS, SAME_AS, item)]

    return out, [Finding(
        document=document_of(str(graph) if graph else None), focus_text=short(focus), path=short(path),
        component="sh:SPARQLConstraintComponent", severity=severity, message=message.replace("{?value}", str(value)),
        value=short(value), source_lines=_lines(out, graph, focus) if graph else "", focus=focus, path_node=path)
        for severity, graph, focus, path, message, value in expected]


NUMBER = "another document also carries number {?value}"
NOTE = "two editorial notes of this document carry number {?value}"
BRACKETS = "the expressed date has editorial brackets but is not marked as supplied"
UNRESOLVED = "an unresolved name usage cannot have an identification basis"
UNEXPLAINED = "a resolved name usage should say why (bc:identificationBasis)"
SAME_AS = "two resources claim the same Wikidata item {?value}"
EVIDENCE = "a link to the Wikidata item {?value} without an alignment record for it (source, method, confidence, date)"


def test_every_sparql_constraint_found_across_slice_files(generated: LightDataset, tmp_path: Path) -> None:
    """Each constraint of the shapes fires, with its document, message and source lines, whether the
    documents are in one slice file or three (the duplicate numbers in the first and the last)."""
    # the transmission constraints (issue 15) have their invalid samples in tests/data/shapes/invalid
    transmission = {c.message for c in SHAPE_SET.checks if "bc:" in c.query and any(
        t in c.query for t in ("qualifiedSender", "ccRecipient", "transmissionStatus", "inReplyTo"))}
    assert len(transmission) == 6
    assert {c.message for c in SHAPE_SET.checks} - transmission == {NUMBER, NOTE, BRACKETS, UNRESOLVED, UNEXPLAINED,
                                                                     SAME_AS, EVIDENCE}
    light, expected = faulty(generated)
    assert reference(generated) == []
    one, three = sliced(light, tmp_path, 1), sliced(light, tmp_path, 3)
    assert one == three == reference(light)
    for e in expected:
        assert e in three, e  # Finding equality: document, focus, path, severity, message, value, lines
    documents = [e.document for e in expected]
    assert documents[0] != documents[1] and all(e.source_lines for e in expected if e.document)
    assert {e.document for e in expected if e.message.startswith("two resources")} == {"", documents[-1]}


def test_source_lines_the_store_cannot_order_are_read_from_the_files(generated: LightDataset, tmp_path: Path) -> None:
    """Two bc:sourceLines on a focus node: the first in the graph's order wins, as in the index (a store
    keeps no order); a typed one keeps its written form (a store may rewrite it)."""
    from rdflib.namespace import XSD

    light, expected = faulty(generated)
    twice, typed = expected[3], expected[1]  # the bracketed date (own lines), the duplicate number's letter
    graph = next(n for n in light.graphs if str(n).endswith("/" + twice.document))
    light.graphs[graph].triples[(twice.focus, BC.sourceLines, Literal("later.txt#L1-L1", lang="de"))] = None
    graph = next(n for n in light.graphs if str(n).endswith("/" + typed.document))
    triples = light.graphs[graph].triples
    for t in [t for t in triples if t[0] == typed.focus and t[1] == BC.sourceLines]:
        del triples[t]
    triples[(typed.focus, BC.sourceLines, Literal("0012", datatype=XSD.integer))] = None
    found = sliced(light, tmp_path, 3)
    assert found == reference(light)
    lines = {(f.focus, f.message): f.source_lines for f in found}
    assert lines[(twice.focus, twice.message)] == twice.source_lines != "later.txt#L1-L1"
    assert lines[(typed.focus, typed.message)] == str(Literal("0012", datatype=XSD.integer))
