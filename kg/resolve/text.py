"""Where a name stands: signature lines inside the body, and page lines of body offsets.

Why apart from resolve.py: the parser keeps the signatures in the body as well as in
Document.signatures, and gives lines only for markers and fields; these helpers turn that into the
``where`` and ``line`` of a name usage without reading the page again.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from kg.model import Document, Marker
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
    """Page line of a body offset: the nearest marker before it on the same paragraph, else paragraph count.

    For many offsets of one document, make one ``BodyLines`` and ask it."""
    return BodyLines(doc).line(offset)


class BodyLines:
    """``body_line`` for one document, each answer in logarithmic time.

    Why: counting the paragraph breaks before an offset, for every name and every marker, was
    quadratic in the length of the body (a 2 MB letter took minutes). The breaks and markers are
    indexed once; the answers are those of the definition: a marker counts if it stands at or before
    the offset in the same paragraph, the nearest one wins (the first listed among markers at the
    same offset), and a marker further back is in an earlier paragraph if the nearest one is."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.span = doc.fields.get("body")
        # ends of the non-overlapping "\n\n", left to right: body.count("\n\n", 0, offset) = how many end <= offset
        self.breaks = [m.end() for m in re.finditer("\n\n", doc.body)]
        first_at: dict[int, Marker] = {}
        for marker in doc.markers:
            first_at.setdefault(marker.offset, marker)
        self.marker_offsets = sorted(first_at)
        self.marker_at = first_at
        if self.span is not None:
            n_paragraphs = len(self.breaks) + 1
            self.gap = 2 if self.span.last_line - self.span.first_line + 1 >= 2 * n_paragraphs - 1 else 1

    def paragraph(self, offset: int) -> int:
        """How many paragraph breaks stand before ``offset`` (body.count("\n\n", 0, offset))."""
        return bisect_right(self.breaks, offset)

    def line(self, offset: int) -> int:
        if self.span is None:
            return doc_line(self.doc)
        paragraph = self.paragraph(offset)
        i = bisect_right(self.marker_offsets, offset) - 1
        if i >= 0 and self.paragraph(self.marker_offsets[i]) == paragraph:
            return self.marker_at[self.marker_offsets[i]].line
        return min(self.span.first_line + paragraph * self.gap, self.span.last_line)
