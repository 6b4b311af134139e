"""A small SPARQL lexer that reads a query the way the engine does: what kind of request it is, which
SERVICE hosts it would call, and whether it is too deep or too long for the engine to parse safely.

Why not just a regex: keywords are case-insensitive and the same words may appear harmlessly inside
strings, IRIs, comments or prefixed names (``ex:service``). Why *the engine's* reading: a guard that
reads a query differently from the engine can be fooled. SPARQL 1.1 (§19.2) says ``\\u`` escapes are
replaced before lexing; pyoxigraph replaces them only inside strings and IRIs, *after* finding where
the string or IRI ends (checked: ``"\\u0022"`` is a one-character string to the engine, ``\\u0053ERVICE``
is a syntax error). A guard that decoded the whole text first saw ``"\\u0022" SERVICE <x> {} "\\u0022"``
as one long string, while the engine ran the SERVICE. So this lexer works on the raw text, decodes
escapes only inside IRIs (as the engine does, to compare SERVICE targets), and reports any ``\\u``
escape elsewhere (outside strings, IRIs and comments) as a problem: the engine would refuse such a
query anyway, and refusing it here leaves no text that the two could read differently.

The size checks exist because the engine's parser and evaluator recurse: measured with pyoxigraph
0.5 on an 8 MB stack, 5,000 nested ``{`` or a chain of 7,000 ``+`` / ``UNION`` crash the process
(SIGSEGV); 2,000 nested and 5,000 chained still run. The store process gives its workers a 64 MB
stack (``kg.store.zygote``: 10,000 nested still ran, 20,000 crashed). The limits below stay far
beneath either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_DEPTH = 256  # nested { ( [ ; the engine crashed between 2,000 and 5,000
MAX_OPERATORS = 3000  # operators and UNION/OPTIONAL/MINUS, which the engine nests; it crashed at 7,000
MAX_TOKENS = 100_000  # bounds the guard's own work: lexing stops there (~0.1 s; a 1 MB query took 0.2 s in full)
CACHED_UP_TO = 4096  # only short queries are cached: 512 cached 1 MB queries would be 512 MB

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ESCAPE = re.compile(_UCHAR)
_CODE_ESCAPE = re.compile(r"\\[uU]")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# The lexer: one pattern for the guard (``tokens``) and for the proxy's dataset rewriting (kg.store.dataset).
TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|""" + _UCHAR + r""")*>)
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
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")
_OPERATORS = frozenset("+-*/!|^=<>&")
_NESTING_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS"})


@dataclass(frozen=True)
class Scan:
    """What the lexer saw. ``services`` holds each SERVICE target IRI, or None when it is a variable
    or cannot be resolved to an absolute IRI (such a query is refused). ``problem``, when set, says
    why the query must be refused before it reaches the engine (a 400)."""

    form: str | None
    has_dataset: bool
    services: tuple[str | None, ...]
    problem: str | None = None

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes (\\uXXXX, \\UXXXXXXXX), as the engine does inside an IRI."""
    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group()[2:], 16))
        except (ValueError, OverflowError):
            return m.group()

    return _ESCAPE.sub(repl, text)


class _TooLong(Exception):
    pass


def tokens(text: str, limit: int | None = None) -> list[tuple[str, str]]:
    """(kind, text) for every token but whitespace; comments are kept (kind "comment")."""
    out = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "ws":
            out.append((kind, m.group()))
            if limit is not None and len(out) > limit:
                raise _TooLong
    return out


def prologue(toks: list[tuple[str, str]]) -> dict[str, str]:
    """The query's PREFIX declarations (prefix -> IRI, escapes decoded)."""
    prefixes: dict[str, str] = {}
    for i, (kind, value) in enumerate(toks):
        if kind == "word" and value.upper() == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" \
                and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1][:-1]] = unescape(toks[i + 2][1][1:-1])
    return prefixes


def absolute_iri(tok: tuple[str, str] | None, prefixes: dict[str, str]) -> str | None:
    """An IRI token or a prefixed name as an absolute IRI (as the engine reads it: escapes decoded
    inside the IRI only); None for anything else, a relative IRI or an undeclared prefix."""
    if tok is None:
        return None
    kind, value = tok
    if kind == "iri":
        iri = unescape(value[1:-1])
        return iri if _ABSOLUTE.match(iri) else None
    if kind == "pname":
        prefix, _, local = value.partition(":")
        known = prefixes.get(prefix)
        return known + local if known is not None and _ABSOLUTE.match(known) else None
    return None


def is_iri(text: str) -> bool:
    """True when ``<text>`` is one IRI token: safe to write into a query as it is."""
    m = TOKEN.match(f"<{text}>")
    return m is not None and m.lastgroup == "iri" and m.end() == len(text) + 2


def _shape_problem(code: list[tuple[str, str]]) -> str | None:
    """Why the engine must not see this query (escapes it would not read, nesting it cannot take)."""
    if _CODE_ESCAPE.search("".join(text for _, text in code)):
        return ("\\u escapes are read only inside strings and IRIs here (as by the query engine); write "
                "keywords and names without them.")
    depth = deepest = operators = 0
    for kind, text in code:
        if kind == "other":
            if text in _OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif text in _CLOSING:
                depth -= 1
            elif text in _OPERATORS:
                operators += 1
        elif kind == "word" and text.upper() in _NESTING_WORDS:
            operators += 1
    if deepest > MAX_DEPTH:
        return f"The query nests {deepest} levels deep; at most {MAX_DEPTH} are accepted."
    if operators > MAX_OPERATORS:
        return (f"The query chains {operators} operators (UNION, OPTIONAL, MINUS, + - * / && || = < > ! | ^); "
                f"at most {MAX_OPERATORS} are accepted.")
    return None


def _scan(query: str) -> Scan:
    try:
        toks = tokens(query, MAX_TOKENS)
    except _TooLong:
        return Scan(form=None, has_dataset=False, services=(),
                    problem=f"The query has more than {MAX_TOKENS} tokens; split it or download the dumps.")
    code = [t for t in toks if t[0] != "comment"]
    prefixes = prologue(code)
    words = [(i, v.upper()) for i, (k, v) in enumerate(code) if k == "word"]
    form = next((w for _, w in words if w not in ("BASE", "PREFIX", "VERSION")), None)
    services = []
    for i, word in words:
        if word != "SERVICE":
            continue
        j = i + 1
        if j < len(code) and code[j][0] == "word" and code[j][1].upper() == "SILENT":
            j += 1
        services.append(absolute_iri(code[j] if j < len(code) else None, prefixes))
    return Scan(form=form, has_dataset=any(w == "FROM" for _, w in words), services=tuple(services),
                problem=_shape_problem([t for t in code if t[0] not in ("string", "iri")]))


_scan_cached = lru_cache(maxsize=512)(_scan)


def scan(query: str) -> Scan:
    """Lex ``query`` once (short ones are cached: the guard and the store both ask, and clients repeat
    queries)."""
    return _scan_cached(query) if len(query) <= CACHED_UP_TO else _scan(query)
