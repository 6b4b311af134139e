"""Errors users can act on. Anything else is a bug and reaches the top level as such."""

from __future__ import annotations


class KGError(Exception):
    """Base class: the message is one clear line for the CLI (no traceback)."""

    exit_code = 2


class SourceError(KGError):
    """A page cannot be read at all (missing, undecodable). Names the file (and line when known)."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class NoPagesError(SourceError):
    """The sources exist but hold no page at all: directories that are empty or hold only other files.

    Exit 1, not 2: the paths can be used and are simply empty of pages, which the README's exit codes
    call "sources in which no document at all could be read" (what `kg build` has always answered for
    an empty directory); 2 stays for a path that does not exist."""

    exit_code = 1


class NotConformant(KGError):
    """The built graph does not conform to the shapes; nothing was published."""

    exit_code = 1

    def __init__(self, report_text: str):
        self.report_text = report_text
        super().__init__("the graph does not conform to shapes/ (nothing published):\n" + report_text)


class StrictModeError(KGError):
    """--strict and the parser reported diagnostics."""

    exit_code = 1


class LinkingError(KGError):
    """Wikidata reconciliation failed in a way the user must know about."""
