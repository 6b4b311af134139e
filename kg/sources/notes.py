"""Editorial notes: numbering (damaged by the translation), references inside them, cross references.

Why in two steps: the printed numbers are unreliable ("2Text", "oneText", "1 .", or lost), and a note
can contain its own enumeration ("1. Eviction ... 2. Confiscation" inside note 1 of No. 172). So
``classify`` first reads what each paragraph claims; ``number_notes`` then decides, from the sequence
(and how many numbers the gaps leave), which unnumbered paragraphs are notes whose number was lost
(``number_recovered``) and which continue the previous note. The body markers are the second witness:
``upper_bound`` tells body.py which marker numbers can exist before the notes are final.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from kg.model import Citation, CrossReference, Note, Reference, SourceSpan
from kg.sources.citations import parse_citation, resolve_ibid

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15}
_WORD_RE = "|".join(sorted(WORDS, key=len, reverse=True))
_NUMBERED = re.compile(r"^(?P<num>\d{1,3})(?P<sep>\s*\.(?!\d)\s*|\s+|(?=[A-Za-zА-Яа-я«“\"(\[]))(?P<text>.*)$", re.S)
_WORDED = re.compile(rf"^(?P<num>{_WORD_RE})(?P<sep>\s*\.\s*|(?=[A-ZА-Я]))(?P<text>.*)$", re.S)
_LABEL = re.compile(r"^\s*notes?\s*[:.]?\s*$", re.I)
_CROSS = re.compile(r"See\s+(?:also\s+)?(?:notes?\s+(?P<note>\d+)(?:\s*(?:,|and)\s*(?P<note2>\d+))?\s+to\s+)?"
                    r"(?:the\s+)?(?:document|doc\.)\s*No\.?\s*(?P<doc>\d+)", re.I)
_PUB_YEAR = re.compile(r"(?:^|[.,]\s+|\s)((?:18|19|20)\d\d)(?=\s*[.,]|\s+(?:No|pp|P|S|Vol)\b)")
_AFTER_YEAR = re.compile(r"\s*[.,]?\s*(?:No|P|S|pp|Vol|T)\.")
_PUB_HINT = re.compile(r"\b(?:No\.|P\.|S\.|pp\.|Vol\.|M\.,|L\.,|T\.)")


@dataclass
class Paragraph:
    """One paragraph of the notes region and the number it claims (None: none printed)."""

    line: int
    last_line: int
    text: str
    number: int | None
    verbatim: str


def is_label(line: str) -> bool:
    return bool(_LABEL.match(line))


def classify(line: int, text: str, last_line: int | None = None) -> Paragraph:
    """Read the printed number of a notes paragraph, if any ("1 .", "2Text", "oneText", "one.")."""
    stripped = text.strip()
    m = _NUMBERED.match(stripped) or _WORDED.match(stripped)
    if m and m["text"].strip():
        raw = m["num"]
        num = WORDS[raw] if raw in WORDS else int(raw)
        return Paragraph(line, last_line or line, m["text"].strip(), num, (raw + m["sep"]).strip())
    return Paragraph(line, last_line or line, stripped, None, "")


def upper_bound(paragraphs: list[Paragraph]) -> int:
    """The highest note number the paragraphs can carry (printed maximum + trailing unnumbered)."""
    top, trailing = 0, 0
    for p in paragraphs:
        if p.number is not None and top < p.number <= top + 10:
            top, trailing = p.number, 0
        elif p.number is None:
            trailing += 1
    return top + trailing


class _Ahead:
    """Answers "which printed number continues the sequence next, and how many unnumbered paragraphs come
    before it" in O(log n) per question (a forward scan per unnumbered paragraph made long notes quadratic)."""

    def __init__(self, paragraphs: list[Paragraph]):
        self.where: dict[int, list[int]] = {}  # printed number -> indices of the paragraphs printing it
        self.unnumbered = [0]  # prefix counts of unnumbered paragraphs
        for i, p in enumerate(paragraphs):
            if p.number is not None:
                self.where.setdefault(p.number, []).append(i)
            self.unnumbered.append(self.unnumbered[-1] + (p.number is None))

    def next_numbered(self, i: int, current: int) -> tuple[int | None, int]:
        """The first paragraph from i on whose number is in current+1..current+10, and the unnumbered before it."""
        best: tuple[int, int] | None = None
        for value in range(current + 1, current + 11):
            indices = self.where.get(value, [])
            k = bisect_left(indices, i)
            if k < len(indices) and (best is None or indices[k] < best[0]):
                best = (indices[k], value)
        end = best[0] if best else len(self.unnumbered) - 1
        return (best[1] if best else None), self.unnumbered[end] - self.unnumbered[i]


def _starts(paragraphs: list[Paragraph], markers: set[int], labelled: bool) -> list[tuple[int, bool]]:
    """For each paragraph: (note number it starts, recovered?) or (0, False) when it continues a note.

    An unnumbered paragraph is a note whose number was lost when the gap before the next printed
    number (or, after the last one, the body markers) leaves room for it; otherwise it continues.
    """
    out: list[tuple[int, bool]] = []
    current = 0
    ahead = _Ahead(paragraphs)
    for i, p in enumerate(paragraphs):
        if p.number is not None and current < p.number <= current + 10:
            out.append((p.number, False))
            current = p.number
            continue
        if p.number is not None:  # an enumeration inside the note ("1. Eviction ...")
            out.append((0, False))
            continue
        nxt, pending = ahead.next_numbered(i, current)
        room = (nxt - current - 1) if nxt is not None else max(max(markers, default=0) - current, 0)
        if room >= pending or (room > 0 and current + 1 in markers) or (labelled and not current and nxt is None):
            current += 1
            out.append((current, True))
        else:
            out.append((0, False))
    return out


def number_notes(paragraphs: list[Paragraph], markers: set[int], file: str,
                 labelled: bool = True) -> tuple[list[Note], list[Paragraph]]:
    """Notes with their numbers (recovered where lost); also the paragraphs that belong to no note."""
    notes: list[Note] = []
    texts: list[list[str]] = []  # each note's paragraphs, joined once at the end (+= on an attribute is quadratic)
    orphans: list[Paragraph] = []
    for p, (num, recovered) in zip(paragraphs, _starts(paragraphs, markers, labelled), strict=True):
        if num:
            notes.append(Note(number=num, text=p.text, number_recovered=recovered,
                              number_verbatim=p.verbatim, span=SourceSpan(file, p.line, p.last_line)))
            texts.append([p.text])
        elif notes:
            texts[-1].append(f"{p.verbatim} {p.text}".strip() if p.verbatim else p.text)
            notes[-1].span = SourceSpan(file, notes[-1].span.first_line, p.last_line)  # type: ignore[union-attr]
        else:
            orphans.append(p)
    for note, parts in zip(notes, texts, strict=True):
        note.text = "\n\n".join(parts)
    return notes, orphans


def in_page_order(paragraphs: list[Paragraph], file: str) -> list[Note]:
    """Notes printed without any number (the other rendering's "NOTES"): one per paragraph, numbered in
    page order (``number_recovered``), since nothing on the page joins two paragraphs into one note."""
    return [Note(number=i, text=p.text, number_recovered=True, number_verbatim="",
                 span=SourceSpan(file, p.line, p.last_line)) for i, p in enumerate(paragraphs, 1)]


def _parentheticals(text: str) -> list[str]:
    """Top-level parenthesized groups (balanced; an unclosed group runs to the end)."""
    groups, depth, start = [], 0, 0
    if "(" not in text:
        return groups
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(text[start:i])
    if depth:
        groups.append(text[start:])
    return groups


def read_publication(text: str) -> Reference | None:
    """'News of the Central Committee of the CPSU. 1989. No. 11. P. 179-192' -> title, year, issue, pages."""
    body = re.sub(r"^(?:See|Cf)\.?:?\s*", "", text.strip())
    found = list(_PUB_YEAR.finditer(body))
    if not found or not _PUB_HINT.search(body):
        return None
    m = next((y for y in found if _AFTER_YEAR.match(body, y.end(1))), found[-1])
    title = re.sub(r"(?:\s*\bM\.)?[\s.,]*$", "", body[: m.start(1)]).strip() or None
    issue = re.search(r"\bNo\.\s*(\d+)", body[m.end(1):])
    pages = re.search(r"\b(?:P|S|pp|p)\.\s*(\d[\w\s\-–—]*?)\s*\.?$", body)
    return Reference(kind="publication", verbatim=text.strip(), title=title, year=m.group(1),
                     issue=issue.group(1) if issue else None, pages=pages.group(1).strip() if pages else None)


def _ibid(piece: str, previous: Reference | None) -> Reference | None:
    tail = piece.strip()[len("Ibid"):]
    if previous and previous.kind == "archival" and previous.citation:
        cit = resolve_ibid(tail, previous.citation, piece.strip())
        if cit:
            return Reference(kind="archival", verbatim=piece.strip(), citation=cit, ibid=True)
    if previous and previous.kind == "publication":
        pages = re.search(r"\b(?:P|S|pp|p)\.\s*(\d[\w\s\-–—]*?)\s*\.?$", tail)
        return Reference(kind="publication", verbatim=piece.strip(), ibid=True, title=previous.title,
                         year=previous.year, issue=previous.issue, pages=pages.group(1) if pages else None)
    return None


def read_references(text: str, previous: Reference | None) -> tuple[list[Reference], list[str]]:
    """References inside one note; 'Ibid.' completed from ``previous`` (the document's last one).

    Returns the references and the verbatim 'Ibid.' pieces that had nothing to refer to.
    """
    refs: list[Reference] = []
    unresolved: list[str] = []
    for group in _parentheticals(text):
        for piece in re.split(r";\s+", group):
            piece = piece.strip().rstrip(".") if piece.strip().endswith("..") else piece.strip()
            if piece.lower().startswith("ibid"):
                ref = _ibid(piece, refs[-1] if refs else previous)
                if ref is None:
                    unresolved.append(piece)
                    continue
            else:
                cit = parse_citation(piece)
                ref = Reference(kind="archival", verbatim=piece, citation=cit) if cit else read_publication(piece)
            if ref:
                refs.append(ref)
    return refs, unresolved


def read_cross_references(text: str) -> list[CrossReference]:
    """'See note 1 to document No. 166.' -> CrossReference(document='166', note=1); 'notes 1 and 2' -> two."""
    out = []
    for m in _CROSS.finditer(text):
        notes = [int(n) for n in (m["note"], m["note2"]) if n] or [None]
        out.extend(CrossReference(verbatim=m.group(0), document=m["doc"], note=n) for n in notes)
    return out


def last_archival(refs: list[Reference]) -> Citation | None:
    for ref in reversed(refs):
        if ref.kind == "archival" and ref.citation:
            return ref.citation
    return None
