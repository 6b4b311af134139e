"""Name resolution on the seed page (real parse) and on hand-built documents (the rules in isolation).

What these tests hold the resolver to: every party of the seed resolves to the right person or body;
the seed's aliases resolve to the right people in the documents where they occur, with the basis the
evidence supports; meaning depends on the document ("the old man"); ambiguous names stay unresolved
and are reported; mentions are whole-word ("Leninist" and "Kobi road" are not Lenin and Koba).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.config import ROOT, Settings
from kg.model import Document, Marker, Note, ParseResult, Party, SourceSpan
from kg.resolve.authority import load_authorities, name_key
from kg.resolve.corpus import resolve, resolve_with
from kg.resolve.names import NameFinder

EXPECTED_PATH = ROOT / "tests" / "data" / "seed-expected.json"  # copy of ../shared/reference/, see its README
SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(EXPECTED_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def auth():
    return load_authorities(ROOT / "data")


@pytest.fixture(scope="module")
def corpus():
    from kg.sources.parse import parse_sources

    return resolve(parse_sources([str(SEED)]), Settings())


def _labels(corpus, ids) -> list[str]:
    return [corpus.entities[i].pref_label for i in ids if i in corpus.entities]


def _usages(corpus, key: str, form: str):
    return [u for u in corpus.resolutions[key].usages if u.form == form]


# -- parties -------------------------------------------------------------------------------------------


def test_every_sender_and_recipient_of_the_seed_resolves_to_the_named_agent(corpus, expected):
    for doc in expected["documents"]:
        res = corpus.resolutions[str(doc["no"])]
        for role in ("senders", "recipients"):
            ids = getattr(res, role)
            assert None not in ids, f"No. {doc['no']}: unresolved {role}"
            labels = _labels(corpus, ids)
            assert len(labels) == len(doc[role])
            for who in doc[role]:
                assert any(who.lower() in label.lower() for label in labels), f"No. {doc['no']} {role}: {who}"


def test_document_177_nine_senders_and_four_institutions(corpus):
    res = corpus.resolutions["177"]
    assert res.senders == ["pyatakov-g-l", "radek-k-b", "yakovleva-v-n", "stukov-i-n", "smirnov-v-m",
                           "pokrovsky-m-n", "sheverdin-s-n", "preobrazhensky-e-a", "maksimovsky-v-m"]
    assert res.recipients == ["istpart", "cc-rcp", "ccc", "pravda-editorial-board"]
    eastpart = _usages(corpus, "177", "Eastpart")
    assert [(u.where, u.kind, u.entity, u.basis) for u in eastpart] == [
        ("header", "header", "istpart", "authority-file")]
    assert all(corpus.entities[i].kind == "organization" for i in res.recipients)


def test_signatures_resolve_to_the_signers_with_the_form_as_signed(corpus):
    signed = {(u.document, u.form): u.entity for r in corpus.resolutions.values() for u in r.usages
              if u.where == "signature"}
    assert signed[("167", "Your Amayak")] == "nazaretyan-a-m"
    assert signed[("169", "S. Minin")] == "minin-s-k"
    assert signed[("173", "Arvid")] == signed[("173", "A[rvid]")] == signed[("173", "Ar[view]")] == "pyatakov-g-l"
    assert signed[("177", "Shevardin")] == "sheverdin-s-n"
    assert signed[("177", "In. Stukov")] == "stukov-i-n"
    assert signed[("176", "I. Stalin")] == "stalin-i-v"
    assert signed[("175", "N. Krestinsky")] == "krestinsky-n-n"


def test_places_written(corpus):
    assert corpus.resolutions["173"].place == "berlin"
    assert corpus.resolutions["174"].place == "poltava"
    assert corpus.resolutions["167"].place is None


# -- aliases and bases ---------------------------------------------------------------------------------


def _alias_usages(corpus, alias: str):
    key = name_key(alias)
    return [u for r in corpus.resolutions.values() for u in r.usages
            if name_key(u.form) == key or name_key(u.form).endswith(key) and u.where == "signature"
            or u.form.startswith(alias + " [")]


def test_aliases_of_seed_expected_resolve_to_the_right_people(corpus, expected):
    for alias, surname in expected["aliases"].items():
        usages = _alias_usages(corpus, alias)
        assert usages, f"alias {alias!r} not found in the seed"
        for u in usages:
            assert u.entity, f"{alias!r} in No. {u.document} unresolved: {u.explanation}"
            assert surname.lower() in corpus.entities[u.entity].pref_label.lower(), (alias, u)


def test_editor_notes_identify_pseudonyms_and_initials(corpus):
    andrei = [u for u in corpus.resolutions["173"].usages if u.form.startswith("Andr")]
    assert {u.form for u in andrei} >= {"Andrei[she]", "Andrei", "Andrey", "Andrei[ey]", "Andr[ey]"}
    assert {(u.entity, u.basis) for u in andrei} == {("radek-k-b", "editor-note")}
    assert all("note 3 to No. 173" in u.explanation and "Radek's pseudonym" in u.explanation for u in andrei)
    (arvid,) = _usages(corpus, "173", "Arvid")
    assert (arvid.basis, arvid.kind) == ("editor-note", "pseudonym") and "note 10" in arvid.explanation
    adts = _usages(corpus, "173", "A.D.Ts.")
    assert len(adts) == 3 and {(u.entity, u.basis, u.kind) for u in adts} == {("tsyurupa-a-d", "editor-note",
                                                                               "initials")}
    (ai,) = [u for u in _usages(corpus, "173", "A.I.")]
    assert (ai.entity, ai.basis) == ("rykov-a-i", "editor-note") and '"A. I. Rykov."' in ai.explanation
    (ld,) = _usages(corpus, "173", "L. D. [Trotsky]")
    assert (ld.entity, ld.kind, ld.basis) == ("trotsky-l-d", "initials", "editor-note")
    (ar,) = _usages(corpus, "173", "Ar[view]")
    assert ar.basis == "context" and "Ar[vid]" in ar.explanation


def test_nicknames_completions_and_variants(corpus):
    def entity_of(key, form):
        return {u.entity for u in _usages(corpus, key, form)}

    assert entity_of("167", "Koba") == {"stalin-i-v"}
    assert entity_of("168", "Kobe") == {"stalin-i-v"}
    assert entity_of("168", "Soso") == {"stalin-i-v"}
    assert entity_of("167", "Budu") == entity_of("168", "Buda") == {"mdivani-p-g"}
    assert entity_of("167", "Smilge") == {"smilga-i-t"}
    assert entity_of("171", "Chubarov") == {"chubar-v-ya"}
    assert entity_of("170", "K[alini]nu") == {"kalinin-m-i"}
    assert entity_of("169", "M[ikhail] V[asilyevich]") == {"frunze-m-v"}
    assert entity_of("173", "Br[andler]") == {"brandler-h"}
    assert entity_of("173", "St[alin]") == {"stalin-i-v"}
    assert entity_of("168", "Alyosha") == entity_of("168", "Svanidze") == {"svanidze-a-s"}
    assert entity_of("167", "Zina") == entity_of("170", "Zinaida Gavrilovna") == {"ordzhonikidze-z-g"}
    assert entity_of("172", "STALIN") == {"stalin-i-v"}
    (koba,) = _usages(corpus, "167", "Koba")[:1]
    assert (koba.kind, koba.where, koba.basis, koba.line) == ("nickname", "body", "authority-file", 23)


def test_the_old_man_is_resolved_per_document_never_to_the_same_person(corpus):
    old_168 = {u.entity for u in corpus.resolutions["168"].usages if u.form.lower() == "the old man"}
    old_170 = {u.entity for u in corpus.resolutions["170"].usages if u.form.lower() == "the old man"}
    assert old_168 == {"lenin-v-i"} and old_170 == {"kalinin-m-i"}
    assert all(u.basis == "context" and u.explanation for u in corpus.resolutions["170"].usages
               if u.form == "the old man")


def test_tov_abbreviation_is_not_taken_for_initials(corpus):
    assert {u.entity for u in _usages(corpus, "170", "Trotsky")} == {"trotsky-l-d"}  # "T. Trotsky"
    assert {u.entity for u in _usages(corpus, "171", "Krzhizhanovsky")} == {"krzhizhanovsky-g-m"}


# -- unresolved names and diagnostics ----------------------------------------------------------------------


SEED_UNRESOLVED = {("167", "Vardzieli"), ("167", "Beso"), ("167", "Mamiya"), ("167", "Shalva"), ("168", "Graskin"),
                   ("168", "Mogilevsky"), ("168", "Rusanov"), ("171", "Vladimirov"), ("171", "Ishchenko"),
                   ("172", "Katsnelson"), ("173", "Yulip"), ("173", "Shklovsky"), ("173", "Wurm"), ("173", "Helm"),
                   ("173", "Central Committee"),
                   ("175", "Kuznetsov")}


def test_unresolved_names_are_reported_as_warnings_with_file_line_and_document(corpus):
    diags = [d for d in corpus.diagnostics if d.code == "unresolved-name"]
    assert {(d.document, d.message.split("'")[1]) for d in diags} == SEED_UNRESOLVED
    helm = next(d for d in diags if "'Helm'" in d.message)
    assert (helm.severity, helm.line, helm.file.endswith(SEED.name)) == ("warning", 327, True)
    assert "Skoblevsky" in helm.message
    assert str(helm).startswith(f"{helm.file}:327: document 173: warning:")
    unresolved = [u for r in corpus.resolutions.values() for u in r.usages if u.entity is None]
    assert all(u.basis is None and u.explanation for u in unresolved)


def _doc(key: str, body: str, notes: list[Note] | None = None, senders: list[Party] | None = None) -> Document:
    span = SourceSpan("hand.txt", 1, 1 + body.count("\n"))
    return Document(key=key, number=key, kind="letter", header="", senders=senders or [], body=body,
                    notes=notes or [], source=span, fields={"body": span})


def test_a_pseudonym_without_its_note_stays_unresolved(auth):
    corpus = resolve_with(ParseResult([_doc("900", "I spoke with Andrei and Seryozha yesterday.")]), auth)
    usages = {u.form: u for u in corpus.resolutions["900"].usages}
    assert usages["Andrei"].entity is None and "note" in usages["Andrei"].explanation
    assert usages["Seryozha"].entity is None
    assert {d.message.split("'")[1] for d in corpus.diagnostics} == {"Andrei", "Seryozha"}


def test_the_old_man_elsewhere_is_kept_unresolved_and_reported(auth):
    corpus = resolve_with(ParseResult([_doc("909", "The old man was stubborn again.")]), auth)
    (usage,) = corpus.resolutions["909"].usages
    assert (usage.form, usage.entity, usage.kind) == ("The old man", None, "description")
    assert "No. 168" in usage.explanation and "No. 170" in usage.explanation
    assert [d.document for d in corpus.diagnostics if d.code == "unresolved-name"] == ["909"]


def test_a_pseudonym_note_identifies_the_word_its_marker_follows(auth):
    marker = Marker(number=1, offset=24, anchor="a letter from Yurii[em]", line=1)
    note = Note(number=1, text="Pyatakov's pseudonym.", marker=marker)
    doc = _doc("901", "I had a letter from Yurii[em] 1 today. Yurii writes often.", [note])
    usages = [u for u in resolve_with(ParseResult([doc]), auth).resolutions["901"].usages if u.where == "body"]
    assert [(u.form, u.entity, u.basis) for u in usages] == [("Yurii[em]", "pyatakov-g-l", "editor-note"),
                                                             ("Yurii", "pyatakov-g-l", "editor-note")]


def test_ambiguous_surnames_need_the_document_to_name_the_person(auth):
    alone = resolve_with(ParseResult([_doc("902", "Kamenev presided. Smirnov spoke.")]), auth).resolutions["902"]
    assert {u.form: u.entity for u in alone.usages} == {"Kamenev": None, "Smirnov": None}
    named = resolve_with(ParseResult([_doc("903", "V. M. Smirnov spoke; then Smirnov left.")]), auth)
    assert [u.entity for u in named.resolutions["903"].usages] == ["smirnov-v-m", "smirnov-v-m"]
    assert named.resolutions["903"].usages[1].basis == "context"
    wrong = resolve_with(ParseResult([_doc("904", "A. P. Smirnov spoke.")]), auth).resolutions["904"]
    assert wrong.usages[0].entity is None and "initials" in wrong.usages[0].explanation


@pytest.mark.parametrize("name, entity", [
    ("I. V. Stalin", "stalin-i-v"), ("J. V. Stalin", "stalin-i-v"), ("STALIN", "stalin-i-v"),
    ("Grigory Ordzhonikidze", "ordzhonikidze-g-k"), ("G. K. Ordjonikidze", "ordzhonikidze-g-k"),
    ("V. M. Smirnov", "smirnov-v-m"), ("Smirnov", None), ("A. P. Smirnov", None), ("Andrei", None),
    ("Koba", "stalin-i-v"), ("K. B. Radek", "radek-k-b"),
])
def test_header_names_resolve_only_when_unambiguous(auth, name, entity):
    doc = _doc("908", "Text.", senders=[Party(name=name, kind="person", verbatim=name)])
    assert resolve_with(ParseResult([doc]), auth).resolutions["908"].senders == [entity]


def test_initials_signatures_count_only_as_signatures(auth):
    doc = _doc("910", "Send the report to F. D. at once.\n\nF. D.")
    doc.signatures = ["F. D."]
    usages = resolve_with(ParseResult([doc]), auth).resolutions["910"].usages
    assert [(u.where, u.form, u.entity) for u in usages] == [("body", "F. D.", None),
                                                              ("signature", "F. D.", "dzerzhinsky-f-e")]


def test_a_party_whose_normalized_name_lost_an_initial_resolves_from_the_header_as_printed(auth):
    party = Party(name="M. Nazaretyan", kind="person", verbatim="A. M. Nazaretyan")
    doc = _doc("911", "Text.", senders=[party])
    assert resolve_with(ParseResult([doc]), auth).resolutions["911"].senders == ["nazaretyan-a-m"]


def test_an_unknown_party_is_reported(auth):
    doc = _doc("905", "Text.", senders=[Party(name="X. Y. Nobody", kind="person", verbatim="X. Y. Nobody")])
    corpus = resolve_with(ParseResult([doc]), auth)
    assert corpus.resolutions["905"].senders == [None]
    assert [d.code for d in corpus.diagnostics] == ["unresolved-name"]


# -- mentions ------------------------------------------------------------------------------------------------


def test_mentions_of_seed_expected_are_found(corpus, expected):
    for doc in expected["documents"]:
        labels = _labels(corpus, corpus.resolutions[str(doc["no"])].mentions)
        for who in doc["mentions"]:
            assert any(who.lower() in label.lower() for label in labels), f"No. {doc['no']}: mentions {who}"


def test_mentions_are_whole_words_and_skip_qualified_bodies(auth, corpus):
    finder = NameFinder(auth)
    assert finder.find("in the most serious (Leninist) way") == []
    kobi = finder.find("along the V[military]-G[ruzin] Kobi road")  # the Georgian Military Road, not Koba
    assert [(f.text, [nf.entity for nf in f.candidates]) for f in kobi] == [
        ("V[military]-G[ruzin] Kobi road", ["georgian-military-road"])]
    assert [f.text for f in finder.find("Lenin's disciples, LENIN, Lenin.")] == ["Lenin", "LENIN", "Lenin"]
    assert "stalin-i-v" not in corpus.resolutions["170"].mentions  # "Kobi road"
    only_leninist = resolve_with(ParseResult([_doc("906", "the Leninist way")]), auth)
    assert "lenin-v-i" not in only_leninist.resolutions["906"].mentions
    assert "sovnarkom" not in corpus.resolutions["167"].mentions  # "Council of People's Commissars of Georgia"
    assert "sovnarkom" in corpus.resolutions["177"].mentions
    assert "rgaspi" not in corpus.resolutions["167"].mentions  # archives are sources, not subjects


def test_mentions_include_organizations_places_and_events_cited_in_notes(corpus):
    m167 = corpus.resolutions["167"].mentions
    assert {"politburo", "ruhr", "occupation-of-the-ruhr", "1923-02-01-politburo", "1923-01-25-politburo"} <= set(m167)
    assert {"hamburg", "hamburg-uprising", "kpd"} <= set(corpus.resolutions["173"].mentions)
    assert "1923-10-25-plenum-cc-ccc" in corpus.resolutions["176"].mentions
    for res in corpus.resolutions.values():
        assert all(m in corpus.entities or m in corpus.events for m in res.mentions)
        assert len(res.mentions) == len(set(res.mentions))


def test_every_usage_points_at_a_known_entity_with_a_basis(corpus):
    for res in corpus.resolutions.values():
        for u in res.usages:
            assert u.where in ("header", "signature", "body", "note")
            assert u.line > 0 and u.form
            if u.entity:
                assert u.entity in corpus.entities and u.basis in ("editor-note", "authority-file", "context")
                assert u.explanation
            assert (u.note is not None) == (u.where == "note")


def test_resolve_reads_the_authority_files_named_by_settings(tmp_path: Path):
    import shutil

    shutil.copytree(ROOT / "data" / "authority", tmp_path / "authority")
    links = tmp_path / "authority" / "wikidata-links.csv"
    links.write_text(links.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    corpus = resolve(ParseResult([_doc("907", "Koba wrote.")]), Settings(data_dir=tmp_path))
    assert corpus.resolutions["907"].usages[0].entity == "stalin-i-v"
    assert corpus.entities["stalin-i-v"].wikidata is None


@given(suffix=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=4),
       prefix=st.sampled_from(["", "the ", "(", "Comrade "]))
@settings(max_examples=200, deadline=None)
def test_a_name_inside_a_longer_word_is_never_matched(prefix, suffix):
    """'Leninist', 'Stalinism', 'Kobi': a form followed by more letters designates nobody (whole words only)."""
    finder = _FINDER.get("finder") or _FINDER.setdefault("finder", NameFinder(load_authorities(ROOT / "data")))
    auth = finder.auth
    for base, entity in (("Lenin", "lenin-v-i"), ("Koba", "stalin-i-v"), ("Stalin", "stalin-i-v"),
                         ("Radek", "radek-k-b"), ("Sergo", "ordzhonikidze-g-k")):
        word = base + suffix
        if any(nf.entity == entity for nf in auth.lookup(word)):
            continue  # the longer word is itself a form of the same person
        found = finder.find(f"{prefix}{word} wrote.")
        assert not any(nf.entity == entity for f in found for nf in f.candidates), word


_FINDER: dict[str, NameFinder] = {}
