"""Withdrawn IRIs (data/authority/aliases.toml): read and checked, published as owl:sameAs their replacement only
when the build mints the replacement, and never minted again. The site's answer to them is tested with the other
IRIs in tests/test_web_iris.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL

from kg.config import ROOT
from kg.errors import KGError
from kg.model import Corpus, Event, IriAlias
from kg.rdf.mapping import map_corpus
from kg.resolve.aliases import load_aliases
from kg.resolve.authority import load_authorities

BASE = "https://example.org/kg/"


def test_the_four_event_ids_withdrawn_in_issue_15_are_aliases_with_their_reasons() -> None:
    aliases = load_authorities(ROOT / "data").aliases
    assert {(a.old, a.new) for a in aliases} == {
        ("event/1923-01-16-sto", "event/1923-01-16-sto-decision"),
        ("event/1922-12-21-orgburo", "event/1922-12-21-orgburo-decision"),
        ("event/1923-11-politburo", "event/1923-11-politburo-decision"),
        ("event/1924-03-politburo", "event/1924-03-politburo-decision")}
    assert all("note" in a.reason.lower() for a in aliases)


@pytest.mark.parametrize(("entry", "message"), [
    ('old = "event/a"\nnew = "event/b"', "'reason' are required"),
    ('old = "https://w3id.org/bolcorr/event/a"\nnew = "event/b"\nreason = "r"', "paths under the base"),
    ('old = "event/a"\nnew = "event/a"\nreason = "r"', "withdrawn twice"),
])
def test_a_bad_alias_names_file_and_entry(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text(f"[[alias]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(KGError, match=rf"aliases\.toml: \[\[alias\]\] #1: .*{message}"):
        load_aliases(path)


def _event(event_id: str) -> Event:
    return Event(id=event_id, label=event_id, kind="decision", date=None)


def test_an_alias_is_published_only_when_its_replacement_is_minted() -> None:
    aliases = [IriAlias("event/x-old", "event/x-new", "r"), IriAlias("event/y-old", "event/y-new", "r")]
    ds = map_corpus(Corpus(documents=[], events={"x-new": _event("x-new")}, aliases=aliases), base_iri=BASE)
    same = {(str(s), str(o)) for s, _, o, _ in ds.quads((None, OWL.sameAs, None, None))}
    assert same == {(BASE + "event/x-old", BASE + "event/x-new")}


def test_a_withdrawn_iri_is_never_minted_again() -> None:
    corpus = Corpus(documents=[], events={"x-old": _event("x-old"), "x-new": _event("x-new")},
                    aliases=[IriAlias("event/x-old", "event/x-new", "corrected")])
    with pytest.raises(KGError, match="never reused"):
        map_corpus(corpus, base_iri=BASE)
