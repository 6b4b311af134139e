"""The layouts of FORMATS.md beyond the usual header (issue 15), for the generator's extras.

- a telegram without header: the address line ("Moscow Kremlin to BELOV, ORLOV.") before or after the
  date line; a reader can name the addressees (address line) and the sender (the capitals signature)
  by surname only, so that is what the facts say;
- a header garbled by a Russian dative ("Telegram to A. B. Belov C. D. Orlov, E. F. Gusev"): the facts
  are the true parties, which the evident reading recovers;
- an exchange on one sheet: the letter's text signed by its sender, then a short answer signed by the
  recipient (now and then a third message), with the writer of each part in the facts;
- the other web rendering of a document (title line + Russian title, no number, no banner, the
  edition's page reference, "NOTE"/"NOTES" over unnumbered notes) on a page of its own.

Drawn from a random generator of their own (``layout_rng``), only with ``extras``: the default corpora
of the other benchmarks stay byte for byte what they were.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from kg.devtools.generate_facts import PartyFact
from kg.devtools.generate_vocab import PLACES, Person

HEADERLESS_RATE = 0.3  # of telegrams from one person to one or two persons
DATIVE_RATE = 0.3  # of the other telegrams from one person to persons
EXCHANGE_RATE = 0.1  # of letters from one person to one person
RENDERING_RATE = 0.04  # documents that also stand on a page of the other rendering (exchanges: 0.5)
EDITION_TITLE = "Bolshevistskoe rukovodstvo. Perepiska. 1912-1927."
RENDERING_PREFIX = "bolshevik-correspondence-rendering-"

_LATIN_TO_CYRILLIC = [("shch", "щ"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("zh", "ж"),
                      ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"),
                      ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"),
                      ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
                      ("u", "у"), ("f", "ф"), ("-", "-")]
_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")
_CASES = {"instrumental": (("ova", "овой"), ("eva", "евой"), ("ina", "иной"), ("ov", "овым"), ("ev", "евым"),
                           ("in", "иным")),
          "dative": (("ova", "овой"), ("eva", "евой"), ("ina", "иной"), ("ov", "ову"), ("ev", "еву"), ("in", "ину")),
          "genitive": (("ova", "овой"), ("eva", "евой"), ("ina", "иной"), ("ov", "ова"), ("ev", "ева"),
                       ("in", "ина"))}


def layout_rng(seed: int) -> random.Random:
    """The layouts' own draws: the main corpus never sees them."""
    return random.Random(seed * 7919 + 15)


def _cyrillic(word: str) -> str:
    out, low = "", word.lower()
    i = 0
    while i < len(low):
        for lat, cyr in _LATIN_TO_CYRILLIC:
            if low.startswith(lat, i):
                out += cyr
                i += len(lat)
                break
        else:
            out += low[i]
            i += 1
    return out[:1].upper() + out[1:]


def russian_name(person: Person, case: str) -> str:
    """'A. B. Belov' as the Russian title writes it, declined: 'А.Б. Беловым' (instrumental)."""
    surname = person.surname
    for ending, ru in _CASES[case]:
        if surname.endswith(ending):
            surname = _cyrillic(surname[: -len(ending)]) + ru
            break
    else:
        surname = _cyrillic(surname)
    initials = f"{_cyrillic(person.first)[0]}.{_cyrillic(person.patronymic)[0]}."
    return f"{initials} {surname}"


def _persons(parties: list[tuple[PartyFact, Person | None]]) -> list[Person] | None:
    people = [p for _, p in parties]
    return None if any(p is None for p in people) else [p for p in people if p is not None]


def pick_layout(rng: random.Random, telegram: bool, senders: list[tuple[PartyFact, Person | None]],
                recipients: list[tuple[PartyFact, Person | None]]) -> str | None:
    """Which layout (if any) this document is written in; one draw per document, whatever it is."""
    roll = rng.random()
    s, r = _persons(senders), _persons(recipients)
    if not s or not r or len(s) != 1:
        return None
    if telegram and len(r) <= 2 and roll < HEADERLESS_RATE:
        return "headerless-telegram"
    if telegram and HEADERLESS_RATE <= roll < HEADERLESS_RATE + DATIVE_RATE:
        return "dative-header"
    if not telegram and len(r) == 1 and roll < EXCHANGE_RATE:
        return "exchange"
    return None


def address_line(rng: random.Random, recipients: list[Person]) -> str:
    """'Moscow Kremlin to BELOV, ORLOV.': where it was sent from, then the addressees in capitals."""
    place = rng.choice(("Moscow Kremlin", *PLACES[1:]))
    return f"{place} to {', '.join(p.surname.upper() for p in recipients)}."


def surname_fact(person: Person) -> PartyFact:
    """What a reader takes from a capitals surname: the surname, a person."""
    return PartyFact(person.surname, "person", person.surname)


def dative_header(rng: random.Random, sender: Person, recipients: list[Person]) -> str:
    """'Telegram to A. B. Belov C. D. Orlov, E. F. Gusev': the sender juxtaposed before the recipients."""
    names = [p.name for p in recipients]
    joined = ", ".join(names) if len(names) < 2 or rng.random() < 0.5 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Telegram to {sender.name} {joined}"


def _signed_by(rng: random.Random, person: Person) -> str:
    return rng.choice((f"{person.first[0]}. {person.surname}.", f"{person.surname}."))


def exchange(rng: random.Random, pool: list[str], sender: Person, recipient: Person) -> tuple[str, list[str]]:
    """The first message's signature, then the answer(s) with theirs: (signature 1, the lines after it),
    and the writers in order are sender, recipient[, sender]."""
    plain = [s for s in pool if not any(c.isdigit() for c in s) and "[" not in s]
    lines: list[str] = []
    writers = [recipient] + ([sender] if rng.random() < 0.3 else [])
    for writer in writers:
        lines += [" ".join(rng.choices(plain, k=rng.randint(1, 2))), _signed_by(rng, writer)]
    return _signed_by(rng, sender), lines


def readable_signer(signature: str) -> bool:
    """Does a signature name its writer by initials and surname (what the rendering reader accepts)?"""
    return bool(re.match(r"^(?:I shake hands with )?(?:[A-Z]\. ){1,2}[A-Z][a-z]", signature))


@dataclass
class Rendering:
    """A page of the other rendering and what a reader can take from it alone."""

    name: str
    text: str
    facts: dict


def _date_title(form: str, expressed: str) -> str:
    """The date as the rendering's title prints it: the edition's date without the editors' brackets."""
    return expressed.replace("[", "").replace("]", "") if form != "year-supplied" else \
        expressed.replace(" [", ", ").replace("]", "")


def _russian_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{d} {_RU_MONTHS[m - 1]} {y} года"


def rendering_page(rng: random.Random, number: str, kind: str, sender: Person, recipient: Person,
                   date: tuple[str, str, str], message: list[str], notes: list[str], citation: str,
                   exchanged: bool) -> Rendering:
    """The page of the other rendering for one document (date = (form, expressed, earliest ISO day))."""
    when = _date_title(date[0], date[1])
    ru_date = _russian_date(date[2])
    salutation = None
    if exchanged:
        title, ru = f"Correspondence with {sender.name}, {when}", f"Переписка с {russian_name(sender, 'instrumental')}"
        salutation = f"To Comrade {recipient.surname}."
        senders, recipients = [sender.name], [recipient.surname]
    elif kind == "telegram":
        title, ru = f"Telegram from {sender.name}, {when}", f"Телеграмма {russian_name(sender, 'genitive')}"
        salutation = address_line(rng, [recipient])  # the telegram's address line opens its text
        senders, recipients = [sender.name], [recipient.surname]
    else:
        title, ru = f"Letter to {recipient.name}, {when}", f"Письмо {russian_name(recipient, 'dative')}"
        signature = next((line for line in reversed(message) if line), "")
        senders, recipients = ([sender.surname] if readable_signer(signature) else []), [recipient.name]
    page = str(rng.randint(5, 560))
    lines = [title, f"{ru} {ru_date}", *([salutation] if salutation else []), *message,
             f"{EDITION_TITLE} P. {page}.", citation]
    if notes:
        lines += ["NOTE" if len(notes) == 1 and rng.random() < 0.7 else "NOTES", *notes]
    sep = "\n\n" if rng.random() < 0.5 else "\n"
    name = f"{RENDERING_PREFIX}{number}.txt"
    facts = {"page": name, "title": title, "edition_page": page, "senders": senders, "recipients": recipients,
             "note_count": len(notes)}
    return Rendering(name, sep.join(lines) + "\n", facts)
