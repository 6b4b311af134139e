"""What is being built for one chunk of page: the record, its diagnostics, and what the body reading found.

Why a module of its own: ``document`` (the field-by-field reading) and ``layouts`` (the headerless
telegram, the garbled dative, exchanges and the other rendering) fill the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import Diagnostic
from kg.model import Document, Party, SourceSpan
from kg.sources.split import Chunk


@dataclass
class Ctx:
    """What is being built for one chunk: the record and its diagnostics."""

    chunk: Chunk
    doc: Document
    diags: list[Diagnostic] = field(default_factory=list)
    rows: list[tuple[int, str]] = field(default_factory=list)  # the body's lines, markers removed
    signature_rows: list[int] = field(default_factory=list)  # indices into rows of the signature lines
    skip: set[int] = field(default_factory=set)  # indices into rows of place/date lines
    known: list[Party] = field(default_factory=list)  # parties named outside the header (the rendering's title)

    def span(self, first: int, last: int | None = None) -> SourceSpan:
        return SourceSpan(self.chunk.file, first, last if last is not None else first)

    def report(self, line: int, code: str, message: str, severity: str = "error") -> None:
        doc_id = self.doc.number or self.doc.key
        self.diags.append(Diagnostic(self.chunk.file, line, doc_id, code, message, severity))  # type: ignore[arg-type]
