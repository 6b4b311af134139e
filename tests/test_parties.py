"""The edition's order of a letter's parties (kg.publish.parties): the one rule the letter page, the letters
list, the search index and the CMIF / CSV views all apply to what they gather."""

from __future__ import annotations

from kg.publish.parties import PartyRole, agents, in_edition_order, position_of

P = "https://example.org/person/"


def test_roles_follow_their_positions_not_the_order_they_arrive_in() -> None:
    roles = [PartyRole(P + "c", 3), PartyRole(P + "a", 1), PartyRole(P + "b", 2)]
    assert agents(in_edition_order(roles)) == [P + "a", P + "b", P + "c"]
    assert agents(in_edition_order(reversed(roles))) == [P + "a", P + "b", P + "c"]


def test_positions_compare_as_numbers() -> None:
    roles = [PartyRole(P + "ten", position_of("10")), PartyRole(P + "two", position_of("2"))]
    assert agents(in_edition_order(roles)) == [P + "two", P + "ten"]


def test_parties_without_a_position_come_after_by_name_then_iri() -> None:
    roles = [PartyRole(P + "z", None, name="beta"), PartyRole(P + "y", 2, name="zeta"),
             PartyRole(P + "x", None, name="Alpha"), PartyRole(P + "w", None, name="alpha")]
    assert agents(in_edition_order(roles)) == [P + "y", P + "w", P + "x", P + "z"]
    # no names: by IRI
    assert agents(in_edition_order([PartyRole(P + "b"), PartyRole(P + "a"), PartyRole(P + "c", 1)])) == [
        P + "c", P + "a", P + "b"]


def test_plain_values_follow_the_roles_unless_a_role_names_them() -> None:
    roles = [PartyRole(P + "b", 2), PartyRole(P + "a", 1, copy=True)]
    plain = [PartyRole(P + "a", name="A"), PartyRole(P + "d", name="D"), PartyRole(P + "c", name="C"),
             PartyRole(P + "b", name="B")]
    ordered = in_edition_order(roles, plain)
    assert [(p.agent, p.copy) for p in ordered] == [(P + "a", True), (P + "b", False), (P + "c", False),
                                                    (P + "d", False)]
    # a graph without roles: the plain values alone, by name
    assert agents(in_edition_order([], plain)) == [P + "a", P + "b", P + "c", P + "d"]


def test_copies_are_flagged_and_keep_their_place() -> None:
    roles = [PartyRole(P + "copy", 2, copy=True), PartyRole(P + "to", 1), PartyRole(P + "copy2", 3, copy=True)]
    assert [(p.agent, p.copy) for p in in_edition_order(roles)] == [
        (P + "to", False), (P + "copy", True), (P + "copy2", True)]


def test_a_party_twice_in_one_capacity_is_listed_once_at_its_first_place() -> None:
    roles = [PartyRole(P + "a", 3), PartyRole(P + "b", 2), PartyRole(P + "a", 1), PartyRole(P + "a", None)]
    assert [(p.agent, p.position) for p in in_edition_order(roles)] == [(P + "a", 1), (P + "b", 2)]


def test_a_party_as_addressee_and_as_copy_recipient_is_listed_in_both_capacities() -> None:
    roles = [PartyRole(P + "a", 3, copy=True), PartyRole(P + "b", 2), PartyRole(P + "a", 1)]
    ordered = in_edition_order(roles)
    assert [(p.agent, p.position, p.copy) for p in ordered] == [(P + "a", 1, False), (P + "b", 2, False),
                                                                (P + "a", 3, True)]
    assert agents(ordered) == [P + "a", P + "b"]  # who, once: the search index and the list's To column


def test_a_position_is_a_whole_number_or_nothing() -> None:
    assert [position_of(t) for t in ("1", "12", "", None, "x", "-1", "1.5")] == [1, 12, None, None, None, None, None]
