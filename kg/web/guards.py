"""The query guards of /sparql, in one place, each with the reason it exists.

- read-only: any SPARQL Update form is refused before it reaches the engine (the engine's query
  parser would reject it too, and the workers open the store read-only: three locks, not one);
- SERVICE: only to endpoints on ``Settings.service_allowlist``; a variable or unresolvable target is
  refused. The decision is taken on the engine's own reading of the text (``kg.store.scan``: raw
  text, ``\\u`` escapes only inside strings and IRIs; any other escape is refused), never on a second
  parser's: rdflib read escapes differently (a bypass) and had no bound on its work (seconds of the
  web process's CPU per query). Workers that run ordinary queries have no network at all
  (``kg.store.pool.drop_network``), and the one that federates reaches only the allowlisted hosts
  (``kg.store.egress``);
- shape: queries nested or chained deeper than the engine can parse safely, or too long to lex
  cheaply, are 400 (``kg.store.scan``), before any worker sees them;
- time: the request's ``timeout`` can only lower ``Settings.query_timeout``; a query using SERVICE
  also runs under ``Settings.service_timeout``;
- size: bodies and query strings beyond ``Settings.max_body_bytes`` get 413.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _check_services(found: Scan, settings: Settings) -> bool:
    targets: list[str | None] = list(found.services)
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
    if found.problem:
        abort(400, found.problem)
    federated = _check_services(found, settings)
    timeout = _timeout(requested_timeout, settings)
    if federated:
        timeout = min(timeout, settings.service_timeout)
    return Plan(scan=found, timeout=timeout, federated=federated)
