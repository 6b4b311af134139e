"""The header line ("A. M. Nazaretyan - G. K. Ordzhonikidze", "Telegram of X to Y and Z") into parties.

Why careful rather than clever: a wrong sender is wrong history. When the header has no sender,
juxtaposes two names without a separator, or is really a telegram's address line ("Moscow Kremlin to
IVANOV, PETROV."), the result carries a ``problem`` and no parties: the caller reports an
"ambiguous-header" diagnostic instead of guessing. Two shapes are read, and say so:
- the garbled dative, "Telegram to A. B. Ivanov C. D. Petrov, E. F. Sidorov": the Russian "Телеграмма
  А. Б. Иванова Ц. Д. Петрову, ..." (genitive sender, dative recipients) translated with one "to". Only
  when a kind word is followed by "to", then two full names juxtaposed, then the rest well separated,
  the evident reading (first name = sender) is taken, with ``dative`` set: the caller flags the record
  and reports a warning. Any other header without a sender stays unread.
- an address line: its recipients ("IVANOV, PETROV") are unambiguous (``read_address_line``); who sent
  the telegram is not on that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Party

KINDS = {"telegram": "telegram", "cipher telegram": "telegram", "ciphered telegram": "telegram",
         "letter": "letter", "note": "note", "memo": "note", "memorandum": "note", "report": "report",
         "statement": "statement", "postcard": "letter", "radiogram": "telegram"}
_KIND_RE = "|".join(sorted(KINDS, key=len, reverse=True))
_PREFIXED = re.compile(rf"^(?P<kind>{_KIND_RE})\s+(?:(?:from|of)\s+(?P<s>.+?)\s+)?to\s+(?P<r>.+)$", re.I)
_FROM_TO = re.compile(r"^from\s+(?P<s>.+?)\s+to\s+(?P<r>.+)$", re.I)  # the site's titles: "from Stalin to Lenin"
_TO_FROM = re.compile(r"^to\s+(?P<r>.+?)\s+from\s+(?P<s>.+)$", re.I)  # "To Kirov from Sergo"
_DASH = re.compile(r"\s+[—–-]\s+|\s+[—–]|[—–]\s+")
ORG_WORDS = re.compile(
    r"\b(committee|commission|bureau|politburo|orgburo|secretariat|board|eastpart|istpart|pravda|izvestia|"
    r"council|presidium|kremlin|editorial|sovnarkom|comintern|ecci|party|rcp|cpsu|cc|ccc|plenum|congress|"
    r"department|commissariat|directorate|government|executive|trust|conference|faction|group|office|"
    r"staff|headquarters|cheka|ogpu|gpu|sto|narkom\w*|revvoensovet|union|society|institute|editors|"
    r"members|comrades|delegation)\b", re.I)
ORG_NAMES = {"eastpart": "Istpart"}  # the machine translation turned "Истпарт" into "Eastpart"
_PERSON = re.compile(r"^(?:[A-ZА-Я][a-zа-я]?\.\s?){1,3}\s*[A-ZА-Я][\w'’\[\]-]+$")
_SURNAME_ONLY = re.compile(r"^[A-ZА-Я][a-zа-я'’\[\]-]+(?:-[A-ZА-Я][a-zа-я'’]+)?$")  # "Gorsky-Belov"
_FULL_NAME = re.compile(r"^(?:[A-ZА-Я][a-zа-я]+\s){1,2}[A-ZА-Я][a-zа-я'’-]+$")  # "Grigory Ordzhonikidze"
_INITIALS = re.compile(r"\b[A-ZА-Я][a-zа-я]?\.\s?[A-ZА-Я]")
_TITLED = re.compile(r"\s((?:[A-ZА-Я][a-zа-я]?\.\s?){1,3}\s*[A-ZА-Я][a-zа-я'’-]+)$")
_JUXTAPOSED = re.compile(r"(?:[A-ZА-Я]\.\s?){1,3}\s*[A-ZА-Я][a-zа-я'’-]+\s+(?:[A-ZА-Я]\.\s?){1,3}\s*[A-ZА-Я][a-zа-я]")
_CAPS_WORD = re.compile(r"\b[A-ZА-Я]{3,}\b")
_KNOWN_CAPS = {"RCP", "CPSU", "CCC", "ECCI", "OGPU", "GPU", "STO", "RSFSR", "USSR", "VTSIK", "CEC", "KKE"}


@dataclass
class HeaderReading:
    """What the header says, or why it cannot be read (``problem`` set, parties empty)."""

    kind: str = "letter"
    senders: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    problem: str | None = None
    is_header: bool = True  # False: the line is not a header at all (an address line, a salutation)
    dative: bool = False  # parties from the evident reading of a garbled dative header (see module docstring)


def _normalize_person(text: str) -> str:
    text = re.sub(r"([A-ZА-Я][a-zа-я]?\.)(?=\S)", r"\1 ", text)
    return re.sub(r"\s+", " ", text).strip()


def _party(piece: str) -> Party | None:
    """One side's piece ("A. M. Nazaretyan", "editorial board of Pravda") as a Party, None if unreadable."""
    verbatim = piece.strip().strip(",;:")
    name = verbatim.rstrip(".") if not re.search(r"\b[A-ZА-Я]\.$", verbatim) else verbatim
    name = re.sub(r"^(?:comrades?|tov\.|the)\s+", "", name, flags=re.I).strip()
    if not name:
        return None
    titled = _TITLED.search(name)
    if titled and re.search(r"[a-zа-я]{3,}", name[:titled.start()]) and not _INITIALS.search(name[:titled.start()]):
        # "Chairman of the OGPU F. E. Dzerzhinsky": a person with a title
        return Party(name=_normalize_person(titled.group(1)), kind="person", verbatim=verbatim)
    if ORG_WORDS.search(name):
        org = ORG_NAMES.get(name.lower(), name)
        return Party(name=org[0].upper() + org[1:], kind="organization", verbatim=verbatim)
    person = _normalize_person(name)
    if _PERSON.match(person) or _SURNAME_ONLY.match(person) or _FULL_NAME.match(person):
        return Party(name=person, kind="person", verbatim=verbatim)
    return None


_AND_NEXT = re.compile(r"(?:[A-ZА-Я]\.\s?)|the\s|[A-ZА-Я][a-zа-я]+(?:['’]s)?\s+[A-ZА-Я]|comrade|editorial\s|central\s|"
                       r"foreign\s|politburo|orgburo|secretariat|presidium|eastpart|istpart", re.I)


def _split_and(chunk: str) -> list[str]:
    """Split on 'and' only where a new party starts: after a person, or before initials/an institution."""
    parts = re.split(r"\s+and\s+", chunk)
    out = [parts[0]]
    for part in parts[1:]:
        if _PERSON.match(_normalize_person(out[-1])) or _AND_NEXT.match(part):
            out.append(part)
        else:
            out[-1] = f"{out[-1]} and {part}"
    return out


def _split_side(side: str) -> list[str]:
    """Split one side on commas and on 'and' when the next piece starts a new party."""
    pieces: list[str] = []
    for chunk in re.split(r"\s*[,;]\s*", side.strip().rstrip(".")):
        pieces.extend(p for p in _split_and(chunk) if p.strip())
    return pieces


def _read_side(side: str) -> tuple[list[Party], str | None]:
    parties = []
    for piece in _split_side(side):
        if _JUXTAPOSED.search(piece):
            return [], f"two names without a separator in {piece.strip()!r}"
        party = _party(piece)
        if party is None:
            return [], f"cannot read {piece.strip()!r} as a person or an institution"
        parties.append(party)
    return parties, None if parties else "empty side"


def read_side(side: str) -> tuple[list[Party], str | None]:
    """One side of a header read alone (the other rendering's title and salutation name one side only)."""
    return _read_side(side)


def _is_address_line(senders: str, recipients: str) -> bool:
    """A telegram's address line: recipients in capitals without initials ("to IVANOV, PETROV.")."""
    words = re.findall(r"[^\W\d_]+", recipients)
    caps = [w for w in words if w.isupper() and len(w) > 2 and w not in _KNOWN_CAPS]
    rest = [w for w in words if not w.isupper() and w.lower() not in {"copy", "to", "and"}]
    return bool(caps) and not rest and not re.search(r"\b[A-Z]\.\s?[A-Z]", recipients)


def _sides(line: str) -> tuple[str, str | None, str] | None:
    """(kind, sender side or None, recipient side) by the separators FORMATS.md lists."""
    m = _PREFIXED.match(line)
    if m:
        return KINDS[m["kind"].lower()], m["s"], m["r"]
    m = _FROM_TO.match(line) or _TO_FROM.match(line)
    if m:
        return "letter", m["s"], m["r"]
    dash = _DASH.split(line, maxsplit=1)
    if len(dash) == 2 and dash[0].strip() and dash[1].strip():
        return "letter", dash[0], dash[1]
    to = re.split(r"\s+to\s+", line, maxsplit=1)
    if len(to) == 2 and to[0].strip():
        return "letter", to[0], to[1]
    return None


_NAME = r"(?:[A-ZА-Я][a-zа-я]?\.\s?){1,3}[A-ZА-Я][a-zа-я'’]+(?:-[A-ZА-Я][a-zа-я'’]+)?"  # "R. N. Gorsky-Belov"
_DATIVE = re.compile(rf"^(?P<s>{_NAME})\s+(?P<r>{_NAME}(?:\s*(?:,|\band\b)\s*.+)?)$")


def _dative(kind: str, recipients: str) -> HeaderReading | None:
    """The evident reading of 'Telegram to A. B. Ivanov C. D. Petrov, E. F. Sidorov' (None: not that shape)."""
    m = _DATIVE.match(recipients.strip().rstrip("."))
    if not m:
        return None
    s, p1 = _read_side(m["s"])
    r, p2 = _read_side(m["r"])
    if p1 or p2 or len(s) != 1 or s[0].kind != "person" or any(p.kind != "person" for p in r):
        return None
    for party in s + r:
        party.read_from = "dative-reading"
    return HeaderReading(kind=kind, senders=s, recipients=r, dative=True)


def read_header(line: str) -> HeaderReading:
    """Parties and kind from a header line; ``is_header`` False when the line is no header."""
    text = re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()
    sides = _sides(text)
    if sides is None:
        return HeaderReading(is_header=False, problem=f"no sender/recipient separator in {text!r}")
    kind, senders, recipients = sides
    if senders is None:
        return _dative(kind, recipients) or HeaderReading(kind=kind, problem=f"no sender named in {text!r} "
                                                                             "(garbled dative?)")
    if _is_address_line(senders, recipients):
        return HeaderReading(kind="telegram", is_header=False,
                             problem=f"{text!r} is an address line; the header is missing")
    s, p1 = _read_side(senders)
    r, p2 = _read_side(recipients)
    if p1 or p2:
        return HeaderReading(kind=kind, problem=p1 or p2)
    return HeaderReading(kind=kind, senders=s, recipients=r)


def looks_like_header(line: str) -> bool:
    """Used by the splitter to start an unnumbered document: a header that reads cleanly."""
    text = line.strip()
    if not text or len(text) > 400 or text.endswith(("!", "?", ":")):
        return False
    reading = read_header(text)
    return reading.is_header and reading.problem is None


def read_address_line(line: str) -> list[Party] | None:
    """The recipients of a telegram's address line ("Moscow Kremlin to IVANOV, PETROV."), None: not one.

    Surnames in capitals become persons ("Ivanov"), capitals naming a body ("CENTRAL COMMITTEE")
    institutions; each with ``read_from="address-line"``. What stands before "to" is where the telegram
    was sent from, not who sent it, so no sender is read here."""
    text = re.sub(r"\s+", " ", line).strip()
    if _PREFIXED.match(text):  # "Telegram of the CC to IVANOV" is a header naming its sender, not an address
        return None
    sides = _sides(text)
    if sides is None or sides[1] is None or not _is_address_line(sides[1], sides[2]):
        return None
    out = []
    for piece in _split_side(sides[2]):
        verbatim = piece.strip().strip(",;:.")
        name = verbatim.title() if verbatim.isupper() else verbatim
        kind = "organization" if ORG_WORDS.search(name) or len(name.split()) > 1 else "person"
        out.append(Party(name=name, kind=kind, verbatim=verbatim, read_from="address-line"))
    return out or None


_SIGNER = re.compile(r"^(?:(?:SECRETARY|CHAIRMAN|DEPUTY|PEOPLE'S COMMISSAR)[A-Z' ]*?\s+(?:OF THE [A-Z()]+\s+)?)?"
                     r"(?P<name>[A-ZА-Я][A-ZА-Я'-]{2,})\.?$")


def read_signer(signature: str) -> Party | None:
    """The person a telegram's capitals signature names ("SECRETARY OF THE CC STALIN." -> Stalin), None
    when the signature is no single surname in capitals (a first name or a pseudonym is no reading)."""
    m = _SIGNER.match(signature.strip())
    if not m or m["name"] in _KNOWN_CAPS:
        return None
    return Party(name=m["name"].title(), kind="person", verbatim=signature.strip(), read_from="signature")
