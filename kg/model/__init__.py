"""Typed records shared by the pipeline stages (read -> split -> parse -> resolve -> map -> validate -> dump).

This module is the contract between stages: no rdflib, no I/O, only plain dataclasses (the problems
met while reading, ``Diagnostic``, live in ``kg.errors`` with the CLI's errors). Every value read from a page
keeps its verbatim form next to the normalized one and a ``SourceSpan`` saying where it came from,
so that each published statement can be traced to a file and line.

Conventions
- Line numbers are 1-based lines of the *page text* as read (for HTML pages: the extracted text).
- Dates are ISO strings ``YYYY-MM-DD`` (or ``None``); ``earliest``/``latest`` are in the document's
  own calendar as printed; the ``gregorian_*`` fields carry the conversion for Old Style documents.
- Lists keep document order. Records are mutable only while a stage builds them.

The records live in two modules, by stage: ``source`` (what the parser read) and ``resolved`` (what the resolver
made of it); both are importable from here, the one name every stage uses.

May import: kg.errors
"""

from kg.model.resolved import (
    Corpus,
    Entity,
    EntityKind,
    Event,
    Factuality,
    GeoRecord,
    IriAlias,
    NameUsage,
    Reply,
    Resolution,
    WikidataLink,
)
from kg.model.source import (
    FLAGS,
    Attestation,
    Calendar,
    Citation,
    CrossReference,
    DateStatement,
    Document,
    DocumentPart,
    Marker,
    Note,
    Page,
    ParseResult,
    Party,
    PartyKind,
    PlaceDate,
    Reference,
    SourceSpan,
    Transmission,
)

__all__ = [
    "Attestation",
    "Calendar",
    "Citation",
    "Corpus",
    "CrossReference",
    "DateStatement",
    "Document",
    "DocumentPart",
    "Entity",
    "EntityKind",
    "Event",
    "FLAGS",
    "Factuality",
    "GeoRecord",
    "IriAlias",
    "Marker",
    "NameUsage",
    "Note",
    "Page",
    "ParseResult",
    "Party",
    "PartyKind",
    "PlaceDate",
    "Reference",
    "Reply",
    "Resolution",
    "SourceSpan",
    "Transmission",
    "WikidataLink",
]
