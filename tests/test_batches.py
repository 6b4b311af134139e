"""The batched build (kg/build/batches.py, kg/publish/chunks.py, kg/publish/assemble.py) gives what the whole-dataset
reference paths give, whatever the batch size:

- every term's N-Triples text is Oxigraph's, byte for byte (kg/rdf/ntriples.py);
- the published kg.nt.gz is the reference canonical N-Triples (kg.rdf.terms.sorted_ntriples over
  kg.rdf.mapping.map_corpus, the rdflib path), and kg.trig / kg.ttl / kg.jsonld hold exactly the reference
  quads and triples, for batches of 7 documents in 2 workers and for one batch;
- the findings of batches validated apart (plus the whole-dataset checks) equal validate_light's on the
  whole dataset, with faults that cross batches: a document number used twice in different batches and
  valid citations across batches (which must not be flagged); a citation of a note the cited document
  lacks is reported as a problem with file, line and document, and not linked;
- kg.rdf.letter.citable_nodes gives the types the mapped graphs give those nodes;
- the Python merge (used where coreutils' sort is missing) gives sort's bytes.
No timings here: bench/scale_bench.py measures.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import VOID

from kg.build import batches
from kg.build.batches import BatchJob, check_whole, run_all
from kg.build.pipeline import build, shared_graph
from kg.config import Settings
from kg.model import CrossReference, ParseResult
from kg.publish import assemble as dumps_assemble
from kg.publish.dumps import write_dumps
from kg.rdf.iris import Iris, document_local
from kg.rdf.letter import citable_nodes
from kg.rdf.light import map_corpus_light
from kg.rdf.mapping import authority_graph_iri, map_corpus
from kg.rdf.ntriples import NTriples
from kg.rdf.terms import dataset_quads, ox_term, sorted_ntriples
from kg.resolve.corpus import resolve
from kg.sources.parse import parse_sources
from kg.validate.fast import validate_light
from kg.validate.shacl import load_hierarchy, load_shapes
from tests.rdf_read import parse_graph

SETTINGS = Settings()
BC_SOURCE_PAGE = "https://w3id.org/bolcorr/ns#SourcePage"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


@pytest.fixture(scope="module")
def generated_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from kg.devtools.generate import write_corpus

    return [str(p) for p in write_corpus(tmp_path_factory.mktemp("corpus") / "pages", 120)]


def _sources(which: str, generated_pages: list[str]) -> list[str]:
    return [str(SETTINGS.corpus_dir)] if which == "seed" else generated_pages


def test_ntriples_text_is_oxigraphs(generated_pages: list[str]) -> None:
    light = map_corpus_light(resolve(parse_sources(generated_pages), SETTINGS), SETTINGS.base_iri)
    terms = {t for g in light.graphs.values() for triple in g.triples for t in triple}
    terms |= {Literal('quote " back \\ tab \t nl \n cr \r bell \x07 del \x7f \ufffe é 😀'),
              Literal("x", lang="en"), Literal("5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
              Literal("s", datatype=URIRef("http://www.w3.org/2001/XMLSchema#string")), Literal(True)}
    text = NTriples()
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for term in terms:
        if isinstance(term, URIRef):
            line = ox.serialize([ox.Triple(ox_term(term), p, s)], format=ox.RdfFormat.N_TRIPLES).decode()
            assert line == f"{text(term)} <http://example.org/p> <http://example.org/s> .\n"
        else:
            line = ox.serialize([ox.Triple(s, p, ox_term(term))], format=ox.RdfFormat.N_TRIPLES).decode()
            assert line == f"<http://example.org/s> <http://example.org/p> {text(term)} .\n"
    with pytest.raises(ValueError, match="not a valid IRI"):
        text(URIRef("http://example.org/a b"))


def published_placement(quads: list[ox.Quad], iris: Iris) -> set[ox.Quad]:
    """The mapping's quads as kg.trig publishes them: a triple whose subject no single document owns
    (kg.rdf.iris.document_local) moves from the document graphs to the shared graph, once."""
    shared = ox.NamedNode(str(iris.authority_graph()))
    placed = set()
    for q in quads:
        graph = q.graph_name.value
        if graph != shared.value and not (isinstance(q.subject, ox.NamedNode) and document_local(
                q.subject.value, graph, str(iris.letter_of_graph(URIRef(graph))))):
            q = ox.Quad(q.subject, q.predicate, q.object, shared)
        placed.add(q)
    return placed


def test_no_triple_is_published_in_two_named_graphs(tmp_path: Path) -> None:
    """The union of the graphs is their RDF merge on any store: pyoxigraph's union default graph counts
    a triple once per graph that states it, so a source page named by two letters' graphs (and a
    document cited from outside the corpus by two letters) would be counted twice in COUNT(*)."""
    settings = replace(SETTINGS, output_dir=tmp_path / "out", batch_docs=3, build_workers=2)
    assert build(settings, _sources("seed", []), echo=lambda _: None) == 0
    quads = list(ox.parse(path=str(settings.output_dir / "kg.trig"), format=ox.RdfFormat.TRIG))
    triples = Counter((q.subject, q.predicate, q.object) for q in quads)
    assert [t for t, n in triples.items() if n > 1] == []
    nt = gzip.decompress((settings.output_dir / "kg.nt.gz").read_bytes()).splitlines()
    assert len(quads) == len(triples) == len(nt)
    store = ox.Store()
    store.extend(quads)
    counted = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True))[0]
    assert int(counted["n"].value) == len(nt)
    page = next(q for q in quads if q.object == ox.NamedNode(BC_SOURCE_PAGE))
    assert page.graph_name.value == str(Iris(SETTINGS.base_iri).authority_graph())
    letters = {q.graph_name for q in quads if q.predicate.value == PROV_DERIVED and q.object == page.subject}
    assert len(letters) > 2  # every letter of the page still says it was derived from it, in its own graph


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_batched_dumps_equal_the_reference(which: str, generated_pages: list[str], tmp_path: Path) -> None:
    sources = _sources(which, generated_pages)
    batched = replace(SETTINGS, output_dir=tmp_path / "batched", batch_docs=7, build_workers=2)
    assert build(batched, sources, echo=lambda _: None) == 0
    corpus = resolve(parse_sources(sources), SETTINGS)
    reference_quads, reference_triples = dataset_quads(map_corpus(corpus, SETTINGS.base_iri))
    reference_quads = published_placement(reference_quads, Iris(SETTINGS.base_iri))
    nt = gzip.decompress((batched.output_dir / "kg.nt.gz").read_bytes())
    assert nt == sorted_ntriples(reference_triples)  # the canonical bytes of the rdflib path
    one = replace(SETTINGS, output_dir=tmp_path / "one")
    write_dumps(map_corpus_light(corpus, SETTINGS.base_iri), one)
    assert gzip.decompress((one.output_dir / "kg.nt.gz").read_bytes()) == nt
    union = set(Graph().parse(data=nt.decode(), format="nt"))
    assert len(union) == len(nt.splitlines())
    for out in (batched.output_dir, one.output_dir):
        assert set(ox.parse(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG)) == set(reference_quads)
        assert set(Graph().parse(str(out / "kg.ttl"), format="turtle")) == union
        assert set(parse_graph((out / "kg.jsonld").read_bytes(), "json-ld")) == union
        json.loads((out / "kg.jsonld").read_text(encoding="utf-8"))  # one well-formed document
    figures = [_void_figures(out / "void.ttl") for out in (batched.output_dir, one.output_dir)]
    assert figures[0] == figures[1]
    assert figures[0]["triples"] == len(union)
    assert figures[0]["distinctSubjects"] == len({s for s, _, _ in union})
    assert figures[0]["distinctObjects"] == len({o for _, _, o in union})
    types = Counter(o for _, p, o in union if p == RDF.type)
    assert figures[0]["entities"] == sorted((str(o), n) for o, n in types.items())


def _void_figures(path: Path) -> dict[str, object]:
    g = Graph().parse(str(path), format="turtle")
    ds = URIRef(f"{SETTINGS.base_iri}void")
    figures: dict[str, object] = {name: int(g.value(ds, VOID[name])) for name in ("triples", "distinctSubjects",
                                                                                  "distinctObjects", "classes")}
    figures["entities"] = sorted((str(g.value(part, VOID["class"])), int(g.value(part, VOID.entities)))
                                 for part in g.objects(ds, VOID.classPartition))
    return figures


def _faulted(generated_pages: list[str]) -> ParseResult:
    """The generated corpus with faults that cross batches of 7 documents."""
    parsed = parse_sources(generated_pages)
    with_notes = with_notes_of(parsed)
    first, last = with_notes[0], with_notes[-1]
    last.number = first.number  # the same edition number in two batches: DocumentNumberUniqueShape
    citing = with_notes[len(with_notes) // 2]
    cited = with_notes[1]
    citing.notes[0].cross_references.append(CrossReference("see note", cited.number, cited.notes[0].number))
    citing.notes[0].cross_references.append(CrossReference("see note 99", cited.number, 99))  # no such note
    return parsed


def with_notes_of(parsed: ParseResult) -> list:
    return [d for d in parsed.documents if d.notes and d.number]


def test_batched_findings_equal_the_whole_dataset_validation(generated_pages: list[str], tmp_path: Path) -> None:
    parsed = _faulted(generated_pages)
    job = BatchJob.prepare(parsed, replace(SETTINGS, batch_docs=7), tmp_path)
    results = list(run_all(job, 2))
    shared = shared_graph(job, results)
    slices = [tmp_path / f"slice-{r.summary.index:06d}.nq" for r in results]
    batched = sorted(set([f for r in results for f in r.findings] + check_whole(job, shared, slices)))
    whole = validate_light(map_corpus_light(resolve(_faulted(generated_pages), SETTINGS), SETTINGS.base_iri),
                           load_shapes(SETTINGS.shapes_dir), load_hierarchy(SETTINGS.ontology_dir),
                           authority_graph_iri(SETTINGS.base_iri))
    assert batched == whole
    messages = {(f.component, f.message) for f in batched if f.is_violation}
    assert any("another document also carries number" in m for _, m in messages)
    cited = with_notes_of(parsed)[1]
    assert not any(f"/letter/{cited.key}/note/" in f.value for f in batched)  # neither the valid one nor note 99
    problems = [p for r in results for p in r.problems]
    assert [p for p in problems if "note 99" in p] == [
        f"{citing_note.span.file}:{citing_note.span.first_line}: document {citing.number}, note {citing_note.number}: "
        f"cites note 99 to document No. {cited.number}, which has no note 99 (numbering damaged?); "
        "linked to the document only"
        for citing in [with_notes_of(parsed)[len(with_notes_of(parsed)) // 2]] for citing_note in [citing.notes[0]]]


def test_citable_nodes_have_the_types_their_graphs_give(generated_pages: list[str]) -> None:
    corpus = resolve(parse_sources(generated_pages), SETTINGS)
    light = map_corpus_light(corpus, SETTINGS.base_iri)
    iris = Iris(SETTINGS.base_iri)
    for doc in corpus.documents:
        graph = light.graphs[iris.graph(doc.key)]
        for node, types in citable_nodes(iris, doc):
            assert {o for s, p, o in graph.triples if s == node and p == RDF.type} == set(types)


def test_python_merge_equals_sort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = []
    for i, lines in enumerate([["a\n", "c\n", "é\n"], ["b\n", "c\n", "z\n"], [], ["A\n", "c\n"]]):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text("".join(lines), encoding="utf-8")
    with_sort = b"".join(dumps_assemble.merged(files, tmp_path))
    monkeypatch.setattr(dumps_assemble.shutil, "which", lambda _: None)
    assert b"".join(dumps_assemble.merged(files, tmp_path)) == with_sort == "A\na\nb\nc\nz\né\n".encode()


def test_a_dead_batch_worker_stops_the_build_and_keeps_the_output(generated_pages: list[str], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-build (out of memory, kill -9) must not hang the build nor publish a part."""
    settings = replace(SETTINGS, output_dir=tmp_path / "output", batch_docs=10, build_workers=2)
    assert build(settings, generated_pages, echo=lambda _: None) == 0
    before = {p.name: p.read_bytes() for p in settings.output_dir.iterdir() if p.is_file()}
    real = batches.run_batch

    def dies_on_the_third(job: BatchJob, index: int):  # noqa: ANN202 - stands in for run_batch
        if index == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(job, index)

    monkeypatch.setattr(batches, "run_batch", dies_on_the_third)
    with pytest.raises(batches.BatchError, match="a batch worker died"):
        build(settings, generated_pages, echo=lambda _: None)
    assert {p.name: p.read_bytes() for p in settings.output_dir.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging or work directory left


def test_a_dead_checking_process_stops_the_build_and_keeps_the_output(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings = replace(SETTINGS, output_dir=tmp_path / "output")
    assert build(settings, None, echo=lambda _: None) == 0
    before = {p.name: p.read_bytes() for p in settings.output_dir.iterdir() if p.is_file()}

    def killed(*_: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(batches, "check_whole", killed)
    with pytest.raises(batches.BatchError, match="the checking process died"):
        build(settings, None, echo=lambda _: None)

    def broken(*_: object) -> None:
        raise ValueError("a bug in a check")

    monkeypatch.setattr(batches, "check_whole", broken)
    with pytest.raises(RuntimeError, match="ValueError: a bug in a check"):
        build(settings, None, echo=lambda _: None)
    assert {p.name: p.read_bytes() for p in settings.output_dir.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
