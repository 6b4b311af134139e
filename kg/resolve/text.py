"""Where a name stands: signature lines inside the body, and page lines of body offsets.

Why apart from resolve.py: the parser keeps the signatures in the body as well as in
Document.signatures, and gives lines only for markers and fields; these helpers turn that into the
``where`` and ``line`` of a name usage without reading the page again.
"""

from __future__ import annotations

import re

from kg.model import Document
from kg.resolve.names import Found

SIGNATURE_LEAD = re.compile(r"((?:Your\s+)?(?:[A-Z][a-z]{0,2}\.\s?){0,3})$")


def clean_signature(sig: str) -> str:
    return sig.strip().rstrip(".").strip()


def signature_regions(doc: Document) -> list[tuple[int, int]]:
    """Where each signature line stands in the body (the parser keeps them there too); last occurrence."""
    regions = []
    for sig in doc.signatures:
        text = clean_signature(sig)
        at = doc.body.rfind(text) if text else -1
        if at >= 0:
            regions.append((at, at + len(text)))
    return regions


def with_signature_lead(text: str, f: Found) -> Found:
    """Extend a signature's name over "Your " and initials: the form as signed ("Your Amayak", "S. Minin")."""
    lead = SIGNATURE_LEAD.search(text[:f.start]).group(1)
    return Found(f.start - len(lead), f.end, text[f.start - len(lead):f.end], f.how, f.candidates, f.doc_form,
                 f.qualifier)


def doc_line(doc: Document) -> int:
    return doc.source.first_line if doc.source else 0


def body_line(doc: Document, offset: int) -> int:
    """Page line of a body offset: the nearest marker before it on the same paragraph, else paragraph count."""
    span = doc.fields.get("body")
    if span is None:
        return doc_line(doc)
    paragraph = doc.body.count("\n\n", 0, offset)
    for marker in sorted(doc.markers, key=lambda m: m.offset, reverse=True):
        if marker.offset <= offset and doc.body.count("\n\n", 0, marker.offset) == paragraph:
            return marker.line
    n_paragraphs = doc.body.count("\n\n") + 1
    gap = 2 if span.last_line - span.first_line + 1 >= 2 * n_paragraphs - 1 else 1
    return min(span.first_line + paragraph * gap, span.last_line)
