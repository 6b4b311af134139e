"""The generator's transmission facts (issue 15): copies, sent / not sent / draft and replies are written
into the pages as the seed prints them, the facts say what the pages say, and the parser (with the
resolver's reply links) recovers them field by field."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from kg.devtools import read_facts, write_corpus
from kg.devtools.accuracy import REPLY_FIELD, report_lines, score
from kg.devtools.generate import FACTS_FILE

N = 600
VARIANTS = {"copies-of-comrades", "copy-lines", "address-copy", "sent", "not-sent", "draft", "reply-text",
            "reply-note", "reply-ambiguous"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], dict[str, dict]]:
    out = tmp_path_factory.mktemp("transmission")
    pages = write_corpus(out, N, seed=15, extras=True)
    return pages, {f["number"]: f for f in read_facts(out / FACTS_FILE)}


def _text(pages: list[Path], f: dict) -> list[str]:
    """The document's lines from its number line to its last note (its page's paragraphs, blank lines out)."""
    page = next(p for p in pages if p.name == f["page"]).read_text(encoding="utf-8")
    lines = [x for x in page.split("\n") if x.strip()]
    start = lines.index(f["number_line"])
    end = next((i for i in range(start + 1, len(lines)) if re.fullmatch(r"(?:No\.|Number) \d+", lines[i])),
               len(lines))
    return lines[start:end]


def _of(facts: dict[str, dict], variant: str) -> list[dict]:
    return [f for f in facts.values() if variant in f["transmission"]["variants"]]


def test_every_transmission_variant_appears(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    facts = corpus[1]
    assert all("transmission" in f for f in facts.values())
    seen = Counter(v for f in facts.values() for v in f["transmission"]["variants"])
    assert set(seen) == VARIANTS and min(n for v, n in seen.items() if v != "reply-ambiguous") >= 3, seen


def test_copies_are_header_recipients_after_the_addressee(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    """The header names every recipient in the edition's order; the copies are some of them, never the first."""
    for f in corpus[1].values():
        names = [p["name"] for p in f["recipients"]]
        copies = f["transmission"]["copies"]
        assert [n for n in names if n in copies] == copies and (not copies or copies[0] != names[0])


def test_copy_lines_stand_between_the_date_and_the_text(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    pages, facts = corpus
    for f in _of(facts, "copy-lines"):
        lines = _text(pages, f)
        copy_lines = [x for x in lines if x.startswith("Copy: ")]
        assert len(copy_lines) == len(f["transmission"]["copies"]) >= 1, f["number"]
        assert lines.index(copy_lines[0]) == lines.index(f["date_expressed"]) + 2 + sum(
            p["position"] == "head" for p in f["place_dates"])  # after the addressee line: "Tov. Belov.", "ISTPART."
    for f in _of(facts, "copies-of-comrades"):
        line = next(x for x in _text(pages, f) if x.startswith(("Copies of comrades ", "Copies: comrades ",
                                                                  "Copy to comrade ")))
        for name in f["transmission"]["copies"]:
            assert name.split()[-1] in line, (f["number"], line)
    for f in _of(facts, "address-copy"):
        assert any(re.fullmatch(rf"TO [A-Z-]+, copy TO {f['transmission']['copies'][0].split()[-1].upper()}", x)
                   for x in _text(pages, f)), f["number"]


def test_status_is_said_by_a_note_or_a_place_date_line(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    pages, facts = corpus
    for f in facts.values():
        status, text = f["transmission"]["status"], "\n".join(_text(pages, f)).lower()
        sent_line = any(p["role"] in ("filed", "received") for p in f["place_dates"])
        assert (status == "sent") == sent_line, f["number"]
        assert ("not sent" in text) == (status == "not-sent"), f["number"]
        if status == "draft":
            assert "draft" in text and f["notes"][-1]["kind"] == "transmission"


def test_replies_answer_an_earlier_letter_of_the_addressee(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    pages, facts = corpus
    replies = [f for f in facts.values() if f["transmission"]["reply_to"]]
    assert replies
    for f in replies:
        t, answered = f["transmission"], facts[f["transmission"]["reply_to"]]
        assert int(answered["number"]) < int(f["number"]) and answered["transmission"]["status"] in (None, "sent")
        earliest, latest = answered["date_detail"].get("gregorian_earliest"), f["date_detail"].get("gregorian_latest")
        assert earliest is None or latest is None or earliest <= latest, f["number"]  # not dated after the answer
        surnames = [p["name"].split()[-1] for p in answered["senders"] + answered["recipients"]]
        assert surnames == [p["name"].split()[-1] for p in f["recipients"] + f["senders"]]
        text = "\n".join(_text(pages, f))
        acknowledged = re.search(r"your (?:letter|telegram) received\.", text, re.I)
        assert bool(acknowledged) == ("reply-text" in t["variants"]), f["number"]
        assert "reply-ambiguous" not in t["variants"]
        if t["reply_basis"] == "editor-note":
            assert f"No. {answered['number']}" in text.split("\n")[-1]
        else:
            assert acknowledged


def test_an_acknowledgement_of_one_of_two_letters_names_no_reply(corpus: tuple[list[Path], dict[str, dict]]
                                                                 ) -> None:
    """'Your letter received.' when the addressee wrote twice in the window: the facts say no reply."""
    pages, facts = corpus
    unclear = _of(facts, "reply-ambiguous")
    assert unclear
    for f in unclear:
        assert f["transmission"]["reply_to"] is None
        assert re.search(r"your (?:letter|telegram) received\.", "\n".join(_text(pages, f)), re.I)
        writer, addressee = f["senders"][0]["name"], f["recipients"][0]["name"]
        earlier = [g for g in facts.values() if int(g["number"]) < int(f["number"])
                   and [p["name"] for p in g["senders"]] == [addressee]
                   and writer in [p["name"] for p in g["recipients"]]]
        assert len(earlier) >= 2, f["number"]


def test_parser_and_replies_recover_the_transmission_facts(corpus: tuple[list[Path], dict[str, dict]]) -> None:
    """Copies and status as the parser reads them, replies as the resolver links them: >= 98 % each."""
    from kg.config import Settings
    from kg.resolve.authority import load_authorities
    from kg.resolve.replies import find_replies
    from kg.sources.parse import parse_sources

    pages, facts = corpus
    documents = parse_sources([str(p) for p in pages]).documents
    found = find_replies(documents, load_authorities(Settings().data_dir)).found
    acc = score(documents, facts.values(), replies={k: r.document for k, r in found.items()})
    assert acc.total == N and not acc.missing
    for name in ("copies", "status", REPLY_FIELD, "recipients", "senders"):
        assert acc.scored[name] == N and acc.rate(name) >= 0.98, "\n".join(report_lines(acc))
    assert set(acc.variant_total) == VARIANTS
