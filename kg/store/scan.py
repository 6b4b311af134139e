"""A small SPARQL lexer: what kind of request a text is, and which SERVICE hosts it would call.

Why not just a regex: keywords are case-insensitive, may be written with ``\\u`` escapes (processed
before parsing, SPARQL 1.1 §19.2), and the same words may appear harmlessly inside strings, IRIs,
comments or prefixed names (``ex:service``). The scan tokenizes the way a SPARQL lexer does and
looks only at keyword tokens, so the guards in ``kg.web.guards`` neither miss a SERVICE nor refuse a
query that merely mentions "customer service" in a literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00B7-\uFFFF]*)?:(?:[\w.:%\-\u00B7-\uFFFF]|\\.)*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                             "WITH"})
QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


@dataclass(frozen=True)
class Scan:
    """What the lexer saw. ``services`` holds each SERVICE target IRI, or None when it is a variable
    or cannot be resolved to an absolute IRI (such a query is refused)."""

    form: str | None
    has_dataset: bool
    services: tuple[str | None, ...]
    says_service: bool

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes (\\uXXXX, \\UXXXXXXXX) as the grammar does before lexing."""
    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)

    return _ESCAPE.sub(repl, text)


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) for every significant token; whitespace and comments dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, m.group()))
    return out


def _prologue(toks: list[tuple[str, str]]) -> tuple[dict[str, str], str | None]:
    prefixes: dict[str, str] = {}
    base = None
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        word = value.upper()
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1][:-1]] = toks[i + 2][1][1:-1]
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = toks[i + 1][1][1:-1]
    return prefixes, base


def _target(tok: tuple[str, str] | None, prefixes: dict[str, str]) -> str | None:
    if tok is None:
        return None
    kind, value = tok
    if kind == "iri":
        iri = value[1:-1]
        return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None
    if kind == "pname":
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None


@lru_cache(maxsize=512)
def scan(query: str) -> Scan:
    """Lex ``query`` once (cached: the guard and the store both ask, and clients repeat queries)."""
    text = unescape(query)
    toks = tokens(text)
    prefixes, _ = _prologue(toks)
    words = [(i, v.upper()) for i, (k, v) in enumerate(toks) if k == "word"]
    form = next((w for _, w in words if w not in ("BASE", "PREFIX", "VERSION")), None)
    services = []
    for i, word in words:
        if word != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
            j += 1
        services.append(_target(toks[j] if j < len(toks) else None, prefixes))
    return Scan(
        form=form,
        has_dataset=any(w == "FROM" for _, w in words),
        services=tuple(services),
        says_service="service" in text.lower(),
    )
