"""The parse contract: one JSON object per document (``kg parse --json``).

Why a hand-written mapping rather than ``dataclasses.asdict``: the contract is a public interface
(issue 2); its keys must not change when a model field is added. The required keys come first;
``header``, ``key``, ``markers``, ``signatures``, ``place_dates``, ``cross_references``, ``fields``
and ``sources`` are extras for people checking the reading against the page; so are (issue 15) each
party's ``read_from`` and the document's ``layout``, ``titles``, ``parts``, ``edition_reference`` and
``flags`` (kg.model.FLAGS), then each party's ``copy`` (the line sending it a copy) and the document's
``transmission`` (sent / not sent / draft with its basis), added after the others so that no earlier key moves.
"""

from __future__ import annotations

from typing import Any

from kg.model import (
    Attestation,
    Citation,
    DateStatement,
    Document,
    DocumentPart,
    Note,
    Party,
    PlaceDate,
    Reference,
    SourceSpan,
)


def _span(span: SourceSpan | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"file": span.file, "first_line": span.first_line, "last_line": span.last_line}


def _attestation(a: Attestation | None) -> dict[str, Any] | None:
    return None if a is None else {"quotation": a.quotation, "span": _span(a.span), "note": a.note}


def _party(p: Party) -> dict[str, Any]:
    return {"name": p.name, "kind": p.kind, "verbatim": p.verbatim, "read_from": p.read_from,
            "copy": _attestation(p.copy)}


def _part(p: DocumentPart) -> dict[str, Any]:
    return {"number": p.number, "text": p.text, "signature": p.signature,
            "writer": _party(p.writer) if p.writer else None,
            "addressee": _party(p.addressee) if p.addressee else None, "span": _span(p.span)}


def _date(d: DateStatement | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"expressed": d.expressed, "edtf": d.edtf, "earliest": d.earliest, "latest": d.latest,
            "supplied": list(d.supplied), "calendar": d.calendar, "qualifier": d.qualifier,
            "gregorian_earliest": d.gregorian_earliest, "gregorian_latest": d.gregorian_latest,
            "span": _span(d.span)}


def citation_to_json(c: Citation | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"verbatim": c.verbatim, "archive": c.archive, "archive_verbatim": c.archive_verbatim, "fond": c.fond,
            "opis": c.opis, "delo": c.delo, "folios": c.folios, "form": c.form, "form_verbatim": c.form_verbatim,
            "record_state": c.record_state, "technique": c.technique,
            "signature_autograph": c.signature_autograph, "publication": c.publication,
            "normalized": c.normalized, "span": _span(c.span)}


def _reference(r: Reference) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": r.kind, "verbatim": r.verbatim, "ibid": r.ibid}
    if r.kind == "archival":
        out["citation"] = citation_to_json(r.citation)
    else:
        out.update(title=r.title, year=r.year, issue=r.issue, pages=r.pages)
    return out


def _note(n: Note) -> dict[str, Any]:
    return {"number": n.number, "text": n.text, "references": [_reference(r) for r in n.references],
            "number_recovered": n.number_recovered, "number_verbatim": n.number_verbatim,
            "marker": {"offset": n.marker.offset, "line": n.marker.line, "anchor": n.marker.anchor}
            if n.marker else None,
            "cross_references": [{"document": x.document, "note": x.note, "verbatim": x.verbatim}
                                 for x in n.cross_references],
            "span": _span(n.span)}


def _place_date(p: PlaceDate) -> dict[str, Any]:
    return {"verbatim": p.verbatim, "place": p.place, "role": p.role, "date": _date(p.date), "span": _span(p.span)}


def document_to_json(doc: Document) -> dict[str, Any]:
    """The contract object of issue 2 (required keys first, then the extras)."""
    return {
        "number": doc.number,
        "kind": doc.kind,
        "senders": [_party(p) for p in doc.senders],
        "recipients": [_party(p) for p in doc.recipients],
        "date": _date(doc.date),
        "place": doc.place,
        "citation": citation_to_json(doc.citation),
        "notes": [_note(n) for n in doc.notes],
        "source": _span(doc.source),
        "pages": list(doc.pages),
        "key": doc.key,
        "header": doc.header,
        "body": doc.body,
        "markers": [{"number": m.number, "offset": m.offset, "anchor": m.anchor, "line": m.line}
                    for m in doc.markers],
        "signatures": list(doc.signatures),
        "place_dates": [_place_date(p) for p in doc.place_dates],
        "cross_references": [{"note": n.number, "document": x.document, "to_note": x.note}
                             for n in doc.notes for x in n.cross_references],
        "sources": [_span(s) for s in doc.sources],
        "fields": {k: _span(v) for k, v in doc.fields.items()},
        "layout": doc.layout,
        "titles": list(doc.titles),
        "parts": [_part(p) for p in doc.parts],
        "edition_reference": _reference(doc.edition_reference) if doc.edition_reference else None,
        "flags": list(doc.flags),
        "transmission": {"status": doc.transmission.status, "basis": doc.transmission.basis,
                         "attestation": _attestation(doc.transmission.attestation)} if doc.transmission else None,
    }
