"""Deterministic, seeded corpus generator: pages in the collection's own format, with their expected facts.

Benchmarks and scale tests need 1k-100k documents that exercise the whole pipeline the way real pages do
(every header separator, date form, citation variant and note-numbering damage of FORMATS.md), and the
parser's accuracy must be measurable on them. So every page comes with a facts file, ``expected.jsonl``,
written from the same draws that wrote the text.

Same (n_docs, seed, docs_per_page) -> byte-identical files: one ``random.Random(seed)`` drawn in a fixed
order, no clock, no ``hash()``. Streaming: one page is in memory at a time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kg.devtools import generate_layouts as GL
from kg.devtools import generate_transmission as GT
from kg.devtools.generate_facts import DateFact, DocumentFacts, NoteFact, PartyFact, PlaceDateFact
from kg.devtools.generate_notes import NoteContext, notes
from kg.devtools.generate_parts import DAY_FORMS, citation_line, date_line, header_line, pick_parties, place_date_line
from kg.devtools.generate_text import (
    body_paragraphs,
    closing,
    greeting,
    place_markers,
    sentence_pool,
    signature_lines,
)
from kg.devtools.generate_vocab import Person

FIRST_DAY, LAST_DAY = date(1912, 1, 14), date(1927, 12, 31)  # printed (Old Style) dates start 1912-01-01
FACTS_FILE = "expected.jsonl"
PAGE_GLOB = "bolshevik-correspondence-*.txt"
BANNER = (
    "Bolshevik Leaders correspondence",
    "",
    "Marx-Engels |\u00a0 Lenin \u00a0| Stalin |\u00a0 Home Page",
    "",
    "\u00a0Bolshevik leadership Correspondence. 1912-1927",
    "Collection of documents 1996.",
    "",
    "Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk.",
    "\u00a0",
)
NOTE_COUNT_WEIGHTS = (25, 20, 17, 13, 10, 7, 5, 3)  # 0..7 notes
LETTER_COPY_RATE = 0.03  # extras: share of documents that also have a per-letter page


@dataclass
class GeneratedDocument:
    """One document as it stands on its page (text without the page banner) and what it says."""

    text: str
    facts: DocumentFacts
    rendering: GL.Rendering | None = None  # extras: the same document on a page of the other rendering


@dataclass
class GeneratedPage:
    name: str  # file name, like the collection's: bolshevik-correspondence-1923-nos-167-177.txt
    text: str
    documents: list[GeneratedDocument]


@dataclass
class _State:
    """What persists from one document to the next: the draws, the prose pool, the cross-reference targets."""

    rng: random.Random
    pool: list[str]
    n_docs: int
    ctx: NoteContext
    extras: bool = False
    layout_rng: random.Random | None = None  # extras: the draws of generate_layouts
    transmission_rng: random.Random | None = None  # extras: the draws of generate_transmission
    sent: list[GT.Sent] = field(default_factory=list)  # extras: recent documents, for answers to them


def _true_day(state: _State, index: int) -> date:
    """Dates rise with the document number, spread evenly over 1912-1927 (as the edition is ordered)."""
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + timedelta(days=int((index + state.rng.random()) * span / state.n_docs))


def _parties(rng: random.Random, year: int) -> tuple[list[tuple[PartyFact, Person | None]], ...]:
    senders = pick_parties(rng, year, rng.choices((1, 2, 3), (85, 10, 5))[0], 0.08)
    recipients = pick_parties(rng, year, rng.choices((1, 2, 3, 4), (75, 13, 8, 4))[0], 0.15,
                              exclude={s.name for s, _ in senders})
    return senders, recipients


def _place_dates(rng: random.Random, form: str, day: date, telegram: bool) -> list[PlaceDateFact]:
    """Second place/date lines exist only when the day of writing is known (the editors would print it)."""
    if form not in DAY_FORMS or rng.random() > 0.45:
        return []
    known = form != "year-supplied"
    lines = [place_date_line(rng, day, known, telegram, rng.choice(("head", "end")))]
    if rng.random() < 0.1:
        lines.append(place_date_line(rng, day, known, telegram, "end"))
    return lines


def _body(state: _State, telegram: bool, recipients: list[Person | None],
          markers: list[int]) -> tuple[list[str], list[str]]:
    """Greeting or address line; paragraphs carrying the markers, a closing formula."""
    rng = state.rng
    persons = [p for p in recipients if p]
    head = [g] if (g := greeting(rng, recipients[0], telegram, persons[1:])) else []
    lines: list[str] = []
    paras = place_markers(rng, body_paragraphs(rng, state.pool, telegram), markers)
    if rng.random() < 0.01 and not any(c.isdigit() for c in paras[0]):  # a page glitch repeats a passage
        paras.insert(1, paras[0])  # (one without markers: the facts must not depend on de-duplication)
    lines += paras
    if not telegram and (c := closing(rng)):
        lines.append(c)
    return head, lines


def _transmission(state: _State, number: int, day: date, kind: str, senders: list, recipients: list,
                  dfact: DateFact, place_dates: list[PlaceDateFact], head: list[str], layout: str | None
                  ) -> GT.Plan | None:
    """Extras: the document's copies, status and reply (generate_transmission); None without extras."""
    if state.transmission_rng is None:
        return None
    copy_to = re.search(r", copy TO (\S+)$", head[0]) if head else None
    address_copy = next((r for r, p in recipients if copy_to and p and p.surname.upper() == copy_to[1]), None)
    (sender, sp), (recipient, rp) = senders[0], recipients[0]
    pair = ((sender, sp), (recipient, rp)) if sp and rp and len(senders) == len(recipients) == 1 else None
    return GT.plan(state.transmission_rng, state.sent, str(number), day, kind, [s for s, _ in senders],
                   [r for r, _ in recipients], senders[0][1], dfact, place_dates, address_copy, layout, pair)


def _signed(signature: str, marker: int) -> str:
    """A signature carrying a note marker, as the seed prints them: 'Arvid 10 .', 'S. Minin 2 .', 'F. D. 3 .'."""
    if signature.endswith(".") and signature[-2:-1].islower():
        signature = signature[:-1]
    return f"{signature} {marker} ."


def _document(state: _State, index: int) -> GeneratedDocument:
    """Document number index+1, in the seed's order of lines; every draw goes into text and facts alike.

    With extras, some documents are written in one of the layouts of generate_layouts (its own draws)."""
    rng, number = state.rng, index + 1
    true_day = _true_day(state, index)
    telegram = rng.random() < 0.15
    number_line = f"Number {number}" if rng.random() < 0.03 else f"No. {number}"
    senders, recipients = _parties(rng, true_day.year)
    if state.transmission_rng:  # extras: some documents answer an earlier one (generate_transmission)
        senders, recipients = GT.answer_parties(state.transmission_rng, state.sent, true_day, senders, recipients)
    lrng = state.layout_rng
    layout = GL.pick_layout(lrng, telegram, senders, recipients) if lrng else None
    header = header_line(rng, [s for s, _ in senders], [r for r, _ in recipients], telegram)
    dfact, day = date_line(rng, true_day)
    place_dates = _place_dates(rng, dfact.form, day, telegram)
    state.ctx.number, state.ctx.year = number, day.year
    marked = [rng.random() < 0.95 for _ in range(rng.choices(range(8), NOTE_COUNT_WEIGHTS)[0])]
    note_lines, note_facts, note_texts = notes(rng, marked, state.ctx)
    markers = [n.number for n, m in zip(note_facts, marked, strict=True) if m]
    signatures = signature_lines(rng, [p for _, p in senders if p], telegram)
    sig_marker = (markers.pop() if markers and len(signatures) == 1 and layout != "exchange" and rng.random() < 0.15
                  else None)
    signed = [_signed(signatures[0], sig_marker)] if sig_marker else signatures
    citation = citation_line(rng)
    head, message = _body(state, telegram, [p for _, p in recipients], markers)
    shown_senders, shown_recipients = [s for s, _ in senders], [r for r, _ in recipients]
    plan = _transmission(state, number, true_day, "telegram" if telegram else "letter", senders, recipients,
                         dfact, place_dates, head if layout != "headerless-telegram" else [], layout)
    if plan:
        for text in filter(None, (plan.status_note, plan.reply_note)):  # unmarked notes, like No. 171's note 4
            n = len(note_facts) + 1
            note_lines.append(f"{n} {text}")
            note_facts.append(NoteFact(n, str(n), "plain", "transmission"))
            note_texts.append(text)
        if plan.acknowledgement:  # in the telegram's capitals where it prints them
            ack = plan.acknowledgement.upper() if message[0].isupper() else plan.acknowledgement
            message[0] = f"{ack} {message[0]}"
    opening = [header, dfact.expressed]
    parts: list[dict] = []
    sender, people = senders[0][1], [p for _, p in recipients if p]
    if layout == "headerless-telegram" and lrng and sender:
        address = GL.address_line(lrng, people)
        opening = [address, dfact.expressed] if lrng.random() < 0.7 else [dfact.expressed, address]
        header, head = "", []
        shown_senders, shown_recipients = [GL.surname_fact(sender)], [GL.surname_fact(p) for p in people]
    elif layout == "dative-header" and lrng and sender:
        header = GL.dative_header(lrng, sender, people)
        opening = [header, dfact.expressed]
    elif layout == "exchange" and lrng and sender:
        first, answers = GL.exchange(lrng, state.pool, sender, people[0])
        signatures = signed = [first, *answers[1::2]]
        message += [first, *answers]
        writers = [sender, people[0], sender][:len(signed)]
        parts = [{"writer": w.name, "addressee": a.name} for w, a in zip(writers, [people[0], *writers], strict=False)]
    if layout != "exchange":
        message += signed
    lines = [number_line, *opening, *(p.verbatim for p in place_dates if p.position == "head"),
             *(plan.copy_lines if plan else []), *head, *message]
    markers += [sig_marker] if sig_marker else []
    lines += [p.verbatim for p in place_dates if p.position == "end"]
    lines.append(citation.verbatim)
    label = rng.random() < (0.9 if note_lines else 0.2)  # some pages omit "Notes:"; some print it over nothing
    lines += (["Notes:"] if label else []) + note_lines
    if note_facts:
        state.ctx.recent.append((number, len(note_facts)))
    facts = DocumentFacts(str(number), number_line, "", "telegram" if telegram else "letter", header,
                          shown_senders, shown_recipients, dfact, citation, place_dates,
                          signatures, markers, note_facts, label)
    facts.layouts = [layout] if layout else []
    facts.parts = parts
    facts.transmission = plan.facts() if plan else None
    doc = GeneratedDocument("\n".join(lines), facts)
    if lrng and layout in (None, "exchange") and sender and len(senders) == 1 and len(people) == 1 \
            and len(recipients) == 1 and dfact.form in DAY_FORMS \
            and lrng.random() < (0.5 if layout else GL.RENDERING_RATE):
        doc.rendering = GL.rendering_page(lrng, str(number), facts.kind, sender, people[0],
                                          (dfact.form, dfact.expressed, dfact.earliest or ""), message,
                                          note_texts, citation.verbatim, layout == "exchange")
    return doc


def _introduction(state: _State) -> GeneratedPage:
    """A page that holds no document (the compilers' foreword, a section title): zero documents, not an error."""
    rng = state.rng
    paras = [" ".join(rng.choices(state.pool, k=rng.randint(3, 6))) for _ in range(rng.randint(2, 4))]
    text = "\n".join(BANNER) + "\n\n" + "\n\n".join(["FROM THE COMPILERS", *paras, "Section I 1912 - 1921"])
    return GeneratedPage("bolshevik-correspondence-1912-introduction.txt", text + "\n", [])


def _party_title(party: PartyFact) -> str:
    return party.surname or party.name


def _letter_copies(state: _State, docs: list[GeneratedDocument], sep: str) -> list[GeneratedPage]:
    """Some letters also have a page of their own in another section ('from Belov to Orlov'), in the other
    paragraph style: the same document on two pages, to be merged into one letter seen on both."""
    other, pages = ("\n" if sep == "\n\n" else "\n\n"), []
    for doc in docs:
        if state.rng.random() >= LETTER_COPY_RATE:
            continue
        f = doc.facts
        name = f"bolshevik-correspondence-letter-{f.number}.txt"
        title = f"from {_party_title(f.senders[0])} to {_party_title(f.recipients[0])}"
        body = doc.text.replace(sep, other)
        pages.append(GeneratedPage(name, "\n".join(BANNER) + other + other.join([title, body, "\u00a0"]) + "\n", []))
        f.also_on.append(name)
    return pages


def _renderings(docs: list[GeneratedDocument]) -> list[GeneratedPage]:
    """Pages of the other rendering for the documents that have one (their facts list the page too)."""
    pages = []
    for doc in docs:
        if doc.rendering is not None:
            pages.append(GeneratedPage(doc.rendering.name, doc.rendering.text, []))
            doc.facts.also_on.append(doc.rendering.name)
            doc.facts.rendering = doc.rendering.facts
    return pages


def _pages(state: _State, first: int, last: int) -> list[GeneratedPage]:
    """The page of documents first..last (0-based, exclusive end), then (extras) their per-letter copies
    and their pages of the other rendering."""
    page, sep = _page(state, first, last)
    if not state.extras:
        return [page]
    return [page, *_letter_copies(state, page.documents, sep), *_renderings(page.documents)]


def _page(state: _State, first: int, last: int) -> tuple[GeneratedPage, str]:
    """Documents first..last on one page, in one paragraph style (returned with the page)."""
    rng = state.rng
    sep = "\n\n" if rng.random() < 0.7 else "\n"
    docs = [_document(state, i) for i in range(first, last)]
    facts0 = docs[0].facts
    year = (facts0.date.earliest or facts0.date.latest or "")[:4]
    name = f"bolshevik-correspondence-{year}-nos-{first + 1}-{last}.txt"
    parts = ["\n".join(BANNER)]
    if rng.random() < 0.1 and facts0.senders[0].surname and facts0.recipients[0].surname:
        parts.append(f"from {facts0.senders[0].surname} to {facts0.recipients[0].surname}")
    for doc in docs:
        doc.facts.page = name
        doc.text = doc.text.replace("\n", sep)
        parts.append(doc.text + sep + "\u00a0")
    return GeneratedPage(name, sep.join(parts) + "\n", docs), sep


def generate_pages(n_docs: int, seed: int = 0, docs_per_page: int = 20,
                   extras: bool = False) -> Iterator[GeneratedPage]:
    """The corpus page by page (numbers 1..n_docs, dates rising from 1912 to 1927).

    extras: also an introduction page (no document), per-letter copies of ~3 % of the documents on
    pages of their own, as the collection has, and the layouts of generate_layouts (headerless telegrams,
    garbled dative headers, exchanges on one sheet, ~4 % of the documents also on a page of the other
    rendering) and of generate_transmission (copy lines, "not sent" and draft notes, replies: every
    document's facts carry "transmission"); off by default so benchmarks see one page per 20 documents,
    byte for byte as before.
    """
    if n_docs < 0 or docs_per_page < 1:
        raise ValueError("n_docs must be >= 0 and docs_per_page >= 1")
    rng = random.Random(seed)
    state = _State(rng, sentence_pool(rng), n_docs, NoteContext(0, FIRST_DAY.year), extras,
                   GL.layout_rng(seed) if extras else None, GT.transmission_rng(seed) if extras else None)
    if extras:
        yield _introduction(state)
    for first in range(0, n_docs, docs_per_page):
        yield from _pages(state, first, min(n_docs, first + docs_per_page))


def generate_documents(n_docs: int, seed: int = 0, docs_per_page: int = 20,
                       extras: bool = False) -> Iterator[GeneratedDocument]:
    """The same documents write_corpus writes (same draws), one at a time, for in-memory use."""
    for page in generate_pages(n_docs, seed, docs_per_page, extras):
        yield from page.documents


def write_corpus(out_dir: Path, n_docs: int, seed: int = 0, docs_per_page: int = 20,
                 extras: bool = False) -> list[Path]:
    """Write the pages and ``expected.jsonl`` into out_dir; return the page paths in the order written.

    Pages of an earlier run in out_dir (same file-name pattern) are removed first, so a smaller corpus
    written over a larger one leaves no stale pages behind. ``extras``: see generate_pages.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(PAGE_GLOB):
        stale.unlink()
    paths = []
    with (out_dir / FACTS_FILE).open("w", encoding="utf-8", newline="\n") as facts_out:
        for page in generate_pages(n_docs, seed, docs_per_page, extras):
            path = out_dir / page.name
            path.write_text(page.text, encoding="utf-8", newline="\n")
            facts_out.writelines(doc.facts.to_line() + "\n" for doc in page.documents)
            paths.append(path)
    return paths
