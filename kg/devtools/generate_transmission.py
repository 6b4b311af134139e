"""Transmission in generated documents (issue 15, extras only): copies, sent / not sent / draft, replies.

What the seed shows and the facts must say, so that bench/parser_accuracy.py can score it:
- copy recipients: the header names every recipient in the edition's order; lines under it tell the
  addressee ("Tov. Belov.", "ISTPART.") from the copies, either "Copies of comrades Orlov, Gusev and
  Zuev." (No. 175) or one "Copy: CC." line per copy (No. 177: "Copy: CC." / "Copy: CCC." / "Copy:
  Editorial Pravda."); a telegram's "TO BELOV, copy TO ORLOV" (drawn by generate_text) is a copy too;
- status: "sent" where a "Filed from" or "Received and deciphered" line says so, "not-sent" where a note
  quotes the author's "not sent." (No. 171, note 4), "draft" where a note says the document is a draft;
  nothing where the page is silent;
- replies: "Your letter received." opening the text (No. 176 -> 174), only where the collection holds
  exactly one earlier document from the addressee to the writer that was sent and the reading is plain;
  or a note naming the document answered ("Reply to ... (document No. 174)."). Where the addressee
  wrote twice in the window (a follow-up letter), the acknowledgement names neither and the facts say
  no reply: a reader must not guess between them.

Every copy name is checked to name exactly one header recipient, so the facts have one right reading.
Drawn from a random generator of their own (``transmission_rng``): the other layouts' draws and the
corpora without extras stay what they were.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kg.devtools.generate_facts import DateFact, PartyFact, PlaceDateFact
from kg.devtools.generate_vocab import MONTHS, Person

COPY_RATE = 0.35  # of letters with two or more recipients
NOT_SENT_RATE = 0.03  # of documents no place/date line says were sent
DRAFT_RATE = 0.02
ANSWER_RATE = 0.06  # of documents: written by the addressee of a recent one-to-one letter, to its writer
FOLLOW_UP_RATE = 0.04  # of documents: a second letter of the same writer to the same addressee (an answer
#   to either is ambiguous from its text alone)
REPLY_RATE = 0.8  # of documents with an earlier document the other way: they say they answer it
NOTE_REPLY_SHARE = 0.35  # of replies: said in a note (the text acknowledging it or not)
WINDOW = (2, 80)  # days between the letter answered and the answer (the resolver looks 92 days back)
CLEAR_DAYS = 140  # no other document the other way within this many days: the acknowledgement is plain
PLAIN_DATE_FORMS = ("exact", "year-supplied", "whole-supplied")  # a date that names one day
# the short forms the edition's copy lines print for bodies ("Copy: CC.", "Copy: Editorial Pravda.")
SHORT_FORMS = {"Central Committee of the RSDLP(b)": "CC", "Central Committee of the RCP(b)": "CC",
               "Central Committee of the All-Union Communist Party of Bolsheviks": "CC",
               "Central Control Commission": "CCC", "editorial board of Pravda": "Editorial Pravda"}
LETTERHEADS = ("People's Commissar of Communications", "Secretary of the Central Committee",
               "Chairman of the Revolutionary Military Council")
ADDRESSEE_FORMS = {"Eastpart": "ISTPART"}  # the addressee line over the copies: No. 177's "ISTPART."
_FILLER = {"of", "the", "to", "comrade", "comrades", "tov", "and", "board"}


def transmission_rng(seed: int) -> random.Random:
    """Transmission's own draws: the main corpus and the other layouts never see them."""
    return random.Random(seed * 104729 + 171)


@dataclass
class Sent:
    """What later documents need to know of an earlier one to answer it."""

    number: str
    day: date
    senders: frozenset[str]  # surnames (persons) or names (bodies)
    recipients: frozenset[str]
    kind: str
    status: str | None
    plain_date: bool
    full_names: bool  # the parties are printed with initials (a headerless telegram names surnames only)
    pair: tuple[tuple[PartyFact, Person], tuple[PartyFact, Person]] | None = None  # one person to one person
    earliest: str | None = None  # the printed date's earliest Gregorian day (None: open)


@dataclass
class Plan:
    """The transmission of one document: lines to print and the facts they state."""

    copy_lines: list[str] = field(default_factory=list)  # after the date line, before the greeting
    copies: list[str] = field(default_factory=list)  # header names of the copy recipients, in header order
    status: str | None = None
    status_note: str | None = None
    reply_to: str | None = None
    reply_basis: str | None = None  # letter-text | editor-note
    acknowledgement: str | None = None  # opens the text: "Your letter received."
    reply_note: str | None = None
    variants: list[str] = field(default_factory=list)  # what the page shows, for the per-variant table

    def facts(self) -> dict:
        return {"copies": self.copies, "status": self.status, "reply_to": self.reply_to,
                "reply_basis": self.reply_basis, "variants": self.variants}


def _key(party: PartyFact) -> str:
    return party.surname or party.name


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", text.lower()) if w not in _FILLER}


def _names_one(piece: str, recipients: list[PartyFact], target: PartyFact) -> bool:
    """Does the copy line's name name the target and no other header recipient (by its words)?"""
    wanted = _words(piece)
    return bool(wanted) and [r for r in recipients if wanted <= _words(r.name)] == [target]


def _short(party: PartyFact, recipients: list[PartyFact], rng: random.Random) -> str | None:
    """How a copy line names one recipient: a body's short form or full name, a person's surname."""
    if party.kind == "person":  # the surname, or the full name where the surname is part of another's
        return next((n for n in (party.surname or party.name, party.name) if _names_one(n, recipients, party)), None)
    short = SHORT_FORMS.get(party.name)
    if short and short.isupper() and sum(SHORT_FORMS.get(r.name) == short for r in recipients) == 1 \
            and rng.random() < 0.7:
        return short  # initials: the parser reads them against the name's capitals
    if short and not short.isupper() and _names_one(short, recipients, party):
        return short
    return party.name if _names_one(party.name, recipients, party) else None


def _copy_lines(rng: random.Random, recipients: list[PartyFact]) -> tuple[list[str], list[str], str] | None:
    """(lines, copy names, variant) for a letter to several recipients: the first is the addressee."""
    addressee, copies = recipients[0], recipients[1:]
    shorts = [_short(p, recipients, rng) for p in copies]
    if any(s is None for s in shorts) or (addressee.kind == "person" and addressee.surname is None):
        return None
    short = ADDRESSEE_FORMS.get(addressee.name) or SHORT_FORMS.get(addressee.name) or addressee.name
    first = f"Tov. {addressee.surname}." if addressee.kind == "person" else f"{short.upper()}."
    names = [s for s in shorts if s]
    if all(p.kind == "person" for p in copies) and rng.random() < 0.6:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        line = rng.choice((f"Copies of comrades {joined}.", f"Copies: comrades {joined}.")) if len(names) > 1 \
            else f"Copy to comrade {joined}."
        return [first, line], [p.name for p in copies], "copies-of-comrades"
    if rng.random() < 0.3:  # the edition's capitals for people in a copy line: "Copy: comrade ZUEV."
        names = [f"comrade {n.upper()}" if p.kind == "person" else n for n, p in zip(names, copies, strict=True)]
    return [first, *(f"Copy: {s}." for s in names)], [p.name for p in copies], "copy-lines"


def _status_note(rng: random.Random, status: str, kind: str, sender: Person | None) -> str:
    who = f"{sender.surname}'s" if sender else "the author's"
    if status == "not-sent":
        return rng.choice((
            f'On the first page of the {kind}, at the top, in red pencil, {who} note: "not sent."',
            f'On the letterhead: "{rng.choice(LETTERHEADS)}." On the first page of the {kind}, at the top, '
            f'in red pencil, {who} note: "not sent."',  # No. 171's note 4 word for word
            f"The {kind} was not sent; the autograph is kept in the author's papers.",
            f'At the top of the {kind}, {who} note: "Not sent."'))
    return rng.choice((f"The {kind} is a draft; the copy that was sent has not been found.",
                       'At the top of the first page, in the author\'s hand: "Draft."'))


def _answerable(log: list[Sent], day: date, writer: str, addressee: str) -> tuple[list[Sent], list[Sent]]:
    """(documents from the addressee to the writer in the answer's window, those within CLEAR_DAYS)."""
    near, clear = [], []
    for s in log:
        if addressee in s.senders and writer in s.recipients:
            gap = (day - s.day).days
            if 0 <= gap <= CLEAR_DAYS:
                clear.append(s)
                if WINDOW[0] <= gap <= WINDOW[1]:
                    near.append(s)
    return near, clear


def _printed_before(answered: Sent, latest: str | None) -> bool:
    """Can a document whose printed date ends on `latest` answer `answered`, as the pages print them?

    The true days keep the answer after the letter, but a printed date may not hold its true day ("[late
    June]" for a letter of 5 June, a range moved back from the month's end): the facts must not say a
    letter answers one its page dates after it (the shapes reject that as an answer to a later letter)."""
    return answered.earliest is None or latest is None or answered.earliest <= latest


def answer_parties(rng: random.Random, log: list[Sent], day: date, senders: list, recipients: list
                   ) -> tuple[list, list]:
    """Now and then the parties of an answer: the addressee of a recent one-to-one document writes back
    (drawn parties otherwise). Answers must be common enough for the replies to be measured."""
    roll = rng.random()
    if roll >= ANSWER_RATE + FOLLOW_UP_RATE:
        return senders, recipients
    recent = [s for s in log if s.pair and s.status is None and WINDOW[0] <= (day - s.day).days <= WINDOW[1]]
    if not recent:
        return senders, recipients
    twice = Counter((s.senders, s.recipients) for s in recent)
    busy = [s for s in recent if twice[(s.senders, s.recipients)] > 1]  # followed up: an answer may be unclear
    writer, addressee = rng.choice(busy if busy and rng.random() < 0.7 else recent).pair  # type: ignore[misc]
    return ([addressee], [writer]) if roll < ANSWER_RATE else ([writer], [addressee])


def _reply(rng: random.Random, plan: Plan, log: list[Sent], day: date, latest: str | None,
           senders: list[PartyFact], recipients: list[PartyFact], dated_and_named: bool) -> None:
    """An answer to the one earlier document the other way, in the text and/or a note.

    dated_and_named: this document's date names one day and its parties are printed in full. The text
    alone ("Your letter received.") says which letter only if that holds of both letters and no other
    letter the other way is near; "Zhukov" signing a headerless telegram need not be the "F. K. Zhukov" of
    a header, so such an answer is said in a note. Where two sent letters of the same kind came the other
    way in the window, the acknowledgement names neither: the facts say no reply ("reply-ambiguous").
    latest: this document's printed latest Gregorian day; a letter printed as written after it is no candidate."""
    if len(senders) != 1 or len(recipients) != 1 or senders[0].kind != "person" or recipients[0].kind != "person":
        return
    near, clear = _answerable(log, day, _key(senders[0]), _key(recipients[0]))
    sent = [s for s in near if s.status not in ("not-sent", "draft") and _printed_before(s, latest)]
    if not sent or rng.random() >= REPLY_RATE:
        return
    target = sent[-1]
    in_note = rng.random() < NOTE_REPLY_SHARE
    plain = len(clear) == 1 and target.plain_date and target.full_names and dated_and_named
    if not in_note and not plain:
        alike = [s for s in sent if s.kind == target.kind and s.plain_date and s.full_names]
        if len(alike) >= 2 and dated_and_named:
            plan.acknowledgement = f"Your {target.kind} received."
            plan.variants.append("reply-ambiguous")
        return
    plan.reply_to, plan.reply_basis = target.number, "editor-note" if in_note else "letter-text"
    if plain and (not in_note or rng.random() < 0.5):
        plan.acknowledgement = f"Your {target.kind} received."
        plan.variants.append("reply-text")
    if in_note:
        d = target.day
        plan.reply_note = rng.choice((
            f"Reply to {recipients[0].name}'s {target.kind} of {d.day} {MONTHS[d.month - 1]} {d.year} "
            f"(document No. {target.number}).",
            f"Answer to document No. {target.number}."))
        plan.variants.append("reply-note")


def plan(rng: random.Random, log: list[Sent], number: str, day: date, kind: str, senders: list[PartyFact],
         recipients: list[PartyFact], sender: Person | None, printed: DateFact, place_dates: list[PlaceDateFact],
         address_copy: PartyFact | None, layout: str | None,
         pair: tuple[tuple[PartyFact, Person], tuple[PartyFact, Person]] | None) -> Plan:
    """Draw the transmission of document `number` (true day `day`) and log it for later answers.

    printed: the document's date line as printed (its form; its Gregorian bounds, against replies the page
    would date before the letter they answer);
    address_copy: the recipient a telegram's "TO BELOV, copy TO ORLOV" line already sends a copy;
    pair: the sender and the recipient of a one-person-to-one-person document (answer_parties' choice)."""
    out = Plan()
    roll = rng.random()
    if address_copy is not None:
        out.copies, out.variants = [address_copy.name], ["address-copy"]
    elif kind == "letter" and layout is None and len(recipients) > 1 and roll < COPY_RATE:
        drawn = _copy_lines(rng, recipients)
        if drawn:
            out.copy_lines, out.copies, variant = drawn
            out.variants.append(variant)
    if any(p.role in ("filed", "received") for p in place_dates):
        out.status = "sent"
        out.variants.append("sent")
    else:
        roll = rng.random()
        out.status = "not-sent" if roll < NOT_SENT_RATE else "draft" if roll < NOT_SENT_RATE + DRAFT_RATE else None
        if out.status:
            out.status_note = _status_note(rng, out.status, kind, sender)
            out.variants.append(out.status)
    plain_date, full_names = printed.form in PLAIN_DATE_FORMS, layout != "headerless-telegram"
    if out.status is None:  # a letter never sent or a draft answers nobody
        _reply(rng, out, log, day, printed.gregorian_latest, senders, recipients, plain_date and full_names)
    log.append(Sent(number, day, frozenset(map(_key, senders)), frozenset(map(_key, recipients)), kind,
                    out.status, plain_date, full_names, pair, printed.gregorian_earliest))
    while log and (day - log[0].day).days > CLEAR_DAYS:
        log.pop(0)
    return out
