"""Mapping of one document into its own named graph: the letter and its parties (in the edition's order,
with copies, transmission and replies: ``kg.rdf.transmission``), dates, lines, notes, instantiation,
name usages and mentions, with PROV-O on the graph.

Why: every statement read from a page lives in the graph of the document it was read from, so a
SPARQL user (and `kg load`) can always tell which page and lines a triple came from. Shared
resources (people, archives, events) are only *referenced* here; they live in the authority graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from kg.errors import KGError
from kg.model import Corpus, Document, Note, Resolution
from kg.rdf.iris import Iris, UsagePlaces
from kg.rdf.parts import (
    NOTE_TYPES,
    add_date,
    add_instantiation,
    add_name_usage,
    add_note_core,
    add_place_date,
    add_reference,
    add_span,
    date_created,
    span_text,
)
from kg.rdf.transmission import add_parties, add_transmission
from kg.rdf.vocab import BC, BCV, SCHEMA

DOCUMENT_KINDS = {"letter": BCV.letter, "telegram": BCV.telegram, "note": BCV.note,
                  "statement": BCV.statement, "memorandum": BCV.memorandum}


@dataclass
class LetterContext:
    """What mapping one document needs besides the document: IRIs, the corpus, and where to report."""

    iris: Iris
    corpus: Corpus
    shared: Graph
    numbers: dict[str, str]  # edition number -> document key, for cross-references
    version: str
    problems: list[str] = field(default_factory=list)
    notes_of: dict[str, frozenset[int]] | None = None  # document key -> its note numbers (made when first needed)

    def note_numbers(self, key: str) -> frozenset[int]:
        if self.notes_of is None:
            self.notes_of = note_numbers(self.corpus.documents)
        return self.notes_of.get(key, frozenset())

    def ref_iri(self, ref_id: str) -> URIRef | None:
        """IRI of an entity or event id from the resolve stage (None, and a problem noted, if unknown)."""
        if ref_id in self.corpus.entities:
            ent = self.corpus.entities[ref_id]
            return self.iris.entity(ent.kind, ent.id)
        if ref_id in self.corpus.events:
            return self.iris.event(ref_id)
        self.problems.append(f"unknown entity or event id {ref_id!r}")
        return None


def note_numbers(documents: list[Document]) -> dict[str, frozenset[int]]:
    """Document key -> the numbers of its notes (what a citation of a note must find)."""
    return {d.key: frozenset(n.number for n in d.notes) for d in documents}


def add_place(g: Graph, ctx: LetterContext, doc: Document, res: Resolution, letter: URIRef) -> None:
    """schema:locationCreated: the resolved place, else a document-local place named as printed."""
    node = ctx.ref_iri(res.place) if res.place else None
    if node is None and doc.place:
        node = ctx.iris.letter_part(doc.key, "place")
        g.add((node, RDF.type, BC.Place))
        g.add((node, RDF.type, SCHEMA.Place))
        g.add((node, SCHEMA.name, Literal(doc.place)))
        g.add((node, BC.unresolved, Literal(True)))
    if node is not None:
        g.add((letter, BC.placeWritten, node))
        g.add((letter, SCHEMA.locationCreated, node))


def add_dates(g: Graph, ctx: LetterContext, doc: Document, letter: URIRef) -> None:
    """The header date (bc:created + Gregorian schema:dateCreated) and every place/date line."""
    main = doc.date
    for i, pd in enumerate(doc.place_dates, start=1):
        node = ctx.iris.letter_part(doc.key, "placedate", i)
        g.add((letter, BC.placeDate, node))
        add_place_date(g, node, pd)
        if main is None and pd.date is not None and pd.role == "written":
            main = pd.date
    if main is None:
        g.add((letter, BC.dateUnknown, Literal(True)))  # said, not left out (shapes: a date or this)
        return
    node = ctx.iris.letter_part(doc.key, "date")
    g.add((letter, BC.created, node))
    add_date(g, node, main)
    value = date_created(main)
    if value is not None:
        g.add((letter, SCHEMA.dateCreated, value))


def add_cross_reference(g: Graph, ctx: LetterContext, note_node: URIRef, number: str, note_no: int | None,
                        where: str = "") -> None:
    """'See note 1 to document No. 166': link, and mark the target when it is outside the corpus.

    A note the cited document (in the corpus) does not have is not linked: the translation loses and
    glues note numbers, so the citation or the cited note may be damaged; the link to the document is
    kept, the note's text keeps the citation verbatim, and the problem is reported with ``where``."""
    key = ctx.numbers.get(number)
    target = ctx.iris.letter(key or number)
    g.add((note_node, BC.citesDocument, target))
    if key is None:
        g.add((target, BC.outsideCorpus, Literal(True)))
        g.add((target, BC.documentNumber, Literal(number)))
    elif note_no is not None and note_no not in ctx.note_numbers(key):
        ctx.problems.append(f"{where}: cites note {note_no} to document No. {number}, which has no note {note_no} "
                            "(numbering damaged?); linked to the document only")
        return
    if note_no is not None:
        target_note = ctx.iris.letter_part(key or number, "note", note_no)
        g.add((note_node, BC.citesNote, target_note))
        if key is None:
            g.add((target_note, BC.outsideCorpus, Literal(True)))


def add_note(g: Graph, ctx: LetterContext, doc: Document, note: Note, letter: URIRef) -> None:
    node = ctx.iris.letter_part(doc.key, "note", note.number)
    g.add((letter, BC.hasNote, node))
    g.add((letter, SCHEMA.comment, node))
    add_note_core(g, node, note)
    for i, ref in enumerate(note.references, start=1):
        ref_node = URIRef(f"{node}/ref/{i}")
        g.add((node, BC.hasReference, ref_node))
        add_reference(g, ctx.shared, ctx.iris, ref_node, ref, ctx.corpus.entities)
    where = f"{note.span.file}:{note.span.first_line}" if note.span else doc.source.file if doc.source else "?"
    for xref in note.cross_references:
        add_cross_reference(g, ctx, node, xref.document, xref.note,
                            f"{where}: document {doc.number or doc.key}, note {note.number}")


def add_usages_and_mentions(g: Graph, ctx: LetterContext, doc: Document, res: Resolution, letter: URIRef) -> None:
    """Each name usage under the IRI of its place in the source (kg.rdf.iris.UsagePlaces), and the mentions.

    Two usages at one place would merge into one node: the resolver finds no two names at one span of a
    text, and a build that did is stopped here rather than publish a usage with two forms."""
    places, minted = UsagePlaces(doc), set()
    for usage in res.usages:
        node = ctx.iris.name_usage(doc.key, places.of(usage), usage.note)
        if node in minted:
            raise KGError(f"document {doc.key}: two name usages at one place, {node}")
        minted.add(node)
        target = ctx.ref_iri(usage.entity) if usage.entity else None
        note = ctx.iris.letter_part(doc.key, "note", usage.note) if usage.note is not None else None
        g.add((letter, BC.nameUsage, node))
        add_name_usage(g, node, usage, target, note)
    for ref_id in dict.fromkeys(res.mentions):
        node = ctx.ref_iri(ref_id)
        if node is not None:
            g.add((letter, BC.mentions, node))
            g.add((letter, SCHEMA.mentions, node))


LETTER_TYPES = (BC.Letter, SCHEMA.Message)


def citable_nodes(iris: Iris, doc: Document) -> Iterator[tuple[URIRef, tuple[URIRef, ...]]]:
    """The nodes of ``doc`` that other documents' notes can cite (add_cross_reference), with the
    types its own graph gives them: what a batch validated apart needs to know about documents in
    other batches (kg/build/batches.py). Tests check this against the mapped graphs."""
    yield iris.letter(doc.key), LETTER_TYPES
    for note in doc.notes:
        yield iris.letter_part(doc.key, "note", note.number), NOTE_TYPES


def add_identity(g: Graph, ctx: LetterContext, doc: Document, letter: URIRef) -> None:
    """Types, number, kind, header and text: what the letter is, verbatim where printed."""
    for cls in LETTER_TYPES:
        g.add((letter, RDF.type, cls))
    g.add((letter, BC.documentKey, Literal(doc.key)))
    g.add((letter, SCHEMA.identifier, Literal(doc.number or doc.key)))
    if doc.number:
        g.add((letter, BC.documentNumber, Literal(doc.number)))
    g.add((letter, BC.documentKind, DOCUMENT_KINDS.get(doc.kind, BCV.otherDocument)))
    title = f"No. {doc.number}" if doc.number else "Unnumbered document"
    g.add((letter, SCHEMA.name, Literal(f"{title}. {doc.header}".strip().rstrip(".") if doc.header else title)))
    g.add((letter, BC.header, Literal(doc.header)))
    if doc.body:
        g.add((letter, SCHEMA.text, Literal(doc.body, lang="en")))
    g.add((letter, BC.machineTranslated, Literal(True)))
    g.add((letter, SCHEMA.isPartOf, ctx.iris.edition()))
    for sig in doc.signatures:
        g.add((letter, BC.signature, Literal(sig)))
    add_span(g, letter, doc.source)


def add_provenance(g: Graph, ctx: LetterContext, doc: Document, letter: URIRef, graph_iri: URIRef) -> None:
    """PROV-O on the document's graph: source pages, line ranges, the (versioned) build activity."""
    g.add((graph_iri, RDF.type, BC.DocumentGraph))
    g.add((graph_iri, RDF.type, PROV.Entity))
    g.add((graph_iri, FOAF.primaryTopic, letter))
    g.add((graph_iri, PROV.wasGeneratedBy, ctx.iris.build_activity(ctx.version)))
    pages = list(dict.fromkeys([*doc.pages, *(s.file for s in doc.sources)] or
                               ([doc.source.file] if doc.source else [])))
    for page in pages:
        node = ctx.iris.source_page(page)
        g.add((graph_iri, PROV.wasDerivedFrom, node))
        g.add((letter, PROV.wasDerivedFrom, node))
        g.add((node, RDF.type, BC.SourcePage))
        g.add((node, SCHEMA.name, Literal(page.replace("\\", "/").rsplit("/", 1)[-1])))
    for span in doc.sources or ([doc.source] if doc.source else []):
        g.add((graph_iri, BC.sourceLines, Literal(span_text(span))))


def map_document(g: Graph, ctx: LetterContext, doc: Document, graph_iri: URIRef) -> URIRef:
    """All statements read from one document, into its graph ``g``."""
    res = ctx.corpus.resolutions.get(doc.key) or Resolution(document=doc.key)
    letter = ctx.iris.letter(doc.key)
    add_identity(g, ctx, doc, letter)
    add_parties(g, ctx, doc, res, letter)
    add_transmission(g, ctx, doc, res, letter)
    add_dates(g, ctx, doc, letter)
    add_place(g, ctx, doc, res, letter)
    if doc.citation is not None:
        node = ctx.iris.letter_part(doc.key, "source", 1)
        g.add((letter, BC.hasInstantiation, node))
        g.add((letter, DCTERMS.bibliographicCitation, Literal(doc.citation.normalized)))
        add_instantiation(g, ctx.shared, ctx.iris, node, doc.citation, ctx.corpus.entities)
    for note in doc.notes:
        add_note(g, ctx, doc, note, letter)
    add_usages_and_mentions(g, ctx, doc, res, letter)
    add_provenance(g, ctx, doc, letter, graph_iri)
    return letter
