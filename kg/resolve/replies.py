"""Replies: which letter of the collection answers which — only where the text or a note says so.

    replies = find_replies(documents, auth)    # once over the whole collection, before the batches
    replies.found["176"]                       # Reply(document="174", basis="letter-text", ...)

Why so strict: two letters between the same people a week apart need not answer each other, and a wrong
"in reply to" misleads more than a missing one. A reply is recorded when
- a note of the letter names the document it answers ("Reply to document No. 174"), or
- the letter's first paragraph acknowledges a letter or telegram of its addressee ("Your letter received.",
  "I have received your telegram", "In reply to your letter") and the collection holds exactly one earlier
  document of that kind from the addressee to the writer within the WINDOW_DAYS before it (one the page
  says was not sent, or a draft, is none).
Several candidates: no link, a warning naming them ("reply-ambiguous"). The words, their page line and the
reasoning are kept (``Reply.attestation``, ``Reply.explanation``), so a reader can check the link.
A note naming a document its printed dates put after the letter (the earliest day of the one answered after
the latest of the answer: the rule of the shape "a letter cannot answer a later letter") contradicts the page,
an OCR'd number or a misprinted date: no link (one such note would otherwise stop the whole build), the reply
kept as unresolved with the reason (``Replies.refused``) and a warning naming both dates ("reply-dated-later",
fatal under ``--strict``). The text's acknowledgement is not tried instead: the editor named another letter.
Parties are compared as resolved entities (by surname first, then through the authority files), so
"I. Stalin" in one header and "I. V. Stalin" in another are the same writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from kg.errors import Diagnostic
from kg.model import Attestation, Document, Party, Reply, SourceSpan
from kg.resolve.authority import Authorities, name_key
from kg.resolve.text import body_line

DATED_LATER = "reply-dated-later"  # the code of a note naming as answered a letter the page dates after it
WINDOW_DAYS = 92  # how far back an acknowledged letter may lie (about a season of post between the fronts)
_KIND = r"(?P<kind>letter|telegram|note|message)s?"
ACKNOWLEDGES = re.compile(
    rf"\b(?:your|thy)\s+{_KIND}\b[^.!?]{{0,40}}?\b(?:(?:was|has\s+been|have\s+been)\s+)?(?:received|reached\s+me|got)\b"
    rf"|\bI\s+(?:have\s+)?(?:received|got|read)\s+(?:your|a)\s+{_KIND.replace('kind', 'kind2')}(?:\s+from\s+you)?\b"
    rf"|\b(?:in\s+reply|in\s+answer|answering|replying)\s+to\s+your\s+{_KIND.replace('kind', 'kind3')}\b", re.I)
NOTE_NAMES_ANSWER = re.compile(
    r"\b(?:reply|answer|response)\s+to\s+(?:[^.]|(?<=\b[A-Z])\.)*?"  # initials ("A. B. Ivanov") do not end it
    r"\b(?:document\s+)?No\.\s*(?P<no>\d{1,6}[a-z]?)\b", re.I)


@dataclass
class Replies:
    found: dict[str, Reply] = field(default_factory=dict)  # Document.key -> the letter it answers
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)  # Document.key -> its warnings
    # Document.key -> the reply a note names that the printed dates rule out (not linked; explanation: why)
    refused: dict[str, Reply] = field(default_factory=dict)

    def contradictions(self) -> list[Diagnostic]:
        """The warnings of the notes the printed dates contradict: the page contradicts itself (``--strict``)."""
        return [d for k in self.refused for d in self.diagnostics.get(k, ()) if d.code == DATED_LATER]


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _bounds(doc: Document) -> tuple[date | None, date | None]:
    """Earliest and latest Gregorian day of the document (None: unknown)."""
    d = doc.date
    if d is None:
        return None, None
    return _day(d.gregorian_earliest or d.earliest), _day(d.gregorian_latest or d.latest)


def _surname(party: Party) -> str:
    words = re.findall(r"[^\W\d_]+", party.name)
    return name_key(words[-1]) if words else ""


def _acknowledgement(doc: Document) -> tuple[str, str, int] | None:
    """(the sentence, the kind acknowledged, its body offset) in the letter's first paragraph, if any."""
    offset = 0
    for para in doc.body.split("\n\n"):
        m = ACKNOWLEDGES.search(para)
        if m:
            start = max((e + 2 for e in (para.rfind(". ", 0, m.start()), para.rfind("! ", 0, m.start())) if e >= 0),
                        default=0)
            end = min((e for e in (para.find(". ", m.end()), para.find("! ", m.end())) if e >= 0), default=len(para))
            kind = (m["kind"] or m["kind2"] or m["kind3"]).lower()
            return para[start:end + 1].strip(), kind, offset + m.start()
        if len(para.split()) >= 12:  # the first paragraph is over: later mentions of "your letter" are no reply
            return None
        offset += len(para) + 2
    return None


class _Parties:
    """Each document's parties as comparable keys: the authority entity when one, else the name."""

    def __init__(self, auth: Authorities):
        self.auth = auth
        self.cache: dict[str, str] = {}

    def key(self, party: Party) -> str:
        found = self.cache.get(party.name)
        if found is None:
            ids = {nf.entity for form in (party.name, party.verbatim) for nf in self.auth.lookup(form)}
            if len(ids) != 1:
                kind = "person" if party.kind == "person" else "organization"
                forms = self.auth.lookup(_surname(party))
                ids = {nf.entity for nf in forms if self.auth.entities[nf.entity].kind == kind}
            found = self.cache[party.name] = ids.pop() if len(ids) == 1 else f"name:{name_key(party.name)}"
        return found


def find_replies(documents: list[Document], auth: Authorities) -> Replies:
    """The reply links of the collection (see the module docstring for when one is made)."""
    out = Replies()
    by_number = {d.number: d for d in documents if d.number}
    acks = {d.key: a for d in documents if d.body and (a := _acknowledgement(d)) is not None}
    for doc in documents:
        for note in doc.notes:
            m = NOTE_NAMES_ANSWER.search(note.text)
            target = by_number.get(m["no"]) if m else None
            if m and target is not None and target.key != doc.key and note.span is not None:
                end = note.text.find(". ", m.end())
                words = note.text[m.start():end + 1 if end >= 0 else len(note.text)].strip()
                reply = Reply(target.key, "editor-note", Attestation(words, note.span, note.number),
                              f"note {note.number} names the document answered: No. {m['no']}")
                refusal = _dated_later(doc, target, reply)
                if refusal is None:
                    out.found[doc.key] = reply
                else:
                    out.refused[doc.key] = Reply(target.key, "editor-note", reply.attestation, refusal.message)
                    out.diagnostics.setdefault(doc.key, []).append(refusal)
                acks.pop(doc.key, None)
                break
    if not acks:
        return out
    parties = _Parties(auth)
    by_surname: dict[tuple[str, str], list[Document]] = {}
    for d in documents:  # (writer surname, addressee surname) -> documents: candidates without resolving all
        for s in d.senders:
            for r in d.recipients:
                by_surname.setdefault((_surname(s), _surname(r)), []).append(d)
    for doc in documents:
        ack = acks.get(doc.key)
        if ack is not None:
            _answer(doc, ack, parties, by_surname, out)
    return out


def _dated_later(doc: Document, target: Document, reply: Reply) -> Diagnostic | None:
    """The warning when the page dates the letter ``reply`` names as answered after ``doc`` (None: it may be)."""
    earliest, latest = _bounds(target)[0], _bounds(doc)[1]
    if earliest is None or latest is None or earliest <= latest or target.date is None or doc.date is None:
        return None
    span = reply.attestation.span
    number = doc.number or doc.key
    answered = f"No. {target.number}" if target.number else target.key
    return Diagnostic(span.file, span.first_line, number, DATED_LATER, (
        f"note {reply.attestation.note} to No. {number} names {answered} as answered "
        f"('{reply.attestation.quotation}'), but {answered} is dated {target.date.expressed} "
        f"(not before {earliest.isoformat()}), after this letter's {doc.date.expressed} "
        f"(not after {latest.isoformat()}); no reply link made"), "warning")


def _answer(doc: Document, ack: tuple[str, str, int], parties: _Parties,
            by_surname: dict[tuple[str, str], list[Document]], out: Replies) -> None:
    words, kind, offset = ack
    earliest = _bounds(doc)[0]
    if earliest is None or not doc.senders or not doc.recipients:
        return
    writers = {parties.key(p) for p in doc.senders}
    addressees = {parties.key(p) for p in doc.recipients if p.copy is None}
    seen: dict[str, Document] = {}
    window = earliest - timedelta(WINDOW_DAYS)
    for r in doc.recipients:
        for s in doc.senders:
            for cand in by_surname.get((_surname(r), _surname(s)), ()):
                latest = _bounds(cand)[1]
                if cand.key == doc.key or latest is None or not window <= latest <= earliest:
                    continue
                if (cand.kind == "telegram") != (kind == "telegram") and kind != "message":
                    continue
                if cand.transmission is not None and cand.transmission.status != "sent":
                    continue  # a letter never sent (or a draft) was not received
                if {parties.key(p) for p in cand.senders} & addressees and \
                        {parties.key(p) for p in cand.recipients} & writers:
                    seen[cand.key] = cand
    line = body_line(doc, offset)
    if len(seen) == 1:
        (target,) = seen.values()
        where = f"No. {target.number}" if target.number else target.key
        span = SourceSpan(doc.source.file if doc.source else "", line, line)
        to, writer = ", ".join(p.name for p in doc.recipients if p.copy is None), ", ".join(p.name for p in doc.senders)
        when = target.date.expressed if target.date else "no date"
        out.found[doc.key] = Reply(target.key, "letter-text", Attestation(words, span), (
            f"the text acknowledges a {kind} ('{words}'), and the only earlier {kind} from {to} to "
            f"{writer} in the collection within {WINDOW_DAYS} days is {where} ({when})"))
    elif len(seen) > 1:
        names = ", ".join(sorted(f"No. {d.number}" if d.number else d.key for d in seen.values()))
        out.diagnostics.setdefault(doc.key, []).append(Diagnostic(
            doc.source.file if doc.source else "", line, doc.number or doc.key, "reply-ambiguous",
            f"the text acknowledges a {kind} ('{words}') that may be any of {names}; no reply link made", "warning"))
