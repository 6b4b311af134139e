"""One document from its chunk of page: header, date, body (markers, place/dates, signatures), citation, notes.

Why apart from ``parse``: this is the field-by-field reading of a single document, the part a reader
of the source checks against the page; ``parse`` is the machinery around it (pages, parallel
workers, merging copies). Each field family has its own module (``headers``, ``dates``, ``body``,
``citations``, ``notes``); this one calls them in the order the page gives the fields.
"""

from __future__ import annotations

import re

from kg.errors import Diagnostic
from kg.model import DateStatement, Document, Note, PlaceDate, Reference, SourceSpan
from kg.sources import body as B
from kg.sources import layouts as L
from kg.sources import notes as N
from kg.sources import rendering as R
from kg.sources import transmission as T
from kg.sources.citations import is_citation_line, is_form_line, is_garbled_citation_line, read_citation, read_form
from kg.sources.context import Ctx
from kg.sources.dates import DateProblem, is_date_line, outside_collection, parse_date, split_placed_date
from kg.sources.headers import read_address_line, read_header
from kg.sources.split import Chunk


def _header(ctx: Ctx, lines: list[tuple[int, str]]) -> int:
    """Read the header (if any); returns how many lines it consumed."""
    if not lines:
        ctx.report(ctx.chunk.first_line, "empty-document", "a number line with no document after it")
        return 0
    lineno, text = lines[0]
    if is_date_line(text):
        if len(lines) > 1 and L.address(ctx, lines[1]):
            return 0
        ctx.report(lineno, "missing-header", "no header line (the date follows the number): sender and "
                   "recipients unknown")
        return 0
    if L.address(ctx, lines[0]):
        return 0
    reading = read_header(text)
    followed_by_date = len(lines) > 1 and split_placed_date(lines[1][1]) is not None
    ctx.doc.kind = reading.kind
    if not reading.is_header and not followed_by_date:
        ctx.report(lineno, "ambiguous-header", f"header missing: {reading.problem}")
        return 0
    ctx.doc.header = text
    ctx.doc.fields["header"] = ctx.span(lineno)
    if reading.problem:
        ctx.report(lineno, "ambiguous-header", f"header not read, parties left empty: {reading.problem}")
    if reading.dative:
        ctx.doc.flags.append("dative-header")
        ctx.report(lineno, "dative-header", f"{text!r} names no sender: read as the Russian genitive + dative, "
                   f"sender {reading.senders[0].name}, recipients "
                   f"{', '.join(p.name for p in reading.recipients)} (flagged 'dative-header')", "warning")
    ctx.doc.senders, ctx.doc.recipients = reading.senders, reading.recipients
    return 1


def _date(ctx: Ctx, lines: list[tuple[int, str]]) -> int:
    """The date line ("March 5 [1921]"; also "Tiflis, March 5, 1921", whose place becomes a PlaceDate)."""
    placed = split_placed_date(lines[0][1]) if lines else None
    if placed is None:
        ctx.report(lines[0][0] if lines else ctx.chunk.last_line, "missing-date", "no date line", "warning")
        return 0
    lineno, (place, text) = lines[0][0], placed
    ctx.doc.fields["date"] = ctx.span(lineno)
    stmt = parse_date(text)
    if place:
        ctx.doc.place_dates.append(PlaceDate(verbatim=lines[0][1], place=place,
                                             date=stmt if isinstance(stmt, DateStatement) else None,
                                             span=ctx.span(lineno)))
    if isinstance(stmt, DateProblem):
        ctx.report(lineno, "impossible-date", f"{text!r}: {stmt.message}; date left empty")
    elif stmt is None:
        ctx.report(lineno, "unreadable-date", f"{text!r} is not a date we can read")
    else:
        stmt.span = ctx.span(lineno)
        ctx.doc.date = stmt
        if outside_collection(stmt):
            ctx.report(lineno, "date-out-of-range", f"{text!r} is outside the collection's years 1912-1927; "
                       "date kept as printed", "warning")
    return 1


def _citation(ctx: Ctx, lines: list[tuple[int, str]]) -> int | None:
    """Index of the citation's last line in ``lines`` (None: no citation; notes start at a 'Notes:' label).

    A citation with garbage where numbers belong ("F. abc") is still the citation: its readable parts
    are kept, the others left empty and named in an "unreadable-citation" diagnostic.
    """
    for i, (lineno, text) in enumerate(lines):
        if is_citation_line(text) or is_garbled_citation_line(text):
            cit, garbled = read_citation(text)
            if cit is None:
                ctx.report(lineno, "unreadable-citation", f"cannot read the citation {text!r}")
                return i
            if garbled:
                ctx.report(lineno, "unreadable-citation", f"citation {text!r}: {' and '.join(garbled)} "
                           f"{'is' if len(garbled) == 1 else 'are'} not archival numbers; left empty")
            last = lineno
            if cit.form is None and i + 1 < len(lines) and is_form_line(lines[i + 1][1]):
                read_form(lines[i + 1][1], cit)  # the form printed on its own line
                i, last = i + 1, lines[i + 1][0]
            cit.span = ctx.span(lineno, last)
            ctx.doc.citation = cit
            ctx.doc.fields["citation"] = cit.span
            return i
    return None


def _place_dates(ctx: Ctx, rows: list[tuple[int, str]]) -> set[int]:
    """Place/date lines of the body (a lone place line joins the date line after it); their rows."""
    used: set[int] = set()
    for r, (lineno, text) in enumerate(rows):
        if r in used:
            continue
        pd = B.read_place_date(text, ctx.doc.date, ctx.span(lineno)) if B.may_be_place_date(text) else None
        if pd is None and B.PLACE_ONLY.match(text) and r + 1 < len(rows) and B.LONG_LINE.match(rows[r + 1][1]):
            pd = B.read_place_date(f"{text.rstrip('.')}, {rows[r + 1][1]}", ctx.doc.date,
                                   ctx.span(lineno, rows[r + 1][0]))
            if pd is not None:
                used.add(r + 1)
        if pd is None:
            continue
        used.add(r)
        if isinstance(pd, DateProblem):
            ctx.report(lineno, "impossible-date", f"place/date line {text!r}: {pd.message}", "warning")
            continue
        ctx.doc.place_dates.append(pd)
    return used


def _signatures(ctx: Ctx, rows: list[tuple[int, str]], skip: set[int]) -> None:
    """Short name-like lines after the letter's first long paragraph (salutations come before it)."""
    long_seen = False
    lines: list[int] = []
    for r, (lineno, text) in enumerate(rows):
        if len(text.split()) >= 12:
            long_seen = True
            continue
        if long_seen and r not in skip and B.is_signature(text):
            ctx.doc.signatures.append(text)
            lines.append(lineno)
            ctx.signature_rows.append(r)
    closing = [r for r in range(len(rows)) if r not in skip][-1:]
    if not long_seen and closing and closing[0] > 0 and B.is_signature(rows[closing[0]][1]):
        ctx.doc.signatures.append(rows[closing[0]][1])  # a short telegram: its last line, if name-like
        lines.append(rows[closing[0]][0])
        ctx.signature_rows.append(closing[0])
    if rows and not ctx.doc.signatures and (sig := B.trailing_signature(rows[-1][1])):
        ctx.doc.signatures.append(sig)
        lines.append(rows[-1][0])
    if lines:
        ctx.doc.fields["signature"] = ctx.span(lines[0], lines[-1])


def _body(ctx: Ctx, rows: list[tuple[int, str]], allowed: set[int]) -> None:
    cleaned, markers = B.strip_markers(rows, allowed)
    ctx.doc.body = "\n\n".join(cleaned)
    ctx.doc.markers = markers
    if rows:
        ctx.doc.fields["body"] = ctx.span(rows[0][0], rows[-1][0])
    clean_rows = [(ln, t) for (ln, _), t in zip(rows, cleaned, strict=True)]
    used = _place_dates(ctx, clean_rows)
    _signatures(ctx, clean_rows, used)
    ctx.rows, ctx.skip = clean_rows, used


def _note_paragraphs(lines: list[tuple[int, str]]) -> list[N.Paragraph]:
    return [N.classify(ln, text) for ln, text in lines if not N.is_label(text)]


def _attach(ctx: Ctx, notes: list[Note]) -> None:
    """Markers to notes; references ('Ibid.' from this document's previous one); warnings both ways."""
    by_number = {m.number: m for m in ctx.doc.markers}
    previous: Reference | None = None
    for note in notes:
        line = note.span.first_line if note.span else ctx.chunk.first_line
        note.marker = by_number.get(note.number)
        if note.marker is None and "notes-unnumbered" not in ctx.doc.flags:  # that layout prints no markers
            ctx.report(line, "note-without-marker", f"note {note.number} has no marker in the text", "warning")
        note.references, unresolved = N.read_references(note.text, previous)
        for piece in unresolved:
            ctx.report(line, "unresolved-ibid", f"note {note.number}: {piece!r} has no previous reference",
                       "warning")
        previous = note.references[-1] if note.references else previous
        note.cross_references = N.read_cross_references(note.text)
    numbers = {n.number for n in notes}
    for m in ctx.doc.markers:
        if m.number not in numbers:
            ctx.report(m.line, "marker-without-note", f"marker {m.number} has no note", "warning")


def _notes(ctx: Ctx, lines: list[tuple[int, str]], body_rows: list[tuple[int, str]]) -> None:
    paragraphs = _note_paragraphs(lines)
    _body(ctx, body_rows, set(range(1, N.upper_bound(paragraphs) + 1)))
    labelled = any(N.is_label(t) for _, t in lines)
    if ctx.doc.layout == "other-rendering" and paragraphs and all(p.number is None for p in paragraphs):
        notes, orphans = N.in_page_order(paragraphs, ctx.chunk.file), []  # "NOTES" over unnumbered paragraphs
        ctx.doc.flags.append("notes-unnumbered")
    else:
        notes, orphans = N.number_notes(paragraphs, {m.number for m in ctx.doc.markers}, ctx.chunk.file, labelled)
    for p in orphans:
        ctx.report(p.line, "unreadable-note", f"paragraph after the citation is not a note: {p.text[:60]!r}",
                   "warning")
    _attach(ctx, notes)
    ctx.doc.notes = notes
    if notes and notes[0].span and notes[-1].span:
        ctx.doc.fields["notes"] = ctx.span(notes[0].span.first_line, notes[-1].span.last_line)


def parse_chunk(chunk: Chunk) -> tuple[Document, list[Diagnostic]]:
    """One document from its chunk: header, date, body (markers, place/dates, signatures), citation, notes."""
    source = SourceSpan(chunk.file, chunk.first_line, chunk.last_line)
    doc = Document(key=chunk.number or f"@{chunk.file}:{chunk.first_line}", number=chunk.number, kind="letter",
                   header="", source=source, pages=[chunk.file], sources=[source])
    ctx = Ctx(chunk, doc)
    for line in chunk.repeated:
        ctx.report(line, "repeated-passage", "line repeats the previous one (page glitch); read once", "warning")
    if chunk.layout == "other-rendering" and (title := R.read_title(chunk.lines[0][1])) is not None:
        _rendering(ctx, title)
        return doc, ctx.diags
    lines = chunk.lines
    pos = _header(ctx, lines)
    if "header-missing" in doc.flags and pos == 0 and len(lines) > 1 and not is_date_line(lines[0][1]) \
            and split_placed_date(lines[1][1]) is not None:
        _date(ctx, lines[1:2])  # "Moscow Kremlin to IVANOV." then the date line: the address stays in the text
        lines = lines[:1] + lines[2:]
    else:
        pos += _date(ctx, lines[pos:])
    _rest(ctx, lines[pos:])
    if "header-missing" in doc.flags:
        L.signer_sender(ctx)
    if "dative-header" in doc.flags:
        L.check_dative(ctx)
    L.parts(ctx)
    T.mark_copies(ctx)
    T.read_transmission(ctx)
    return doc, ctx.diags


def _rest(ctx: Ctx, rest: list[tuple[int, str]]) -> None:
    """Body, citation and notes: everything after the header and date lines."""
    cit = _citation(ctx, rest)
    if cit is None:
        label = next((i for i, (_, t) in enumerate(rest) if N.is_label(t)), len(rest))
        if rest:
            ctx.report(rest[-1][0], "missing-citation", "no archival citation line", "warning")
        body_rows, note_lines = rest[:label], rest[label:]
    else:
        body_rows, note_lines = rest[:cit], rest[cit + 1:]
    if ctx.doc.layout == "other-rendering" and body_rows and (ref := R.read_edition_reference(body_rows[-1][1])):
        ctx.doc.edition_reference = ref  # "Bolshevistskoe rukovodstvo. Perepiska. 1912-1927. P. 123."
        ctx.doc.fields["edition_reference"] = ctx.span(body_rows[-1][0])
        body_rows = body_rows[:-1]
    _notes(ctx, note_lines, body_rows)


def _rendering(ctx: Ctx, title: R.Title) -> None:
    """A document of the other web rendering: title line (parties, date), its Russian original, salutation,
    the text (one message or an exchange), the edition's page reference, the citation, unnumbered notes."""
    (first, title_text), (second, russian) = ctx.chunk.lines[:2]
    doc = ctx.doc
    doc.layout, doc.kind, doc.titles = "other-rendering", title.kind, [title_text, russian]
    doc.fields["title"] = ctx.span(first, second)
    _date(ctx, [(first, title.date_text)])
    rest = ctx.chunk.lines[2:]
    salutation = R.read_salutation(rest[0][1]) if rest else None
    L.title_parties(ctx, title, salutation, read_address_line(rest[0][1]) if rest else None)
    _rest(ctx, rest)
    L.rendering_parties(ctx, title)
    L.parts(ctx)
    T.mark_copies(ctx)
    T.read_transmission(ctx)


_MID_SENTENCE = re.compile(r"(?:(?:^|\s)[a-zа-яё0-9][\w'’-]*|[,;:(\-–—])$")  # "...the 8th and", not "Koba"


def truncated(chunk: Chunk, doc: Document) -> Diagnostic | None:
    """The page's last document stops mid-sentence with no citation: the page was cut off (text is lost)."""
    line, text = chunk.lines[-1]
    if doc.citation is not None or doc.notes or not _MID_SENTENCE.search(text):
        return None
    return Diagnostic(chunk.file, line, doc.number or doc.key, "truncated-page",
                      f"the page ends inside {'No. ' + doc.number if doc.number else 'this document'}, "
                      f"mid-sentence ({text[-40:]!r}) and before any citation: the rest of the text is lost",
                      "warning")
