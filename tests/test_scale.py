"""The fast build paths give what the reference paths give.

- the compiled SHACL evaluator (kg/validate/shacl_rules.py) and pySHACL report the same results (focus node,
  path, constraint component, severity, value) on every invalid sample, on the seed build and on a
  generated corpus of 200 documents, untouched and with deliberate breakage in every tenth document;
- validate_light (screen, then pySHACL on the flagged documents) returns exactly validate_dataset's
  findings, messages included;
- the light mapping holds the same quads as map_corpus, and the dumps' quads and N-Triples built from
  it are identical (so kg.nt.gz is byte-identical to the rdflib path).
No timings here: bench/scale_bench.py measures.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef, namespace
from rdflib.term import Node

from kg.config import ROOT, Settings
from kg.model import Corpus
from kg.rdf.light import LightDataset, map_corpus_light
from kg.rdf.mapping import authority_graph_iri, map_corpus
from kg.rdf.terms import dataset_quads, sorted_ntriples
from kg.rdf.vocab import BC, SCHEMA
from kg.resolve.corpus import resolve
from kg.sources.parse import parse_sources
from kg.validate.batches import run_batches, run_shacl
from kg.validate.fast import light_index, screen, validate_light
from kg.validate.report import findings_of, short
from kg.validate.shacl import load_hierarchy, load_shapes, prepare, validate_dataset
from kg.validate.shacl_fast import view_of
from kg.validate.shacl_rules import compile_rules, evaluate
from kg.validate.sparql import without_sparql

INVALID = sorted((ROOT / "tests/data/shapes/invalid").glob("*.ttl"))
SETTINGS = Settings()
SHAPES = load_shapes(SETTINGS.shapes_dir)
HIERARCHY = load_hierarchy(SETTINGS.ontology_dir)
RULES = compile_rules(without_sparql(SHAPES))
# the properties whose values sh:lessThanOrEquals compares (bc:earliest, bc:latest, ...)
COMPARED = {p for shape, other in SHAPES.subject_objects(SH.lessThanOrEquals) for p in (SHAPES.value(shape, SH.path),
                                                                                        other)}


def _corpus(sources: list[str]) -> Corpus:
    return resolve(parse_sources(sources), SETTINGS)


@pytest.fixture(scope="module")
def seed_corpus() -> Corpus:
    return _corpus([str(SETTINGS.corpus_dir)])


@pytest.fixture(scope="module")
def generated_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    from kg.devtools.generate import write_corpus

    return _corpus([str(p) for p in write_corpus(tmp_path_factory.mktemp("corpus") / "pages", 200)])


@pytest.fixture(scope="module")
def seed(seed_corpus: Corpus) -> LightDataset:
    return map_corpus_light(seed_corpus, SETTINGS.base_iri)


@pytest.fixture(scope="module")
def generated(generated_corpus: Corpus) -> LightDataset:
    return map_corpus_light(generated_corpus, SETTINGS.base_iri)


def broken(light: LightDataset, seed: int = 0, faults: list | None = None) -> LightDataset:
    """A copy with one deliberate fault in every tenth document graph (faults of many components; none
    with ``faults=[]``: a copy to break by hand)."""
    rng = random.Random(seed)
    out = LightDataset(light.base_iri)
    if faults is None:
        faults = [_drop, _ill_typed, _foreign, _zero, _second_value, _untyped_target, _late_start, _untype]
    step = 10 if len(light.graphs) > 50 else 1  # the seed's 11 documents: every one
    for i, (name, g) in enumerate(light.graphs.items()):
        copy = out.graph(name)
        copy.triples = dict(g.triples)
        if faults and i % step == 0 and "/graph/letter/" in str(name):
            faults[i // step % len(faults)](copy.triples, rng)
    return out


def _pick(triples: dict, rng: random.Random, test) -> tuple[Node, Node, Node]:
    return rng.choice([t for t in triples if test(t)])


def _drop(triples: dict, rng: random.Random) -> None:
    del triples[_pick(triples, rng, lambda t: True)]


def _ill_typed(triples: dict, rng: random.Random) -> None:
    """Not on a compared property: pySHACL, the reference here, cannot compare an ill-typed literal (see
    test_an_ill_typed_date_compares_with_nothing)."""
    s, p, o = _pick(triples, rng, lambda t: isinstance(t[2], Literal) and t[1] not in COMPARED)
    del triples[(s, p, o)]
    triples[(s, p, Literal("not a date", datatype=namespace.XSD.date))] = None


def _foreign(triples: dict, rng: random.Random) -> None:
    s, _, _ = _pick(triples, rng, lambda t: "/date" in str(t[0]) or "/name/" in str(t[0]))
    triples[(s, BC.header, Literal("foreign"))] = None


def _zero(triples: dict, rng: random.Random) -> None:
    s, p, o = _pick(triples, rng, lambda t: t[1] in (BC.noteNumber, BC.earliest, BC.sourceLines, BC.fond))
    del triples[(s, p, o)]
    value = Literal("0", datatype=namespace.XSD.positiveInteger) if p == BC.noteNumber else Literal("3000-01-01")
    triples[(s, p, value)] = None


def _late_start(triples: dict, rng: random.Random) -> None:
    s, p, o = _pick(triples, rng, lambda t: t[1] in (BC.earliest, BC.gregorianEarliest))
    del triples[(s, p, o)]
    triples[(s, p, Literal("1999-12-31", datatype=namespace.XSD.date))] = None


def _untype(triples: dict, rng: random.Random) -> None:
    s, p, o = _pick(triples, rng, lambda t: t[1] == RDF.type and t[2] != BC.Letter)
    del triples[(s, p, o)]


def _second_value(triples: dict, rng: random.Random) -> None:
    s, p, o = _pick(triples, rng, lambda t: isinstance(t[2], Literal))
    triples[(s, p, Literal(f"{o} again", lang="de"))] = None


def _untyped_target(triples: dict, rng: random.Random) -> None:
    s, p, o = _pick(triples, rng, lambda t: isinstance(t[2], URIRef) and t[1] != BC.documentKind)
    triples[(s, p, URIRef(f"{o}/nowhere"))] = None


def keys_of_results(results) -> set[tuple]:
    return {(r.focus, r.path, r.component, r.severity, short(r.value)) for r in results}


def keys_of_findings(findings) -> set[tuple]:
    return {(f.focus, f.path_node, f.component_node, f.severity, f.value) for f in findings}


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_fast_evaluator_equals_pyshacl_on_invalid_sample(sample: Path) -> None:
    data = Graph()
    data.parse(sample)
    data += HIERARCHY
    reference = findings_of(run_shacl(data, prepare(SHAPES).core), data, {})
    fast = evaluate(RULES, view_of(data, HIERARCHY))
    assert keys_of_results(fast) == keys_of_findings(reference)
    assert fast or sample.stem.startswith("SPARQL")


@pytest.mark.parametrize("ill_typed", [BC.earliest, BC.latest])
def test_an_ill_typed_date_compares_with_nothing(ill_typed: URIRef) -> None:
    """SHACL reports a pair sh:lessThanOrEquals cannot compare. pySHACL is no reference for this pair: it
    asks rdflib's <=, which answers True through a deprecated truth test of NotImplemented when the
    ill-typed date is on the right and raises TypeError when it is on the left."""
    bad = Literal("not a date", datatype=namespace.XSD.date)
    dates = {BC.earliest: '"1923-01-24"^^xsd:date', BC.latest: '"1923-01-28"^^xsd:date'}
    dates[ill_typed] = '"not a date"^^xsd:date'
    data = Graph().parse(format="turtle", data=f"""
        @prefix bc: <https://w3id.org/bolcorr/ns#> . @prefix bcv: <https://w3id.org/bolcorr/vocab/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/date> a bc:DateStatement ; bc:expressedDate "January 1923" ; bc:edtf "1923-01" ;
            bc:earliest {dates[BC.earliest]} ; bc:latest {dates[BC.latest]} ;
            bc:gregorianEarliest "1923-01-24"^^xsd:date ; bc:gregorianLatest "1923-01-28"^^xsd:date ;
            bc:calendar bcv:gregorian ; bc:dateQualifier bcv:exact ; bc:dateSupplied false .""")
    date = URIRef("https://example.org/date")
    results = {(r.focus, r.path, r.component, r.value) for r in evaluate(RULES, view_of(data + HIERARCHY, HIERARCHY))}
    assert results == {(date, ill_typed, SH.DatatypeConstraintComponent, bad),
                       (date, BC.earliest, SH.LessThanOrEqualsConstraintComponent, data.value(date, BC.earliest))}


@pytest.mark.parametrize("which", ["seed", "generated"])
@pytest.mark.parametrize("faults", [False, True])
def test_fast_screen_equals_pyshacl_per_batch(which: str, faults: bool, request: pytest.FixtureRequest) -> None:
    light = request.getfixturevalue(which)
    light = broken(light) if faults else light
    index = light_index(light, authority_graph_iri(SETTINGS.base_iri))
    reference = run_batches(index, prepare(SHAPES), HIERARCHY, batch_docs=50, workers=2)
    fast = screen(index, RULES, HIERARCHY, workers=2, batch_docs=50)
    assert keys_of_results(fast) == keys_of_findings(reference)
    assert bool(fast) == faults


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_validate_light_equals_validate_dataset(which: str, request: pytest.FixtureRequest) -> None:
    light = broken(request.getfixturevalue(which), seed=1)
    shared = authority_graph_iri(SETTINGS.base_iri)
    assert validate_light(light, SHAPES, HIERARCHY, shared) == validate_dataset(
        light.to_dataset(), SHAPES, HIERARCHY, shared)


def test_a_fault_on_a_source_page_in_a_later_graph_is_reported_by_both_paths(seed: LightDataset) -> None:
    """The seed's eleven letters are read from one page, described in each of their graphs; the fault is in
    the last graph (the page's owner is the first). The screen sees it there; pySHACL must then be run on
    that graph too, not only on the owner's, or validate_light loses what validate_dataset reports."""
    light = broken(seed, seed=0, faults=[])
    letters = [name for name in light.graphs if "/graph/letter/" in str(name)]
    last = light.graphs[letters[-1]].triples
    page = next(s for s, p, o in last if o == BC.SourcePage)
    assert all((page, RDF.type, BC.SourcePage) in light.graphs[name].triples for name in letters)
    name = next(t for t in last if t[0] == page and t[1] == SCHEMA.name)
    del last[name]
    last[(page, SCHEMA.name, Literal(name[2], lang="en"))] = None  # a language-tagged file name: not an xsd:string
    shared = authority_graph_iri(SETTINGS.base_iri)
    fast = validate_light(light, SHAPES, HIERARCHY, shared)
    reference = validate_dataset(light.to_dataset(), SHAPES, HIERARCHY, shared)
    assert fast == reference
    assert {(f.focus, f.path_node, f.component_node) for f in fast if f.is_violation} == {
        (page, SCHEMA.name, SH.DatatypeConstraintComponent), (page, SCHEMA.name, SH.MaxCountConstraintComponent)}


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_light_mapping_and_dumps_equal_the_rdflib_path(which: str, request: pytest.FixtureRequest) -> None:
    light = request.getfixturevalue(which)
    ds = map_corpus(request.getfixturevalue(f"{which}_corpus"), SETTINGS.base_iri)
    assert set(ds.quads()) == set(light.to_dataset().quads())
    assert {(s, p, o, g) for s, p, o, g in ds.quads() if g is not None} == set(light.quads())
    quads, triples = dataset_quads(light.to_dataset())
    reference_quads, reference_triples = dataset_quads(ds)
    assert quads == reference_quads and triples == reference_triples
    assert sorted_ntriples(triples) == sorted_ntriples(reference_triples)


EXTRA = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix bc: <https://w3id.org/bolcorr/ns#> .
<urn:test:NoPlace> a sh:NodeShape ; sh:targetNode <https://w3id.org/bolcorr/letter/173>, <urn:test:absent> ;
    sh:class bc:Letter ; sh:property [ sh:path bc:placeWritten ; sh:maxCount 0 ] ."""
OUTSIDE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix bc: <https://w3id.org/bolcorr/ns#> .
<urn:test:Nested> a sh:NodeShape ; sh:targetClass bc:Letter ;
    sh:property [ sh:path bc:created ; sh:node [ sh:property [ sh:path bc:noSuchProperty ; sh:minCount 1 ] ] ] ."""


@pytest.mark.parametrize("extra", [EXTRA, OUTSIDE], ids=["target-node", "unsupported"])
def test_shapes_beyond_ours_target_nodes_or_fall_back_to_pyshacl(extra: str, seed: LightDataset) -> None:
    """sh:targetNode and node-level constraints are evaluated; sh:node (not compiled) falls back to pySHACL."""
    shapes = Graph()
    shapes += SHAPES
    shapes.parse(data=extra, format="turtle")
    shared = authority_graph_iri(SETTINGS.base_iri)
    found = validate_light(seed, shapes, HIERARCHY, shared)
    assert found == validate_dataset(seed.to_dataset(), shapes, HIERARCHY, shared)
    assert any(f.is_violation and f.document == "173" for f in found)


def test_sparql_constraints_see_only_what_they_read_and_still_find_duplicates(generated: LightDataset) -> None:
    """The SPARQL store holds only the predicates the constraints use; a duplicate number across two
    document graphs and a duplicate note number are still found, as validate_dataset finds them."""
    from kg.validate.fast import query_predicates
    from kg.validate.sparql import sparql_checks

    light = broken(generated, seed=2)
    letters = [g for name, g in light.graphs.items() if "/graph/letter/" in str(name)]
    first = next(t for t in letters[0].triples if t[1] == BC.documentNumber)
    second = next(t for t in letters[1].triples if t[1] == BC.documentNumber)
    del letters[1].triples[second]
    letters[1].triples[(second[0], second[1], first[2])] = None
    annotated = next(g for g in letters[2:] if sum(t[1] == BC.noteNumber for t in g.triples) > 1)
    notes = [t for t in annotated.triples if t[1] == BC.noteNumber]
    annotated.triples[(notes[0][0], BC.noteNumber, notes[-1][2])] = None
    shared = authority_graph_iri(SETTINGS.base_iri)
    found = validate_light(light, SHAPES, HIERARCHY, shared)
    assert found == validate_dataset(light.to_dataset(), SHAPES, HIERARCHY, shared)
    assert {f.document for f in found if f.component == "sh:SPARQLConstraintComponent"} >= {
        str(letters[0].identifier).rsplit("/", 1)[1], str(letters[1].identifier).rsplit("/", 1)[1]}
    assert query_predicates(sparql_checks(SHAPES)) is not None
    variable = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> sh:targetClass <urn:C> ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .""")
    assert query_predicates(sparql_checks(variable)) is None


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_light_index_equals_the_dataset_index(which: str, request: pytest.FixtureRequest) -> None:
    from kg.validate.batches import DatasetIndex

    light = request.getfixturevalue(which)
    shared = authority_graph_iri(SETTINGS.base_iri)
    fast, reference = light_index(light, shared), DatasetIndex(light.to_dataset(), shared)
    assert [(g, set(ts)) for g, ts in fast.doc_graphs] == [(g, set(ts)) for g, ts in reference.doc_graphs]
    assert set(fast.shared) == set(reference.shared)  # triple order within a graph: insertion vs store order
    assert fast.owner == reference.owner and fast.types == reference.types
    assert {s: set(ts) for s, ts in fast.shared_by_subject.items()} == {
        s: set(ts) for s, ts in reference.shared_by_subject.items()}


def test_progress_bars_draw_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from kg import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, loud = io.StringIO(), Terminal()
    monkeypatch.delenv("CI", raising=False)
    for stream in (quiet, loud):
        bar = progress.Bar("mapping", 3, stream)
        bar.last -= 1  # as if the last redraw were a second ago
        bar.advance()
        bar.close()
    assert quiet.getvalue() == ""
    assert "mapping: [" in loud.getvalue() and loud.getvalue().endswith("\n")
    monkeypatch.setenv("CI", "1")
    assert not progress.enabled(Terminal())
    assert list(progress.progress([1, 2], "x")) == [1, 2]
