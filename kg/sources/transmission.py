"""Transmission as the page states it: which header recipients got a copy, and whether the document went out.

    mark_copies(ctx)        # "Copy: CC." / "Copies of comrades Dzerzhinsky, ..." -> Party.copy on those recipients
    read_transmission(ctx)  # note "not sent" / "draft", citation "Draft.", a "Filed from ..." line -> doc.transmission

Why here, after the body and notes are read: the header lists addressees and copy recipients alike, in the
edition's order (No. 175: "to I. V. Stalin, F. E. Dzerzhinsky, M. A. Trilisser, V. R. Menzhinsky"); only
the lines under the header ("Tov. Stalin. / Copies of comrades Dzerzhinsky, Trilisser and Menzhinsky.")
tell which is which. A copy line is matched to header recipients by surname, by a body's own words
("Editorial Pravda" -> "editorial board of Pravda") or by its initials ("CCC" -> "Central Control
Commission"); a name that matches no recipient, or several, is reported and changes nothing. Transmission
is stated only where the page says so, never presumed: No. 171 is "not sent" because note 4 quotes
Dzerzhinsky's "not sent." on the autograph.
"""

from __future__ import annotations

import re

from kg.model import Attestation, Party, Transmission
from kg.sources.context import Ctx

# "Copy: CC.", "Copies of comrades A and B.", "Copy to comrade X."; a bare "Copy." is the record's state
_COPY_LINE = re.compile(r"^\s*cop(?:y|ies)\s*(?::|\bof\b|\bto\b)\s*(?P<names>\S.*?)\s*\.?\s*$", re.I)
_COPY_IN_ADDRESS = re.compile(r"[,;]\s*copy\s+to\s+(?P<names>[^.]+)", re.I)  # "TO IVANOV, copy TO PETROV."
_TITLES = re.compile(r"^(?:(?:comrades?|tov|com|to|the)\.?\s+)+", re.I)
_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+and\s+", re.I)
_FILLER = {"of", "the", "to", "comrade", "comrades", "tov", "and"}

_DOC = r"\b(?:letter|document|telegram|note)\s+(?:is|was)\s+"  # what the note says it of: this document
_NOT_SENT = re.compile(rf"[\"“«']\s*not\s+sent\.?\s*[\"”»']|{_DOC}(?:not|never)\s+sent\b|{_DOC}unsent\b", re.I)
_DRAFT_NOTE = re.compile(rf"[\"“«']\s*draft\.?\s*[\"”»']|{_DOC}(?:a|the|only\s+a)\s+draft\b|^\s*draft\.?\s*$", re.I)
_DRAFT_FORM = re.compile(r"\bdraft\b", re.I)
_SENTENCES = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”»]))\s+(?=[A-Z\"“])")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def _initials(name: str) -> str:
    """'Central Control Commission' -> 'CCC'; 'Central Committee of the RCP (b)' -> 'CC' (before 'of')."""
    head = re.split(r"\s+of\s+", name, maxsplit=1)[0]
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", head) if w[0].isupper())


def _names(piece: str, party: Party) -> bool:
    """Does one name of a copy line ('Dzerzhinsky', 'CCC', 'Editorial Pravda') name this header party?"""
    bare = _TITLES.sub("", piece.strip().strip(".:;,")).strip()
    if not bare:
        return False
    forms = [party.name, party.verbatim]
    if re.fullmatch(r"[A-ZА-Я]{2,6}", bare):
        if any(_initials(f) == bare for f in forms):
            return True
    wanted = [w for w in _words(bare) if w not in _FILLER]
    return bool(wanted) and any(set(wanted) <= set(_words(f)) for f in forms)


def _copy_names(text: str) -> str | None:
    m = _COPY_LINE.match(text) or _COPY_IN_ADDRESS.search(text)
    return m["names"] if m else None


def mark_copies(ctx: Ctx) -> None:
    """Mark the header recipients that the lines before the letter's first paragraph send a copy."""
    doc = ctx.doc
    if not doc.recipients:
        return
    for lineno, text in ctx.rows:
        if len(text.split()) >= 12:  # the first paragraph of the letter: the address block is over
            break
        names = _copy_names(text)
        if names is None:
            continue
        for piece in (p for p in _SEPARATORS.split(names) if p.strip()):
            found = [p for p in doc.recipients if _names(piece, p)]
            if len(found) != 1:
                why = "no recipient of the header" if not found else f"{len(found)} recipients of the header"
                ctx.report(lineno, "unmatched-copy", f"copy line {text.strip()!r}: {piece.strip()!r} names {why}; "
                           "no copy recipient recorded for it", "warning")
                continue
            if found[0].copy is None:
                found[0].copy = Attestation(quotation=text.strip(), span=ctx.span(lineno))


def _sentence(text: str, pattern: re.Pattern[str]) -> str | None:
    """The sentence of ``text`` in which ``pattern`` matches (the words a reader checks)."""
    for sentence in _SENTENCES.split(text):
        if pattern.search(sentence):
            return sentence.strip()
    return None


def read_transmission(ctx: Ctx) -> None:
    """doc.transmission from (in this order) a note's "not sent" or "draft", the citation's "Draft", a
    "Filed from" or "Received" place/date line. Nothing when the page is silent."""
    doc = ctx.doc
    for note in doc.notes:
        for status, pattern in (("not-sent", _NOT_SENT), ("draft", _DRAFT_NOTE)):
            words = _sentence(note.text, pattern)
            if words and note.span is not None:
                doc.transmission = Transmission(status, "note", Attestation(words, note.span, note.number))  # type: ignore[arg-type]
                return
    cit = doc.citation
    if cit is not None and cit.span is not None and _DRAFT_FORM.search(cit.form_verbatim or cit.verbatim):
        doc.transmission = Transmission("draft", "citation", Attestation(cit.verbatim, cit.span))
        return
    for pd in doc.place_dates:
        if pd.role in ("filed", "received") and pd.span is not None:
            doc.transmission = Transmission("sent", "place-date", Attestation(pd.verbatim, pd.span))
            return
