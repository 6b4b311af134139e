"""Another web rendering of the collection, and exchanges of several messages on one sheet.

The other rendering (FORMATS.md, last section) publishes one letter per page without the site banner
and without a "No." line: a title line with the date ("Correspondence with A. B. Ivanov, March 5,
1921"), its Russian original on the next line, the text, the edition's page reference
("Bolshevistskoe rukovodstvo. Perepiska. 1912-1927. P. 123.") before the archival citation, and notes
under "NOTE"/"NOTES" without numbers. This module reads those lines; ``document`` assembles the record
and ``merge`` matches it to the numbered document where header and date agree.

An exchange on one sheet (several short messages, each ending with its signature, answering each
other) is one document with parts (kg.model.DocumentPart says why): ``split_parts`` cuts the text at
the signatures, and each part keeps who wrote it. Writers are named only from what the page says: a
signature whose surname is a party already read (title, header, salutation) is that party; a
signature with initials and a surname names a person; a first name or a pseudonym names nobody we can
tell (the writer is left empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kg.model import Party, Reference
from kg.sources.dates import is_date_line
from kg.sources.headers import read_side

_TITLE = re.compile(r"^(?P<kind>Correspondence|Exchange of notes|Letter|Telegram|Cipher telegram|Note|Postcard)"
                    r"\s+(?P<rel>with|to|from)\s+(?P<rest>.+\S)$")
KIND = {"correspondence": "letter", "exchange of notes": "note", "letter": "letter", "telegram": "telegram",
        "cipher telegram": "telegram", "note": "note", "postcard": "letter"}
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
EDITION_REFERENCE = re.compile(
    r"^(?P<title>Bolshevistskoe\s+rukovodstvo\.?\s*Perepiska\.?\s*1912\s*[-–—]\s*1927|"
    r"Большевистское\s+руководство\.?\s*Переписка\.?\s*1912\s*[-–—]\s*1927)\.?\s*"
    r"(?:P|S|С|Pp|pp|p)\.\s*(?P<pages>\d+(?:\s*[-–—]\s*\d+)?)\s*\.?$")
_SALUTATION = re.compile(r"^To\s+(?:Comrades?\s+|Tov\.\s+)?(?P<who>[A-ZА-Я][\w.\s'’-]{1,60}?)[.!]?$")
_SIGNATURE_LEAD = re.compile(r"^(?:Your|Yours|I shake (?:your )?hands?(?: with)?|Greetings,?)\s+", re.I)
_SURNAME_RE = r"[A-ZА-Я][a-zа-я'’]{2,}(?:-[A-ZА-Я][a-zа-я'’]+)?"  # "Gorsky-Belov"
_INITIALS_SURNAME = re.compile(rf"^(?:[A-ZА-Я][a-zа-я]?\.\s?){{1,3}}\s*(?P<surname>{_SURNAME_RE})$")
_SURNAME = re.compile(rf"^{_SURNAME_RE}$")


@dataclass
class Title:
    """What the other rendering's title line says: kind, how its parties relate, who, when."""

    kind: str  # letter | telegram | note
    relation: str  # with (a correspondent, role open) | to (recipients) | from (senders)
    parties: list[Party]
    date_text: str


def read_title(line: str) -> Title | None:
    """'Correspondence with A. B. Ivanov, March 5, 1921' -> Title; None when the line is no such title."""
    m = _TITLE.match(line.strip())
    if not m:
        return None
    rest = m["rest"]
    for cut in [i for i in range(len(rest)) if rest.startswith(", ", i)]:
        who, when = rest[:cut], rest[cut + 2:]
        if is_date_line(when):
            found, problem = read_side(who)
            if problem:
                return None
            parties = [replace(p, read_from="title") for p in found]
            kind = KIND[m["kind"].lower()]
            return Title(kind, m["rel"], parties, when.strip()) if parties else None
    return None


def is_russian(line: str) -> bool:
    """Mostly Cyrillic letters: the Russian original of the title ("Переписка с А.Б. Ивановым ...")."""
    cyr, lat = len(_CYRILLIC.findall(line)), len(_LATIN.findall(line))
    return cyr >= 5 and cyr > 3 * lat


def rendering_start(lines: list[tuple[int, str]], i: int) -> bool:
    """Does a document of the other rendering start at lines[i] (a title, then its Russian original)?"""
    return i + 1 < len(lines) and lines[i][1][:1] in "CELTNP" and is_russian(lines[i + 1][1]) \
        and read_title(lines[i][1]) is not None


def read_edition_reference(line: str) -> Reference | None:
    """'Bolshevistskoe rukovodstvo. Perepiska. 1912-1927. P. 123.' -> a publication Reference (pages '123')."""
    m = EDITION_REFERENCE.match(line.strip())
    if not m:
        return None
    title = re.sub(r"\s+", " ", m["title"])
    pages = re.sub(r"\s*[-–—]\s*", "-", m["pages"])
    return Reference(kind="publication", verbatim=line.strip(), title=title, pages=pages)


def read_salutation(line: str) -> Party | None:
    """'To Comrade Petrov.' -> Petrov, the addressee of the first message (None: no such line)."""
    m = _SALUTATION.match(line.strip())
    if not m:
        return None
    found, problem = read_side(m["who"].strip())
    if problem or len(found) != 1 or found[0].kind != "person":
        return None
    return replace(found[0], verbatim=line.strip(), read_from="salutation")


def surname_key(name: str) -> str:
    """'A. B. Ivanov' -> 'ivanov': what a signature and a header share."""
    return re.sub(r"[^a-zа-яё-]", "", (name.split() or [""])[-1].lower())


def signer(signature: str, known: list[Party]) -> Party | None:
    """Who a signature names: a known party with that surname, else a person with initials and a surname."""
    text = re.sub(r"\s+\d{1,2}\s*\.?$", "", signature.strip())  # a note marker after the signature
    text = _SIGNATURE_LEAD.sub("", text).strip().rstrip(".").strip()
    if not text:
        return None
    key = surname_key(text)
    for party in known:
        if party.kind == "person" and surname_key(party.name) == key and (
                _SURNAME.match(text) or _INITIALS_SURNAME.match(text)):
            return party
    m = _INITIALS_SURNAME.match(text)
    if m:
        return Party(name=re.sub(r"([A-ZА-Я][a-zа-я]?\.)(?=\S)", r"\1 ", text), kind="person",
                     verbatim=signature.strip(), read_from="signature")
    return None


def split_parts(rows: list[str], signature_rows: list[int], skip: set[int]) -> list[tuple[int, int]]:
    """(first row, signature row) of each message of an exchange; [] when the text is one message.

    Several messages: two signatures or more, with text (not a place/date line, not another signature)
    between each pair; a list of signatures together ends a joint letter and is one message."""
    bounds, start = [], 0
    for r in signature_rows:
        prose = [i for i in range(start, r) if i not in skip and i not in signature_rows]
        if not prose:
            if not bounds:
                return []  # a signature before any text: not an exchange
            bounds[-1] = (bounds[-1][0], r)  # joint signatures: the same message
        else:
            bounds.append((start, r))
        start = r + 1
    return bounds if len(bounds) > 1 else []
