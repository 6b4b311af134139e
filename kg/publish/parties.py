"""A letter's senders or recipients in the edition's order: the one statement of the rule, for every reader.

    roles = [PartyRole(agent, position_of(text), copy, name) for each bc:PartyRole of one side]
    plain = [PartyRole(agent, name=name) for each schema:sender (or schema:recipient) value]
    in_edition_order(roles, plain)     # -> [PartyRole, ...]: positioned, then the rest by name and IRI
    agents(in_edition_order(...))      # -> [IRI, ...]: each party once, where only who matters

Why here: the graph states the parties twice, as unordered plain values (``schema:sender``) and as
``bc:qualifiedSender`` / ``bc:qualifiedRecipient`` roles that carry the header's order (``bc:position``,
written by kg/rdf/transmission.py) and, for recipients, whether the party got a copy. Each reader gathers
these from its own source (a page's Description, a SPARQL result, a batch's triples, the dump) but the
order is decided once, here: kg.publish is the lowest package both the build (the search index, the
CMIF and CSV views) and the web layer (the letter page, the letters list) may import.

The rule: roles by ``bc:position``; a role without a usable position (the shapes forbid it, a foreign
store may still serve one) and a plain value that no role names come after, by name (case-folded) and
then IRI, so the order never depends on the order rows arrived in. A party named by two roles of one
kind (a duplicate row, or the same role read twice) is listed once, at its first place; named once as
addressee and once as copy recipient, it is listed in both capacities, as the edition prints it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PartyRole:
    """One party of one side of a letter: a ``bc:PartyRole`` or, with ``position`` None, a plain value."""

    agent: str  # the party's IRI (bc:party, or the schema:sender / schema:recipient value)
    position: int | None = None  # bc:position; None when the role has none, or for a plain value
    copy: bool = False  # bc:recipientKind bcv:copyRecipient
    name: str = ""  # what the reader shows; breaks ties among parties without a position ('' = by IRI)


def position_of(text: str | None) -> int | None:
    """A ``bc:position`` as its lexical form reads (``"2"`` -> 2); None when absent or not a whole number."""
    return int(text) if text and text.isdigit() else None


def _rank(party: PartyRole) -> tuple[bool, int, str, str, bool]:
    return party.position is None, party.position or 0, party.name.casefold(), party.agent, party.copy


def in_edition_order(roles: Iterable[PartyRole], plain: Iterable[PartyRole] = ()) -> list[PartyRole]:
    """``roles`` in the edition's order, then the ``plain`` parties no role names (module docstring)."""
    roles = list(roles)
    named = {role.agent for role in roles}
    ordered: dict[tuple[str, bool], PartyRole] = {}
    for party in sorted([*roles, *(p for p in plain if p.agent not in named)], key=_rank):
        ordered.setdefault((party.agent, party.copy), party)
    return list(ordered.values())


def agents(parties: Iterable[PartyRole]) -> list[str]:
    """The parties' IRIs, each once at its first place (copy or not: for readers that list who, not how)."""
    return list(dict.fromkeys(party.agent for party in parties))
