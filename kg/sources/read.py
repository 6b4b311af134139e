"""Reading pages: files, directories and globs; plain text or HTML; UTF-8 only.

Why a real HTML parser (stdlib ``html.parser``): the site's pages carry entities, scripts and
inline markup; regexes over tags lose paragraph breaks or leak script text. Block elements become
blank lines so that the splitter sees the same paragraphs as in the text renderings.

An undecodable page is a Diagnostic (file and line/byte of the first bad byte) and is skipped, so
the other pages are still read; a path that does not exist is a ``SourceError`` (exit 2), and
directories that hold no page at all (when nothing else is given) a ``NoPagesError`` (exit 1).
"""

from __future__ import annotations

import glob
import re
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import Diagnostic, NoPagesError, SourceError
from kg.model import Page
from kg.sources.split import NUMBER_LINE, edition_number, normalize_line

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "blockquote",
          "pre", "section", "article", "header", "footer", "hr", "center", "dd", "dt", "dl", "title", "body"}
SKIPPED = {"script", "style", "noscript", "template", "head"}


class _TextExtractor(HTMLParser):
    """Collects text; block elements and <br> end lines; script/style content is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip = 0  # <body> closes an unclosed <head> (as browsers do): the page must not read as empty
        if tag != "title" and (tag == "body" or tag in BLOCKS):
            self._in_title = False  # likewise an unclosed <title>: the text after it is the page, not its title
        if tag == "title":
            self._in_title = True
        elif tag in SKIPPED:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """'<![' without a known section name ('<![ x', '<![foo[') is a bogus comment, as browsers read it;
        html.parser raises AssertionError there, which would stop the whole build on one page."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = ((self.title or "") + data).strip() or None
        elif not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Visible text of an HTML page with paragraph breaks kept, and its <title>."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" \t") for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n", parser.title


def expand(sources: list[str]) -> list[Path]:
    """Files named, files under directories (recursively, .txt/.html/.htm), and glob matches; sorted.

    NoPagesError when all of it is directories without a page (a newcomer's empty or wrong folder)."""
    out: list[Path] = []
    directories: list[Path] = []
    for src in sources:
        path = Path(src)
        if any(ch in src for ch in "*?[") and not path.exists():
            matches = sorted(Path(p) for p in glob.glob(src, recursive=True) if Path(p).is_file())
            if not matches:
                raise SourceError(src, "no file matches this pattern")
            out.extend(matches)
        elif path.is_dir():
            directories.append(path)
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in
                              TEXT_SUFFIXES | HTML_SUFFIXES))
        elif path.is_file():
            out.append(path)
        else:
            raise SourceError(src, "no such file or directory")
    if not out and directories:
        raise _no_pages(directories)
    seen: set[Path] = set()
    return [p for p in out if not (p in seen or seen.add(p))]


def _no_pages(directories: list[Path]) -> NoPagesError:
    """Names the directories and says what is in them instead of pages."""
    files = sum(1 for d in directories for p in d.rglob("*") if p.is_file())
    kinds = ", ".join(sorted(TEXT_SUFFIXES | HTML_SUFFIXES))
    one = len(directories) == 1
    if not files:
        why = "the directory is empty" if one else "the directories are empty"
    else:
        why = f"none of {'its' if one else 'their'} {files} file{'' if files == 1 else 's'} is a page ({kinds})"
    return NoPagesError(", ".join(str(d) for d in directories), f"no pages to read: {why}")


def _is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KB: not a text page at all (an image, an archive)."""
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f")
    return b"\x00" in sample or controls > len(sample) // 20


def _numbers_lost(data: bytes, bad_line: int) -> tuple[str | None, list[str]]:
    """The document the bad byte is in (last number line before it) and every number on the page."""
    inside: str | None = None
    numbers: list[str] = []
    for lineno, raw in enumerate(data.decode("utf-8", errors="replace").split("\n"), start=1):
        m = NUMBER_LINE.match(normalize_line(raw))
        if m:
            numbers.append(edition_number(m.group(1)))
            if lineno < bad_line:
                inside = numbers[-1]
    return inside, numbers


def decode(path: str, data: bytes) -> str | Diagnostic:
    """UTF-8 (a BOM is tolerated); otherwise a Diagnostic naming the line and byte of the first bad byte.

    The page is skipped as a whole (a wrong byte can mean a wrong encoding everywhere), so the message
    names the documents that are not read, and the diagnostic points at the one the byte is in.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        where = f"byte 0x{data[err.start]:02x} at offset {err.start} (line {line})"
        if _is_binary(data):
            return Diagnostic(path, line, None, "undecodable", f"binary data, not a text page: {where}; page skipped")
        inside, numbers = _numbers_lost(data, line)
        lost = ", ".join(f"No. {n}" for n in numbers) or "no numbered document"
        return Diagnostic(path, line, inside, "undecodable",
                          f"not UTF-8: {where}; page skipped, not read: {lost}")


def read_page(path: Path) -> Page | Diagnostic:
    """One page; HTML when the suffix says so or the text starts like markup."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(str(path), f"cannot read: {err.strerror or err}") from err
    text = decode(str(path), data)
    if isinstance(text, Diagnostic):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_html = path.suffix.lower() in HTML_SUFFIXES or text.lstrip().lower().startswith(("<!doctype html", "<html"))
    if is_html:
        try:
            body, title = html_to_text(text)
        except Exception as err:  # noqa: BLE001 - the stdlib parser on hostile markup: one page, not the build
            return Diagnostic(str(path), 1, None, "unreadable-html", f"the HTML parser gave up ({err}); page skipped")
        return Page(path=str(path), text=body, media_type="text/html", title=title)
    return Page(path=str(path), text=text)


def read_pages(sources: list[str]) -> tuple[list[Page], list[Diagnostic]]:
    """Pages from every source, plus a Diagnostic for each page that could not be decoded."""
    pages: list[Page] = []
    diagnostics: list[Diagnostic] = []
    for path in expand(sources):
        result = read_page(path)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            pages.append(result)
    return pages, diagnostics
