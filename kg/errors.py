"""Errors users can act on. Anything else is a bug and reaches the top level as such.

Two kinds: a ``KGError`` stops a command (one clear line, an exit code); a ``Diagnostic`` is a problem
in one place of the input that the run reports and goes past (the other documents go on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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


@dataclass(frozen=True)
class Diagnostic:
    """Something that could not be read unambiguously. Never an exception: the other documents go on."""

    file: str
    line: int
    document: str | None  # edition number (or stable key) of the document concerned, if known
    code: str  # short machine-readable kind, e.g. "impossible-date", "note-without-marker"
    message: str
    severity: Severity = "error"

    @property
    def where(self) -> str:
        """``file:line: document N`` (``file:line:`` when no document is known)."""
        doc = f" document {self.document}" if self.document else ""
        return f"{self.file}:{self.line}:{doc}"

    def __str__(self) -> str:
        """The one line `kg parse` and `kg build` print: ``file:line: document N: severity: message [code]``."""
        return f"{self.where}: {self.severity}: {self.message} [{self.code}]"


def summarize_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """One line per diagnostic code: how many, of which severity, and the first one as an example.

    ``note-without-marker: 7 warnings, e.g. p.txt:97: document 168: note 2 has no marker in the text``.
    Codes with any error come first, then the others; each group by code name, so the order is the
    same from run to run. Why: a large corpus gives thousands of diagnostic lines, and these lines
    (kept under ``--quiet``) say what kinds there are without scrolling.
    """
    by_code: dict[str, list[Diagnostic]] = {}
    for diag in diagnostics:
        by_code.setdefault(diag.code, []).append(diag)
    lines = []
    for code, diags in sorted(by_code.items(), key=lambda item: (all(d.severity != "error" for d in item[1]), item[0])):
        counts = Counter(d.severity for d in diags)
        kinds = ", ".join(f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}" for s in ("error", "warning") if counts[s])
        lines.append(f"{code}: {kinds}, e.g. {diags[0].where}: {diags[0].message}")
    return lines
