"""SPARQL syntax errors a person can act on: where, what was found, what may come there.

Why: the engine reports the furthest point its parser reached and every alternative it tried there,
character classes included (``expected one of "$", "'", … ['\\u{00C0}'..='\\u{00D6}' …``), and for a
misspelt first keyword the alternative of its last rule (``SELEC *`` gave "expected CONSTRUCT"). This
module keeps the engine's line and column, names the token found there, turns the alternatives into
at most ``MAX_EXPECTED`` words ("a variable", "an IRI", ``"}"``, ``WHERE``) and adds a caret excerpt
of the line. Two mistakes the engine places badly are recognised first, on the same lexer the guards
use (``kg.store.scan.TOKEN``): a first word that is no query form, and a prefix that is not declared
(the engine's position for it lands after the end of the group pattern).

The engine's position is where its parser *stopped*, often the end of the query, past the mistake. So
the mistake is looked for by asking the engine about prefixes of the query: a prefix followed by a
character no query may hold (``§``) is either read up to that character (the prefix can still become
a query) or not; the first token after which it is not is where the query went wrong (a binary
search: a dozen parses of at most the query's length, each failing before anything runs). The
alternatives the engine lists at the end of the last good prefix are what may come there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.store.scan import QUERY_FORMS, TOKEN

MAX_EXPECTED = 8
FORMS = "SELECT, CONSTRUCT, ASK or DESCRIBE"
_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_ ]*[A-Za-z0-9_]|[A-Za-z_]')
# The engine's alternatives, in words. None: noise (any character, RDF 1.2 triple terms).
_WORDS: dict[str, str | None] = {
    '"$"': "a variable", '"?"': "a variable", '"<"': "an IRI", '":"': "a prefixed name",
    "\"'\"": "a string", "\"'''\"": "a string", '"\\""': "a string", '"\\"\\"\\""': "a string",
    '"+"': "a number", '"-"': "a number", '"true"': "true or false", '"false"': "true or false",
    '"_:"': "a blank node", '"["': "a blank node", '"<<"': None, '"<<("': None, '"{|"': None, '"~"': None,
    '"\\\\"': None, '"\\\\u"': None, '"\\\\U"': None, "Prefix not found": "a declared prefix",
    "IRI parsing failed": "a valid IRI",
}
MAX_SEARCHED_TOKENS = 5000  # beyond, the engine's own position is reported
_PROBE_BASE = "BASE <http://example.org/> "  # relative IRIs must not fail the probes
_STOP = " \u00a7"  # "§": outside strings, IRIs and comments no query may hold it
_EMPTY = ox.Store()  # only ever parses: every probe ends in a syntax error, so nothing is evaluated
_FUNCTIONS_AS_EXPRESSION = 4  # more builtin names than this: say "an expression" instead of the names
EXPRESSION = "an expression (a variable, a value or a function call)"
STRUCTURE = frozenset({"WHERE", "OPTIONAL", "BIND", "VALUES", "FILTER", "GRAPH", "SERVICE", "MINUS", "UNION", "BY",
                       "DISTINCT", "REDUCED", "HAVING", "OFFSET", "LIMIT", "ORDER", "GROUP", "PREFIX", "BASE", "AS",
                       "FROM", "NAMED", "LATERAL", "VERSION", "SELECT", "CONSTRUCT", "ASK", "DESCRIBE", "NOT",
                       "EXISTS", "IN", "A", "UNDEF", "ASC", "DESC", "SEPARATOR", "SILENT"})


@dataclass(frozen=True)
class SyntaxReport:
    """One syntax error, for every kind of answer (JSON fields, the text message, the HTML page)."""

    line: int
    column: int
    found: str
    expected: tuple[str, ...]
    summary: str
    excerpt: str

    @property
    def message(self) -> str:
        return f"{self.summary}\n{self.excerpt}" if self.excerpt else self.summary


def _offset(query: str, line: int, column: int) -> int:
    lines = query.split("\n")
    if not 1 <= line <= len(lines):
        return len(query)
    return sum(len(text) + 1 for text in lines[:line - 1]) + max(0, column - 1)


def _position(query: str, offset: int) -> tuple[int, int]:
    before = query[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def excerpt(query: str, line: int, column: int, width: int = 100) -> str:
    """The query's ``line`` with a caret under ``column`` (a window of ``width`` around it if long)."""
    lines = query.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].rstrip("\r").replace("\t", " ")
    start = max(0, column - 1 - width // 2) if len(text) > width else 0
    shown = ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
    caret = column - 1 - start + (1 if start else 0)
    label = f"{line} | "
    return f"{label}{shown}\n{' ' * (len(label) - 2)}| {' ' * max(0, caret)}^"


def _found(query: str, offset: int) -> str:
    match = TOKEN.match(query, offset) if offset < len(query) else None
    while match is not None and match.lastgroup == "ws":
        match = TOKEN.match(query, match.end()) if match.end() < len(query) else None
    if match is None:
        return "the end of the query"
    text = match.group()
    return repr(text if len(text) <= 40 else text[:37] + "…")


def _word(item: str) -> str | None:
    if item in _WORDS:
        return _WORDS[item]
    if item.startswith("["):  # a character class: digits are a number, letters a prefixed name
        if "'A'" in item:
            return "a prefixed name"
        return "a number" if "'0'" in item else None
    return item  # a keyword, or punctuation shown in quotes


def _words(rest: str) -> list[str]:
    """The engine's alternatives in words, in its order, each once; many builtin function names
    (``ABS, AVG, DAY, IRI…``) become "an expression"."""
    items = _ITEM.findall(rest.removeprefix("expected one of ").removeprefix("expected "))
    functions = {i for i in items if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) and i.upper() not in STRUCTURE}
    out: list[str] = []
    for item in items:
        word = EXPRESSION if item in functions and len(functions) > _FUNCTIONS_AS_EXPRESSION else _word(item)
        if word and word not in out:
            out.append(word)
    return out


def _tokens(query: str) -> list[re.Match[str]]:
    return [m for m in TOKEN.finditer(query) if m.lastgroup not in ("ws", "comment")]


def _unknown_form(query: str, toks: list[re.Match[str]]) -> SyntaxReport | None:
    """A first word after the prologue that is no query form (``SELEC``), or no query at all."""
    i = 0
    while i < len(toks) and toks[i].group().upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i].group().upper() == "PREFIX" else 2
    if i >= len(toks):
        line, column = _position(query, len(query))
        return SyntaxReport(line, column, "the end of the query", tuple(FORMS.replace(" or", ",").split(", ")),
                            f"SPARQL syntax error at line {line}, column {column}: there is no query; a query "
                            f"starts with {FORMS} (after any PREFIX and BASE declarations).",
                            excerpt(query, line, column))
    first = toks[i]
    if first.lastgroup != "word" or first.group().upper() in QUERY_FORMS or first.group().upper() == "VERSION":
        return None
    line, column = _position(query, first.start())
    guess = difflib.get_close_matches(first.group().upper(), sorted(QUERY_FORMS), n=1, cutoff=0.6)
    hint = f" Did you mean {guess[0]}?" if guess else ""
    return SyntaxReport(line, column, repr(first.group()), tuple(FORMS.replace(" or", ",").split(", ")),
                        f"SPARQL syntax error at line {line}, column {column}: unknown keyword {first.group()}; a "
                        f"query starts with {FORMS} (after any PREFIX and BASE declarations).{hint}",
                        excerpt(query, line, column))


def _undeclared_prefix(query: str, toks: list[re.Match[str]], known: dict[str, str]) -> SyntaxReport | None:
    declared = {toks[i + 1].group()[:-1] for i in range(len(toks) - 1)
                if toks[i].group().upper() == "PREFIX" and toks[i + 1].lastgroup == "pname"}
    for i, tok in enumerate(toks):
        if tok.lastgroup != "pname" or (i and toks[i - 1].group().upper() == "PREFIX"):
            continue
        prefix = tok.group().partition(":")[0]
        if prefix in declared:
            continue
        line, column = _position(query, tok.start())
        hint = (f" Add PREFIX {prefix}: <{known[prefix]}> at the top." if prefix in known
                else f" Declare it at the top: PREFIX {prefix}: <…>.")
        return SyntaxReport(line, column, repr(tok.group()), ("a declared prefix",),
                            f"SPARQL syntax error at line {line}, column {column}: the prefix {prefix}: of "
                            f"{tok.group()} is not declared.{hint}", excerpt(query, line, column))
    return None


def _engine_stop(text: str) -> tuple[int, str] | None:
    """(offset in ``text`` where the engine's parser stopped, its alternatives there); None when the
    engine accepted the text (it never should: probes end in ``_STOP``) or said no position."""
    try:
        _EMPTY.query(_PROBE_BASE + text)
    except SyntaxError as err:
        match = _AT.match(str(err).strip())
        if match is None:
            return None
        probe = _PROBE_BASE + text
        offset = _offset(probe, int(match.group(1)), int(match.group(2))) - len(_PROBE_BASE)
        return offset, match.group(3)
    return None


def _locate(query: str, toks: list[re.Match[str]]) -> tuple[re.Match[str], str] | None:
    """(the token where the query goes wrong, the engine's alternatives before it), found by asking
    the engine which prefixes of the query can still become a query."""
    if not toks or len(toks) > MAX_SEARCHED_TOKENS:
        return None

    def broken(k: int) -> bool:
        end = toks[k].end()
        stop = _engine_stop(query[:end] + _STOP)
        return stop is not None and stop[0] < end + 1

    if not broken(len(toks) - 1):
        return None
    lo, hi = 0, len(toks) - 1  # the first broken prefix lies in lo..hi
    while lo < hi:
        mid = (lo + hi) // 2
        if broken(mid):
            hi = mid
        else:
            lo = mid + 1
    stop = _engine_stop(query[:toks[lo].end()] + _STOP)
    assert stop is not None
    culprit = max((t for t in toks if t.start() < stop[0]), key=lambda t: t.start(), default=toks[0])
    index = toks.index(culprit)
    before = _engine_stop(query[:toks[index - 1].end()] + _STOP) if index else None
    return culprit, before[1] if before else ""


def explain(query: str, engine_text: str, shift: int = 0, known: dict[str, str] | None = None) -> SyntaxReport:
    """The report for ``query``, which the engine refused with ``engine_text``. ``shift``: characters
    the endpoint put before the client's text on its first line (a ``BASE`` declaration); ``known``:
    prefixes to suggest when the query uses one it did not declare."""
    toks = _tokens(query)
    found = _unknown_form(query, toks) or _undeclared_prefix(query, toks, known or {})
    if found is not None:
        return found
    located = _locate(query, toks)
    if located is not None:
        token, alternatives = located
        line, column = _position(query, token.start())
        return _report(query, line, column, _found(query, token.start()), alternatives)
    match = _AT.match(engine_text.strip())
    if match is None:
        return SyntaxReport(0, 0, "", (), f"SPARQL syntax error: {engine_text.splitlines()[0][:300]}", "")
    line, column, rest = int(match.group(1)), int(match.group(2)), match.group(3)
    if line == 1:
        column = max(1, column - shift)
    return _report(query, line, column, _found(query, _offset(query, line, column)), rest)


def _report(query: str, line: int, column: int, token: str, alternatives: str) -> SyntaxReport:
    words = _words(alternatives)
    if len(words) > MAX_EXPECTED:
        words = [*words[:MAX_EXPECTED - 1], "…"]
    wanted = ""
    if words:
        wanted = "; expected " + (words[0] if len(words) == 1 else "one of " + ", ".join(words))
    summary = f"SPARQL syntax error at line {line}, column {column}: found {token}{wanted}."
    return SyntaxReport(line, column, token, tuple(words), summary, excerpt(query, line, column))
