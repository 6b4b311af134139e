"""The layouts FORMATS.md lists beyond the usual header: a telegram without header, a header garbled by a
Russian dative, an exchange of messages on one sheet, and the other web rendering's parties.

Why apart from ``document``: each reads parties from somewhere other than the header (an address line,
a signature, a title, a salutation) and must say so (``Party.read_from``, ``Document.flags`` and a
diagnostic); keeping that bookkeeping here keeps the ordinary reading short.
"""

from __future__ import annotations

import re

from kg.model import DocumentPart, Party
from kg.sources import rendering as R
from kg.sources.context import Ctx
from kg.sources.headers import read_address_line, read_signer


def address(ctx: Ctx, line: tuple[int, str]) -> bool:
    """A telegram without header whose first line is its address line: the recipients come from it.

    The sender is not on that line (what stands before "to" is the telegraph office or the sender's
    address); ``signer_sender`` reads it from the signature when that names one person."""
    recipients = read_address_line(line[1])
    if recipients is None:
        return False
    ctx.doc.kind = "telegram"
    ctx.doc.recipients = recipients
    ctx.doc.flags.append("header-missing")
    ctx.doc.fields["address"] = ctx.span(line[0])
    return True


def signer_sender(ctx: Ctx) -> None:
    """A headerless telegram's sender from its signature ("SECRETARY OF THE CC STALIN."), and the diagnostic
    saying where each party came from; an unreadable signature leaves the sender empty, flagged."""
    signer = read_signer(ctx.doc.signatures[0]) if len(ctx.doc.signatures) == 1 else None
    if signer is not None:
        ctx.doc.senders = [signer]
    else:
        ctx.doc.flags.append("sender-unknown")
    span = ctx.doc.fields["address"]
    sender = (f"the sender {signer.name} from the signature {signer.verbatim!r}" if signer else
              "no sender (the signature names nobody we can tell)")
    ctx.report(span.first_line, "missing-header", "no header: recipients "
               f"{', '.join(p.name for p in ctx.doc.recipients)} read from the address line, {sender}", "warning")


def _surname(name: str) -> str:
    return re.sub(r"[^a-zа-яё]", "", (name.split() or [""])[-1].lower())


def check_dative(ctx: Ctx) -> None:
    """The dative reading is dropped when a signature names one of its recipients and not its sender:
    then the page itself contradicts it, and the parties are left empty (an error, no guess)."""
    doc = ctx.doc
    signed = {_surname(re.sub(r"^(?:Your|SECRETARY OF THE CC)\s+", "", s, flags=re.I).rstrip(". "))
              for s in doc.signatures}
    if not signed or _surname(doc.senders[0].name) in signed:
        return
    if signed & {_surname(p.name) for p in doc.recipients}:
        span = doc.fields["header"]
        ctx.report(span.first_line, "ambiguous-header", f"header {doc.header!r} names no sender and the "
                   f"signature names a recipient ({', '.join(doc.signatures)}): parties left empty")
        doc.senders, doc.recipients = [], []
        doc.flags.remove("dative-header")
        ctx.diags[:] = [d for d in ctx.diags if d.code != "dative-header"]


# ------------------------------------------------------------------- the other rendering; exchanges

def title_parties(ctx: Ctx, title: R.Title, salutation: Party | None, address: list[Party] | None) -> None:
    """Parties the title and the first line name: 'Letter to X' (recipients), 'Telegram from X' (senders);
    'Correspondence with X' leaves X's role to the signatures; 'To Comrade Petrov.' (a salutation) or
    'Moscow Kremlin to PETROV.' (a telegram's address line) names the addressees."""
    doc = ctx.doc
    ctx.known = list(title.parties)
    if address and title.relation != "to":
        doc.recipients = address
        ctx.known += address
    if title.relation == "to":
        doc.recipients = list(title.parties)
    elif title.relation == "from":
        doc.senders = list(title.parties)
    if salutation is not None and not doc.recipients:
        same = [p for p in title.parties if R.surname_key(p.name) == R.surname_key(salutation.name)]
        doc.recipients = same[:1] or [salutation]
        ctx.known.append(salutation)


def rendering_parties(ctx: Ctx, title: R.Title) -> None:
    """The sender from the first signature (a party already named, or initials and a surname); the title's
    correspondent who did not write first is the recipient. What stays unknown is flagged and reported."""
    doc = ctx.doc
    first = ctx.rows[ctx.signature_rows[0]][1] if ctx.signature_rows else None
    writer = R.signer(first, doc.senders + doc.recipients + ctx.known) if first else None
    if not doc.senders and writer is not None:
        doc.senders = [writer]
    if title.relation == "with" and not doc.recipients and doc.senders:
        sent = {R.surname_key(p.name) for p in doc.senders}
        doc.recipients = [p for p in title.parties if R.surname_key(p.name) not in sent]
    missing = [role for role, side in (("sender", doc.senders), ("recipient", doc.recipients)) if not side]
    for role in missing:
        doc.flags.append(f"{role}-unknown")
    if missing:
        why = (f"the signature {first!r} is no name we can tell (a single name can be a surname, a first "
               "name or a pseudonym)" if first else "no signature")
        role = {"to": "the recipient", "from": "the sender", "with": "the correspondent"}[title.relation]
        ctx.report(doc.fields["title"].first_line, "partial-parties",
                   f"other rendering: the title {doc.titles[0]!r} names {role} "
                   f"{', '.join(p.name for p in title.parties)}; {' and '.join(missing)} not read ({why})",
                   "warning")


def parts(ctx: Ctx) -> None:
    """An exchange on one sheet: one DocumentPart per message, each with its writer and addressee.

    Only where every message's signature names a party (in the numbered layout: a party of the header)
    and consecutive messages have different writers; otherwise the text stays one message (a P.S. signed
    again, a joint letter, a signature nobody can tell)."""
    doc = ctx.doc
    bounds = R.split_parts([t for _, t in ctx.rows], ctx.signature_rows, ctx.skip)
    if not bounds:
        return
    known = doc.senders + doc.recipients + (ctx.known if doc.layout == "other-rendering" else [])
    writers = [R.signer(ctx.rows[sig][1], known) for _, sig in bounds]
    keys = [R.surname_key(w.name) if w else "" for w in writers]
    named = {R.surname_key(p.name) for p in known}
    if not all(keys) or any(a == b for a, b in zip(keys, keys[1:], strict=False)) or (
            doc.layout == "edition" and not set(keys) <= named):
        return
    addressee = doc.recipients[0] if len(doc.recipients) == 1 else None
    for n, ((start, sig), writer) in enumerate(zip(bounds, writers, strict=True), 1):
        text = "\n\n".join(t for _, t in ctx.rows[start:sig])
        doc.parts.append(DocumentPart(n, text, ctx.rows[sig][1], writer, addressee,
                                      ctx.span(ctx.rows[start][0], ctx.rows[sig][0])))
        addressee = writer
