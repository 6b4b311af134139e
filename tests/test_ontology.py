"""No drift between ontology/, kg/rdf/vocab.py, shapes/ and the data we publish: every bc:/bcv: term used
anywhere is declared, documented and aligned, and the Python vocabulary is exactly the declared one."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, URIRef

from kg.rdf.mapping import map_corpus
from kg.rdf.vocab import BC, BCV
from tests.mapping_fixtures import corpus

ROOT = Path(__file__).resolve().parent.parent
NS, VNS = str(BC._NS), str(BCV._NS)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def onto() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


def declared(onto: Graph, ns: str, types: tuple[URIRef, ...]) -> set[URIRef]:
    return {s for t in types for s in onto.subjects(RDF.type, t) if isinstance(s, URIRef) and str(s).startswith(ns)
            and str(s) != ns}


def ours(terms: set) -> set[URIRef]:
    return {t for t in terms if isinstance(t, URIRef) and (str(t).startswith(NS) or str(t).startswith(VNS))
            and str(t) not in (NS, VNS)}


def all_declared(onto: Graph) -> set[URIRef]:
    return (declared(onto, NS, (OWL.Class, *PROPERTY_TYPES))
            | declared(onto, VNS, (SKOS.Concept, SKOS.ConceptScheme)))


def test_vocab_py_equals_ontology(onto: Graph) -> None:
    assert {BC[n] for n in BC.__annotations__} == declared(onto, NS, (OWL.Class, *PROPERTY_TYPES))
    assert {BCV[n] for n in BCV.__annotations__} == declared(onto, VNS, (SKOS.Concept, SKOS.ConceptScheme))


def test_vocab_py_rejects_typos() -> None:
    with pytest.raises(AttributeError):
        BC.sendr  # noqa: B018


def test_every_term_has_label_and_comment(onto: Graph) -> None:
    for term in declared(onto, NS, (OWL.Class, *PROPERTY_TYPES)):
        assert onto.value(term, RDFS.label), term
        assert onto.value(term, RDFS.comment), term
    for concept in declared(onto, VNS, (SKOS.Concept,)):
        assert onto.value(concept, SKOS.prefLabel), concept
        assert onto.value(concept, SKOS.inScheme) in declared(onto, VNS, (SKOS.ConceptScheme,)), concept


def test_every_property_has_domain_and_range(onto: Graph) -> None:
    for prop in declared(onto, NS, PROPERTY_TYPES):
        assert onto.value(prop, RDFS.domain) is not None, prop
        assert onto.value(prop, RDFS.range) is not None, prop


def test_every_class_is_aligned_to_a_standard_vocabulary(onto: Graph) -> None:
    for cls in declared(onto, NS, (OWL.Class,)):
        targets = {o for p in (RDFS.subClassOf, OWL.equivalentClass, SKOS.closeMatch) for o in onto.objects(cls, p)}
        assert any(not str(t).startswith(NS) for t in targets), cls


def test_shapes_use_only_declared_terms(onto: Graph) -> None:
    shapes = Graph().parse(ROOT / "shapes/bolcorr.shapes.ttl")
    used = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.path))
    used |= set(shapes.objects(None, SH["class"])) | set(shapes.predicates())
    for lst in shapes.objects(None, SH["in"]):
        used |= set(shapes.items(lst))
    assert BC.Letter in used and BC.documentNumber in used
    assert ours(used) - all_declared(onto) == set()


def test_every_class_has_a_shape(onto: Graph) -> None:
    shapes = Graph().parse(ROOT / "shapes/bolcorr.shapes.ttl")
    assert declared(onto, NS, (OWL.Class,)) <= set(shapes.objects(None, SH.targetClass))


def test_mapped_data_uses_only_declared_terms(onto: Graph) -> None:
    ds = map_corpus(corpus())
    used = set()
    for _s, p, o, _ in ds.quads((None, None, None, None)):
        used |= {p, o} if p == RDF.type or isinstance(o, URIRef) else {p}
    assert BC.Letter in used and BCV.original in used
    assert ours(used) - all_declared(onto) == set()
