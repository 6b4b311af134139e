"""The query guards of /sparql, in one place, each with the reason it exists.

- read-only: any SPARQL Update form is refused before it reaches the engine (the engine's query
  parser would reject it too, and the workers open the store read-only: three locks, not one);
- SERVICE: only to endpoints on ``Settings.service_allowlist``; a variable or unresolvable target is
  refused; when the word "service" appears where the lexer found no SERVICE keyword, rdflib's parser
  double-checks (a query it cannot parse is refused rather than trusted). Workers that run ordinary
  queries have no network at all (``kg.store.pool.drop_network``);
- time: the request's ``timeout`` can only lower ``Settings.query_timeout``; a query using SERVICE
  also runs under ``Settings.service_timeout``;
- size: bodies and query strings beyond ``Settings.max_body_bytes`` get 413.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import abort

from kg.config import Settings
from kg.store.scan import Scan, scan

READ_ONLY = ("This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, "
             "COPY) is not accepted. Download the dumps from /dumps/ to work on a copy.")


@dataclass(frozen=True)
class Plan:
    """How a checked query will run."""

    scan: Scan
    timeout: float
    federated: bool


def refuse_update() -> None:
    abort(403, READ_ONLY)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def rdflib_services(query: str) -> list[str | None] | None:
    """SERVICE targets as rdflib's SPARQL parser sees them; None when it cannot parse the query."""
    from pyparsing import ParseException
    from rdflib import URIRef
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except (ParseException, ValueError, TypeError):
        return None
    found: list[str | None] = []
    for node in _walk(tree):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, URIRef) else None)
    return found


def _check_services(query: str, found: Scan, settings: Settings) -> bool:
    targets: list[str | None] = list(found.services)
    if found.says_service and not targets:
        checked = rdflib_services(query)
        if checked is None:
            abort(403, "The query mentions 'service' in a form the SERVICE guard cannot verify; rephrase it "
                       "(e.g. without the word in a literal) or leave SERVICE out.")
        targets = checked
    allowed = set(settings.service_allowlist)
    for target in targets:
        if target is None or target not in allowed:
            shown = f"<{target}>" if target else "a variable or relative IRI"
            listed = ", ".join(f"<{a}>" for a in sorted(allowed)) or "none"
            abort(403, f"SERVICE to {shown} is not allowed here. Allowed endpoints: {listed}.")
    return bool(targets)


def _timeout(requested: str | None, settings: Settings) -> float:
    if requested is None or requested == "":
        return settings.query_timeout
    try:
        value = float(requested)
    except ValueError:
        abort(400, f"timeout must be a number of seconds, not {requested!r}")
    if not value > 0:
        abort(400, "timeout must be a positive number of seconds")
    return min(value, settings.query_timeout)


def check(query: str, requested_timeout: str | None, settings: Settings) -> Plan:
    """Refuse what must not run (403/413/400); else say how long and where it may run."""
    if len(query.encode("utf-8", "surrogatepass")) > settings.max_body_bytes:
        abort(413, f"The query is longer than {settings.max_body_bytes} bytes.")
    found = scan(query)
    if found.is_update:
        refuse_update()
    federated = _check_services(query, found, settings)
    timeout = _timeout(requested_timeout, settings)
    if federated:
        timeout = min(timeout, settings.service_timeout)
    return Plan(scan=found, timeout=timeout, federated=federated)
