"""Mapping of the parts of a document: date statements, place/date lines, editorial notes, source
references, archival instantiations (with their units) and name usages.

Why separate functions: each resource kind has one function that adds exactly its own triples, so a
test can build one record and compare the triples it yields, and a change to one kind cannot
silently change another.
"""

from __future__ import annotations

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.model import Citation, DateStatement, Entity, NameUsage, Note, PlaceDate, Reference, SourceSpan
from kg.rdf.iris import ARCHIVE_ALIASES, Iris, slug
from kg.rdf.vocab import BC, BCV, SCHEMA

QUALIFIERS = {"exact": BCV.exact, "range": BCV.range, "not-after": BCV.notAfter,
              "not-before": BCV.notBefore, "approximate": BCV.approximate}
RECORD_STATES = {"original": BCV.original, "copy": BCV.copy, "certified-copy": BCV.certifiedCopy,
                 "uncertified-copy": BCV.uncertifiedCopy}
TECHNIQUES = {"handwritten": BCV.handwritten, "typewritten": BCV.typewritten}
NAME_KINDS = {"surname": BCV.surname, "initials": BCV.initials, "nickname": BCV.nickname,
              "pseudonym": BCV.pseudonym, "first-name": BCV.firstName, "bracketed": BCV.bracketedCompletion,
              "signature": BCV.signatureName, "header": BCV.headerName}
BASES = {"editor-note": BCV.editorNote, "authority-file": BCV.authorityFile, "context": BCV.context}


def span_text(span: SourceSpan) -> str:
    """'page.txt#L12-L40': the page file's name and the inclusive line range."""
    name = span.file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}#L{span.first_line}-L{span.last_line}"


def add_span(g: Graph, node: URIRef, span: SourceSpan | None) -> None:
    if span is not None:
        g.add((node, BC.sourceLines, Literal(span_text(span))))


def add_date(g: Graph, node: URIRef, ds: DateStatement) -> None:
    """A date statement: verbatim expressed date beside EDTF, bounds in both calendars, qualifier."""
    g.add((node, RDF.type, BC.DateStatement))
    g.add((node, BC.expressedDate, Literal(ds.expressed)))
    if ds.edtf:
        g.add((node, BC.edtf, Literal(ds.edtf)))
    for prop, value in ((BC.earliest, ds.earliest), (BC.latest, ds.latest),
                        (BC.gregorianEarliest, ds.gregorian_earliest), (BC.gregorianLatest, ds.gregorian_latest)):
        if value:
            g.add((node, prop, Literal(value, datatype=XSD.date)))
    g.add((node, BC.calendar, BCV.julian if ds.calendar == "julian" else BCV.gregorian))
    g.add((node, BC.dateQualifier, QUALIFIERS.get(ds.qualifier, BCV.exact)))
    g.add((node, BC.dateSupplied, Literal(bool(ds.supplied))))
    for part in ds.supplied:
        g.add((node, BC.suppliedComponent, Literal(part)))
    add_span(g, node, ds.span)


def date_created(ds: DateStatement) -> Literal | None:
    """schema:dateCreated in the Gregorian calendar, typed by precision; None for open intervals.

    A closed interval is given at the finest precision both ends share (same month: gYearMonth,
    same year: gYear), so the value is never more precise than the source."""
    lo, hi = ds.gregorian_earliest, ds.gregorian_latest
    if ds.calendar == "gregorian":
        lo, hi = lo or ds.earliest, hi or ds.latest
    if not lo or not hi:
        return None
    if lo == hi:
        return Literal(lo, datatype=XSD.date)
    if lo[:7] == hi[:7]:
        return Literal(lo[:7], datatype=XSD.gYearMonth)
    if lo[:4] == hi[:4]:
        return Literal(lo[:4], datatype=XSD.gYear)
    return None


def add_place_date(g: Graph, node: URIRef, pd: PlaceDate) -> None:
    """A second place/date line, verbatim, with our reading of its place and date."""
    g.add((node, RDF.type, BC.PlaceDateLine))
    g.add((node, BC.verbatim, Literal(pd.verbatim)))
    g.add((node, BC.lineRole, Literal(pd.role)))
    if pd.place:
        g.add((node, BC.placeName, Literal(pd.place)))
    if pd.date is not None:
        date_node = URIRef(f"{node}/date")
        g.add((node, BC.lineDate, date_node))
        add_date(g, date_node, pd.date)
    add_span(g, node, pd.span)


def archive_id(name: str | None, entities: dict[str, Entity]) -> str:
    """The archive's id: an authority entry whose label matches, else our alias table, else a slug."""
    key = (name or "unknown").strip().rstrip(".;").lower()
    for entity in entities.values():
        if entity.kind == "archive" and key in {x.lower() for x in [entity.pref_label, *entity.alt_labels]}:
            return entity.id
    return ARCHIVE_ALIASES.get(key, slug(key))


def add_units(shared: Graph, iris: Iris, arch: str, cit: Citation) -> URIRef | None:
    """Fond > opis > delo units of a citation (shared resources); returns the innermost unit."""
    if not cit.fond:
        return None
    archive = iris.archive(arch)
    levels = [(BCV.fond, cit.fond, iris.unit(arch, cit.fond), archive, f"F. {cit.fond}")]
    if cit.opis:
        levels.append((BCV.opis, cit.opis, iris.unit(arch, cit.fond, cit.opis), levels[-1][2], f"Op. {cit.opis}"))
        if cit.delo:
            levels.append((BCV.delo, cit.delo, iris.unit(arch, cit.fond, cit.opis, cit.delo), levels[-1][2],
                           f"D. {cit.delo}"))
    label = cit.archive or arch
    for level, number, node, parent, part in levels:
        label = f"{label}. {part}"
        shared.add((node, RDF.type, BC.ArchivalUnit))
        shared.add((node, RDF.type, SCHEMA.ArchiveComponent))
        shared.add((node, BC.unitLevel, level))
        shared.add((node, BC.unitNumber, Literal(number)))
        shared.add((node, SCHEMA.name, Literal(label)))
        shared.add((node, BC.heldBy, archive))
        if parent != archive:
            shared.add((node, BC.inUnit, parent))
    return levels[-1][2]


def add_archival_parts(g: Graph, shared: Graph, iris: Iris, node: URIRef, cit: Citation,
                       entities: dict[str, Entity]) -> None:
    """The citation's parts (verbatim and normalized) and its place in the archive's hierarchy."""
    arch = archive_id(cit.archive or cit.archive_verbatim, entities)
    g.add((node, BC.citation, Literal(cit.verbatim)))
    g.add((node, DCTERMS.bibliographicCitation, Literal(cit.normalized)))
    g.add((node, BC.heldBy, iris.archive(arch)))
    if cit.archive_verbatim:
        g.add((node, BC.archiveName, Literal(cit.archive_verbatim)))
    for prop, value in ((BC.fond, cit.fond), (BC.opis, cit.opis), (BC.delo, cit.delo), (BC.folios, cit.folios)):
        if value:
            g.add((node, prop, Literal(value)))
    unit = add_units(shared, iris, arch, cit)
    if unit is not None:
        g.add((node, BC.inUnit, unit))
    if (iris.archive(arch), RDF.type, BC.Archive) not in shared:
        add_minimal_archive(shared, iris.archive(arch), cit.archive or arch)


def add_minimal_archive(shared: Graph, node: URIRef, name: str) -> None:
    """An archive the authority files do not describe: typed and named from the citation."""
    shared.add((node, RDF.type, BC.Archive))
    shared.add((node, RDF.type, BC.Agent))  # the superclass stated, as for every agent (kg/rdf/authority.py)
    shared.add((node, RDF.type, SCHEMA.ArchiveOrganization))
    shared.add((node, SCHEMA.name, Literal(name)))


def add_instantiation(g: Graph, shared: Graph, iris: Iris, node: URIRef, cit: Citation,
                      entities: dict[str, Entity]) -> None:
    """An archival carrier of the letter: where it is held, what form it has (verbatim + concepts)."""
    g.add((node, RDF.type, BC.ArchivalInstantiation))
    g.add((node, RDF.type, SCHEMA.ArchiveComponent))
    add_archival_parts(g, shared, iris, node, cit, entities)
    if cit.form:
        g.add((node, BC.form, Literal(cit.form)))
    if cit.form_verbatim:
        g.add((node, BC.formVerbatim, Literal(cit.form_verbatim)))
    if cit.record_state in RECORD_STATES:
        g.add((node, BC.recordState, RECORD_STATES[cit.record_state]))
    if cit.technique in TECHNIQUES:
        g.add((node, BC.technique, TECHNIQUES[cit.technique]))
    g.add((node, BC.signatureAutograph, Literal(cit.signature_autograph)))
    if cit.publication:
        g.add((node, BC.publication, Literal(cit.publication)))
    add_span(g, node, cit.span)


def add_reference(g: Graph, shared: Graph, iris: Iris, node: URIRef, ref: Reference,
                  entities: dict[str, Entity]) -> None:
    """A source cited in a note: archival ('Ibid.' completed) or a publication."""
    g.add((node, RDF.type, BC.SourceReference))
    g.add((node, BC.referenceKind, Literal(ref.kind)))
    g.add((node, BC.verbatim, Literal(ref.verbatim)))
    if ref.ibid:
        g.add((node, BC.ibid, Literal(True)))
    if ref.citation is not None:
        add_archival_parts(g, shared, iris, node, ref.citation, entities)
    for prop, value in ((DCTERMS.title, ref.title), (BC.publicationYear, ref.year),
                        (BC.publicationIssue, ref.issue), (BC.publicationPages, ref.pages)):
        if value:
            g.add((node, prop, Literal(value)))


NOTE_TYPES = (BC.EditorialNote, SCHEMA.Comment)


def add_note_core(g: Graph, node: URIRef, note: Note) -> None:
    """The note itself: number (also as schema:position), text, marker anchor, how the number was read."""
    for cls in NOTE_TYPES:
        g.add((node, RDF.type, cls))
    g.add((node, BC.noteNumber, Literal(note.number, datatype=XSD.positiveInteger)))
    g.add((node, SCHEMA.position, Literal(note.number)))
    g.add((node, SCHEMA.text, Literal(note.text, lang="en")))
    g.add((node, BC.numberRecovered, Literal(note.number_recovered)))
    if note.number_verbatim is not None:
        g.add((node, BC.noteNumberVerbatim, Literal(note.number_verbatim)))
    if note.marker is not None:
        g.add((node, BC.anchorText, Literal(note.marker.anchor)))
    add_span(g, node, note.span)


def add_name_usage(g: Graph, node: URIRef, usage: NameUsage, target: URIRef | None, note: URIRef | None) -> None:
    """A name as written in one document, whom it designates there (if known) and why."""
    g.add((node, RDF.type, BC.NameUsage))
    g.add((node, BC.nameForm, Literal(usage.form, lang="en")))
    g.add((node, BC.nameKind, NAME_KINDS.get(usage.kind, BCV.otherName)))
    g.add((node, BC.usageContext, Literal(usage.where)))
    if usage.line > 0:
        g.add((node, BC.sourceLine, Literal(usage.line, datatype=XSD.positiveInteger)))
    if note is not None:
        g.add((node, BC.inNote, note))
    if target is not None:
        g.add((node, BC.refersTo, target))
        if usage.basis in BASES:
            g.add((node, BC.identificationBasis, BASES[usage.basis]))
    if usage.explanation:
        g.add((node, BC.explanation, Literal(usage.explanation)))
