"""The editorial notes of a generated document, with the numbering damage of the translation.

A note's number is printed plainly ("1 text"), spaced ("11 . text"), glued ("2Text"), as a word
("oneText", "one. Text") or lost entirely; the facts keep the true number, so a parser that infers lost
numbers from the sequence can be scored. Note texts carry the edition's apparatus: pseudonyms, initials,
letterheads, dated decisions with archival references and "Ibid.", cross references, publications, and
enumerations inside a note that must not be read as new notes.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from kg.devtools.generate_facts import CrossRefFact, NoteFact
from kg.devtools.generate_vocab import BODIES, DECISIONS, INSTITUTIONS, JOURNALS, MONTHS, NUMBER_WORDS, PEOPLE

NUMBER_STYLES = ("plain", "spaced-period", "glued", "word", "lost")
NUMBER_STYLE_WEIGHTS = (55, 12, 10, 8, 15)
NOTE_KINDS = ("pseudonym", "initials", "letterhead", "decision", "cross-reference", "publication", "enumeration",
              "historical")
NOTE_KIND_WEIGHTS = (10, 12, 8, 25, 15, 12, 6, 12)


@dataclass
class NoteContext:
    """What a document's notes may refer to: its year, and earlier documents that have notes."""

    number: int
    year: int
    recent: deque[tuple[int, int]] = field(default_factory=lambda: deque(maxlen=50))  # (number, note count)
    last_archival: bool = False  # an archival reference precedes in this document's notes: "Ibid." is possible


def _a_date(rng: random.Random, year: int) -> str:
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}"


def _archival(rng: random.Random, ctx: NoteContext) -> str:
    delo, folio = rng.randint(1, 900), rng.randint(1, 120)
    if ctx.last_archival and rng.random() < 0.5:
        return f"Ibid. D. {delo}. L. {folio}"
    ctx.last_archival = True
    arch = rng.choice(("RTSKHIDNI", "RTsKhIDNI", "RGASPI"))
    return f"{arch}. F. 17. Op. {rng.choice((3, 112, 113))}. D. {delo}. L. {folio}"


def _cross_reference(rng: random.Random, ctx: NoteContext) -> tuple[str, list[CrossRefFact]] | None:
    if not ctx.recent:
        return None
    target, count = rng.choice(ctx.recent)
    if rng.random() < 0.2:
        return f"See document No. {target}.", [CrossRefFact(str(target), None)]
    note = rng.randint(1, count)
    return f"See note {note} to document No. {target}.", [CrossRefFact(str(target), note)]


def note_text(rng: random.Random, kind: str, ctx: NoteContext) -> tuple[str, list[CrossRefFact]]:
    """The text of one note of `kind` (cross references fall back to a decision when nothing precedes)."""
    person = rng.choice(PEOPLE)
    if kind == "cross-reference":
        found = _cross_reference(rng, ctx)
        if found:
            return found
        kind = "decision"
    if kind == "pseudonym":
        return f"{person.surname}'s pseudonym.", []
    if kind == "initials":
        return f"{person.name}.", []
    if kind == "letterhead":
        names = [n for n, lo, hi in INSTITUTIONS if lo <= ctx.year <= hi]
        return f"On the letterhead: \u201c{rng.choice(names)}.\u201d", []
    if kind == "decision":
        what = rng.choice(DECISIONS).format(s=person.surname)
        return f"On {_a_date(rng, ctx.year)}, {rng.choice(BODIES)} {what} ({_archival(rng, ctx)}).", []
    if kind == "publication":
        year, a = rng.randint(1925, 1995), rng.randint(2, 300)
        ref = f"{rng.choice(JOURNALS)}. {year}. No. {rng.randint(1, 12)}. P. {a}-{a + rng.randint(1, 15)}"
        return f"We are talking about the dispute over the work of {person.surname} ({ref}).", []
    if kind == "enumeration":
        group = rng.choice(("speculators", "former owners", "traders", "members of the commission"))
        return (f"The resolution of {_a_date(rng, ctx.year)} provided for: 1. Eviction of the {group} from the "
                f"city. 2. Confiscation of their property. 3. A report by {person.surname} within a month."), []
    return f"We are talking about the congress of the trade unions, held on {_a_date(rng, ctx.year)}.", []


def _printed(n: int, text: str, style: str, rng: random.Random) -> tuple[str, str]:
    """(line, printed number) for note n in `style`."""
    if style == "plain":
        return f"{n} {text}", str(n)
    if style == "spaced-period":
        return f"{n} . {text}", f"{n} ."
    if style == "glued":
        return f"{n}{text}", str(n)
    if style == "word":
        word = NUMBER_WORDS[n]
        return (f"{word}{text}", word) if rng.random() < 0.5 else (f"{word}. {text}", word)
    return text, ""


def _styles(rng: random.Random, marked: list[bool]) -> list[str]:
    """Numbering damage per note. A number is lost only where a reader can still recover it: a later note
    keeps its number (the gap shows) or the body carries the note's marker."""
    styles = [rng.choices(NUMBER_STYLES, NUMBER_STYLE_WEIGHTS)[0] for _ in marked]
    styles = ["plain" if s == "word" and n >= len(NUMBER_WORDS) else s for n, s in enumerate(styles, 1)]
    numbered_later = False
    for i in reversed(range(len(styles))):
        if styles[i] == "lost" and not (numbered_later or marked[i]):
            styles[i] = "plain"
        numbered_later = numbered_later or styles[i] != "lost"
    return styles


def notes(rng: random.Random, marked: list[bool], ctx: NoteContext) -> tuple[list[str], list[NoteFact], list[str]]:
    """Notes numbered 1..len(marked) (marked[i]: note i+1 has a marker in the body): lines, facts, and the
    texts without their numbers (the other rendering prints them so)."""
    lines, facts, texts = [], [], []
    ctx.last_archival = False
    for n, style in enumerate(_styles(rng, marked), 1):
        kind = rng.choices(NOTE_KINDS, NOTE_KIND_WEIGHTS)[0]
        text, xrefs = note_text(rng, kind, ctx)
        while facts and text == texts[-1]:  # two equal notes would read as a page glitch repeating one
            text, xrefs = note_text(rng, kind, ctx)
        texts.append(text)
        if xrefs:
            kind = "cross-reference"
        elif text.startswith("On ") and "(" in text and "Ibid." in text:
            kind = "ibid"
        elif kind == "cross-reference":
            kind = "decision"
        line, printed = _printed(n, text, style, rng)
        lines.append(line)
        facts.append(NoteFact(n, printed, style, kind, xrefs))
    return lines, facts, texts
