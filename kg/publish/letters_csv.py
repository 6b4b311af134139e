"""``letters.csv``: one row per letter for spreadsheet users, a thin view of the published graph.

    write_letters_csv(staging / "letters.csv", read_letters(staging / "kg.nt.gz"))

RFC 4180: UTF-8 (no byte-order mark), a header row, CRLF line ends, fields quoted only when they
need it. Columns (``COLUMNS``):

    number           the edition's document number ('' for an unnumbered document: see iri)
    date             schema:dateCreated: the Gregorian date at the precision the document gives
                     (1923-01-24, 1923-11, 1923), '' when the statement has an open end
    not_before       earliest possible Gregorian day ('' when open)
    not_after        latest possible Gregorian day ('' when open)
    date_qualifier   exact, range, notBefore, notAfter or approximate
    date_supplied    true when the editors supplied part of the date in brackets
    date_as_printed  the date as the edition prints it
    senders          names in the edition's order, separated by ' | '
    recipients       the same
    place            where it was written, when the document says
    kind             letter, telegram, note, statement, memorandum, otherDocument
    iri              the letter's IRI (its page)

Why ' | ' between names: names contain commas and full stops ("G. K. Ordzhonikidze"), never a bar.
"""

from __future__ import annotations

import csv
from pathlib import Path

from kg.publish.letters import Letter, LetterIndex

COLUMNS = ("number", "date", "not_before", "not_after", "date_qualifier", "date_supplied", "date_as_printed",
           "senders", "recipients", "place", "kind", "iri")
SEPARATOR = " | "


def row(letter: Letter) -> list[str]:
    d = letter.date
    lo, hi = d.bounds() if d is not None else ("", "")
    return [letter.number, letter.date_created, lo, hi, d.qualifier if d else "",
            ("true" if d.supplied else "false") if d else "", d.expressed if d else "",
            SEPARATOR.join(a.name for a in letter.senders), SEPARATOR.join(a.name for a in letter.recipients),
            letter.place.name if letter.place else "", letter.kind, letter.iri]


def write_letters_csv(path: Path, index: LetterIndex) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for letter in index.letters:
            writer.writerow(row(letter))
