"""Pages into document chunks.

Why a document starts only at a line that is the number alone ("No. 204", "Number 12"): "No." also
occurs inside documents ("No. 169/S", "house No. 11", "1936. No. 7"). Pages of the Stalin section
carry no numbers, so an unnumbered document also starts at a header line that reads cleanly and is
directly followed by a date line, or (the other web rendering) at a title line followed by its Russian
original, outside a numbered document's letter text (in the page's preamble,
after the previous citation, or after an unnumbered document's first lines). A header and a date
with nothing after them is a contents entry, not a document. Banner lines of the site are dropped wherever
they appear (navigation lines too: two "|" or more); an introduction page yields no chunk and no
diagnostic. A long line repeated right after itself is a page glitch: it is kept once, and the
chunk remembers where the copy was so that the parser can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Page
from kg.sources.citations import is_citation_line, is_garbled_citation_line
from kg.sources.dates import is_date_line
from kg.sources.headers import looks_like_header
from kg.sources.rendering import rendering_start

_SUFFIX = str.maketrans("абвгдезиклмнопрстуф", "abvgdeziklmnoprstuf")  # "167а" (Russian letter) is 167a
NUMBER_LINE = re.compile(r"^(?:No|Number|Nr|№)\s*\.?\s*([0-9]{1,6}[a-zабвгдезиклмнопрстуф]?)\s*\.?$", re.I)
# Shaped like a number line, but the number is no edition number ("No. 99999999999", other scripts' digits).
ODD_NUMBER_LINE = re.compile(r"^(?:No|Number|Nr|№)\s*\.?\s*\d+[^\W\d_]?\s*\.?$", re.I)
BANNER = re.compile(r"^(?:Bolshevik Leaders? correspondence|[^|]*\|[^|]*\|.*|.*\bHome Page\s*$|"
                    r"Bolshevik leadership\.? Correspondence\.? 1912\s*[-–—]\s*1927\.?|"
                    r"Collection of documents\.?\s*(?:1996)?\.?|Compiled by:.*)$", re.I)


@dataclass
class Chunk:
    """The lines of one document on one page (number line excluded), with page line numbers."""

    file: str
    number: str | None
    number_line: int | None
    lines: list[tuple[int, str]] = field(default_factory=list)  # non-blank lines, normalized spaces
    repeated: list[int] = field(default_factory=list)  # lines dropped as a page glitch's repetition
    layout: str = "edition"  # other-rendering: starts with a title line and its Russian original (rendering.py)

    @property
    def first_line(self) -> int:
        return self.number_line or (self.lines[0][0] if self.lines else 0)

    @property
    def last_line(self) -> int:
        return self.lines[-1][0] if self.lines else self.first_line


def normalize_line(text: str) -> str:
    """No-break and thin spaces to spaces, runs of blanks collapsed; letters are left alone."""
    return " ".join(text.replace("\ufeff", "").split())  # str.split() also splits on U+00A0, U+2009, U+202F


def edition_number(printed: str) -> str:
    """The number as the edition's identifier: ASCII digits, a lower-case Latin letter suffix ("167A" -> "167a")."""
    return printed.lower().translate(_SUFFIX)


def page_lines(page: Page) -> list[tuple[int, str]]:
    """Non-blank, non-banner lines of a page with their 1-based line numbers."""
    out = []
    for i, raw in enumerate(page.text.split("\n"), start=1):
        text = normalize_line(raw)
        if text and not (len(text) < 120 and BANNER.match(text)):
            out.append((i, text))
    return out


def _unnumbered_start(lines: list[tuple[int, str]], i: int) -> bool:
    text = lines[i][1]
    return (i + 1 < len(lines) and is_date_line(lines[i + 1][1]) and not NUMBER_LINE.match(text)
            and looks_like_header(text))


def split_page(page: Page, odd_numbers: list[tuple[int, str]] | None = None) -> list[Chunk]:
    """Chunks of one page in page order (none for an introduction page).

    ``odd_numbers`` collects (line, text) of number lines whose number is no edition number: they start
    no document, and the caller reports them.
    """
    lines = page_lines(page)
    chunks: list[Chunk] = []
    current: Chunk | None = None
    open_letter = False  # inside a document's letter text (before its citation)
    for i, (lineno, text) in enumerate(lines):
        m = NUMBER_LINE.match(text)
        if m:
            current = Chunk(page.path, edition_number(m.group(1)), lineno)
            chunks.append(current)
            open_letter = True
            continue
        if odd_numbers is not None and ODD_NUMBER_LINE.match(text):
            odd_numbers.append((lineno, text))
        may_start = not open_letter or (current is not None and current.number is None and len(current.lines) >= 2)
        if may_start and rendering_start(lines, i):
            current = Chunk(page.path, None, None, layout="other-rendering")
            chunks.append(current)
            open_letter = True
        elif may_start and _unnumbered_start(lines, i):
            current = Chunk(page.path, None, None)
            chunks.append(current)
            open_letter = True
        if current is None:
            continue
        if current.lines and current.lines[-1][1] == text and len(text) > 40:
            current.repeated.append(lineno)  # "now and then a passage is repeated by a page glitch"
            continue
        current.lines.append((lineno, text))
        if is_citation_line(text) or is_garbled_citation_line(text):
            open_letter = False
    return [c for c in chunks if c.number is not None or len(c.lines) > 2]  # header+date only: a contents entry
