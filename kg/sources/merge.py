"""One record per document, however many pages it was seen on; stable keys.

Why: the site publishes a letter on a month page and again on a per-letter page (sometimes without
its number). Copies are the same document when the number agrees and the header and date agree, or,
for an unnumbered copy, when header and date agree with another copy. The first copy (the numbered
one, when there is one) is kept; the others add their pages and line ranges, and fill fields the
first one lacks. Two different documents under one number are reported ("duplicate-number") and the
second is not published under that number.

A document of the other web rendering (no number; its title often names only one party, the others
come from signatures) is matched more loosely: to the one document with the same date whose senders and
recipients include every party it names, by surname and in the same role; with two such documents it is
reported ("ambiguous-match") and kept apart, never joined to a guess.

Keys: the edition number; unnumbered documents get ``u-<edtf slug>-<sender slug>`` (".." written
"open", other punctuation "-": ``u-1921-03-05-stalin``, ``u-1921-03-05-1921-03-06-ivanov``,
``u-open-1921-03-05-ivanov``), "undated" without a date, and a "-2", "-3"... suffix when two
documents would share a key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from kg.errors import Diagnostic
from kg.model import Document


def slug(text: str) -> str:
    """ASCII, lower case, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _party_key(name: str) -> str:
    return re.sub(r"[^a-zа-я]", "", (name.split()[-1] if name.split() else name).lower())


def signature(doc: Document) -> tuple[str, str]:
    """What two copies must share to be the same document: who wrote to whom, and when."""
    if doc.senders or doc.recipients:
        who = ",".join(_party_key(p.name) for p in doc.senders) + ">" + ",".join(
            _party_key(p.name) for p in doc.recipients)
    else:
        who = re.sub(r"[^a-zа-я]", "", doc.header.lower())
    return who, (doc.date.edtf or "") if doc.date else ""


def _absorb(primary: Document, other: Document, seen: set[object]) -> None:
    """Add the other copy's pages and spans; fill the fields the primary copy lacks.

    ``seen`` holds the primary's pages and spans so far: a membership test on the lists made a page
    with thousands of copies of one document quadratic.
    """
    for page in other.pages:
        if page not in seen:
            seen.add(page)
            primary.pages.append(page)
    for span in other.sources:
        if span not in seen:
            seen.add(span)
            primary.sources.append(span)
    for name in ("citation", "date", "edition_reference", "transmission"):
        if getattr(primary, name) is None and getattr(other, name) is not None:
            setattr(primary, name, getattr(other, name))
    if not primary.body and other.body:
        primary.body = other.body
    if not primary.markers and primary.body == other.body:
        primary.markers = other.markers  # offsets point into that body: only with the same text
    for name in ("place_dates", "signatures", "senders", "recipients", "titles", "parts"):
        if not getattr(primary, name) and getattr(other, name):
            setattr(primary, name, getattr(other, name))
    if not primary.notes and other.notes:  # each note's marker is looked up again in the record's own body
        by_number = {m.number: m for m in primary.markers}
        primary.notes = [replace(n, marker=by_number.get(n.number)) for n in other.notes]
    if primary.number is None and other.number is not None:
        primary.number = other.number
    for key, span in other.fields.items():
        primary.fields.setdefault(key, span)


def _duplicate(doc: Document, first: Document) -> Diagnostic:
    line = doc.source.first_line if doc.source else 0
    where = f"{first.source.file}:{first.source.first_line}" if first.source else "?"
    return Diagnostic(doc.source.file if doc.source else "", line, doc.number, "duplicate-number",
                      f"No. {doc.number} is also {where} with a different header or date "
                      f"({doc.header!r} vs {first.header!r}); this copy is not published")


def _agrees(partial: Document, full: Document) -> bool:
    """Every party the partial copy names is among the full one's, in the same role (by surname)."""
    for mine, theirs in ((partial.senders, full.senders), (partial.recipients, full.recipients)):
        if not {_party_key(p.name) for p in mine} <= {_party_key(p.name) for p in theirs}:
            return False
    return bool(partial.senders or partial.recipients)


def _rendering_match(doc: Document, by_date: dict[str, list[Document]]) -> Document | Diagnostic | None:
    """The one document an other-rendering copy agrees with (see the module docstring)."""
    edtf = doc.date.edtf if doc.date and doc.date.edtf else None
    found = [d for d in by_date.get(edtf or "", []) if _agrees(doc, d)] if edtf else []
    if len(found) < 2:
        return found[0] if found else None
    line = doc.source.first_line if doc.source else 0
    names = ", ".join(d.number or d.key for d in found)
    return Diagnostic(doc.source.file if doc.source else "", line, None, "ambiguous-match",
                      f"this page of the other rendering agrees in date and parties with {names}: "
                      "kept apart rather than joined to one of them", "warning")


def _group(docs: list[Document]) -> tuple[list[Document], list[Diagnostic], dict[str, str]]:
    kept: list[Document] = []
    diags: list[Diagnostic] = []
    renamed: dict[str, str] = {}  # placeholder key of an absorbed copy -> key of the record it joined
    by_number: dict[str, Document] = {}
    by_signature: dict[tuple[str, str], Document] = {}
    by_date: dict[str, list[Document]] = {}  # edtf -> kept records (for the other rendering's partial copies)
    seen: dict[int, set[object]] = {}  # id(kept record) -> its pages and spans
    for doc in sorted(docs, key=lambda d: d.number is None):  # numbered copies first
        sig = signature(doc)
        target = by_number.get(doc.number) if doc.number else by_signature.get(sig)
        if target is not None and signature(target) != sig:
            diags.append(_duplicate(doc, target))
            continue
        if target is None and doc.number is None and sig[0] and sig[1]:
            target = by_signature.get(sig)
        if target is None and doc.layout == "other-rendering":
            match = _rendering_match(doc, by_date)
            if isinstance(match, Diagnostic):
                diags.append(match)
            else:
                target = match
        if target is not None:
            _absorb(target, doc, seen.setdefault(id(target), {*target.pages, *target.sources}))
            renamed[doc.key] = target.key
            continue
        kept.append(doc)
        if doc.date and doc.date.edtf:
            by_date.setdefault(doc.date.edtf, []).append(doc)
        if doc.number:
            by_number[doc.number] = doc
        if sig[0] and sig[1]:
            by_signature.setdefault(sig, doc)
    return kept, diags, renamed


def _unnumbered_key(doc: Document) -> str:
    edtf = doc.date.edtf if doc.date and doc.date.edtf else "undated"
    edtf = edtf.replace("..", "open")
    who = doc.senders[0].name if doc.senders else ""
    if doc.senders and doc.senders[0].kind == "person":
        who = who.split()[-1]
    return f"u-{slug(edtf)}-{slug(who) or 'unknown'}"


def assign_keys(docs: list[Document]) -> dict[str, str]:
    """Set Document.key; returns old placeholder key -> final key."""
    taken: set[str] = {d.number for d in docs if d.number}
    renamed: dict[str, str] = {}
    suffix: dict[str, int] = {}  # base key -> last suffix tried: thousands of undated letters of one sender stay linear
    for doc in docs:
        old = doc.key
        if doc.number:
            doc.key = doc.number
        else:
            base = _unnumbered_key(doc)
            n = suffix.get(base, 1)
            key = base if n == 1 else f"{base}-{n}"
            while key in taken:
                n += 1
                key = f"{base}-{n}"
            suffix[base] = n
            doc.key = key
        taken.add(doc.key)
        renamed[old] = doc.key
    return renamed


def merge_documents(docs: list[Document], diags: list[Diagnostic]) -> tuple[list[Document], list[Diagnostic]]:
    """Merge copies, keep page order, assign keys, and point diagnostics at the final keys."""
    order = {id(d): i for i, d in enumerate(docs)}
    kept, merge_diags, absorbed = _group(docs)
    kept.sort(key=lambda d: order[id(d)])
    keys = assign_keys(kept)
    final = {old: keys.get(new, new) for old, new in absorbed.items()} | keys
    out = [replace(d, document=final.get(d.document, d.document)) if d.document else d
           for d in diags + merge_diags]
    return kept, out
