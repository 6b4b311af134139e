"""The index pages over the seed build: every person, organization, place, event and fond is listed with the
letters it sent, received, was written at or is mentioned in — counts checked against the dump's own
triples (read here without SPARQL) — sortable and paged; the About page says what the texts are and whose
rights they keep. At 390 px (a phone) no index page scrolls sideways."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from playwright.sync_api import Browser

from kg.config import Settings
from kg.web.browse import INDEXES, PAGE_SIZE
from tests.browser import CHROMIUM, visit
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - a fixture

KG = str(Path(sys.executable).parent / "kg")
S = "http://schema.org/"
BC = "https://w3id.org/bolcorr/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def served(out: Path) -> Iterator[tuple[str, list[ox.Triple]]]:
    """A build on a live server (the one way the web tests serve one), with the dump's triples."""
    triples = list(ox.parse(gzip.decompress((out / "kg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES))
    with live_over(out) as url:
        yield url, triples


@pytest.fixture(scope="module")
def seed(seed_release: Built) -> Iterator[tuple[str, list[ox.Triple]]]:  # noqa: F811
    yield from served(seed_release.out)


def _get(url: str, **params: str) -> requests.Response:
    return requests.get(url, params=params, headers={"Accept": "text/html"}, timeout=30)


def _expected(triples: list[ox.Triple], kind: str) -> dict[str, Counter]:
    """Per entity of the index's type: how many distinct letters link to it by each role's predicate."""
    index = INDEXES[kind]
    type_iri = S + index.type_iri.split(":")[1]
    entities = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE and t.object.value == type_iri}
    letters = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE and t.object.value == S + "Message"}
    counts: dict[str, Counter] = {e: Counter() for e in entities}
    seen = set()
    for t in triples:
        for role in index.roles:
            if (t.predicate.value == S + role.predicate.split(":")[1] and t.object.value in entities
                    and t.subject.value in letters and (t.subject, role.key, t.object) not in seen):
                seen.add((t.subject, role.key, t.object))
                counts[t.object.value][role.key] += 1
    return counts


def _rows(page: str) -> list[tuple[str, list[int]]]:
    """(local path of the entity, its counts) per table row."""
    found = []
    for match in re.finditer(r"<tr><td><a href=\"([^\"]+)\">(.*?)</tr>", page, flags=re.S):
        nums = [int(n or 0) for n in re.findall(r'<td class="num">(\d*)</td>', match.group(2))]
        found.append((match.group(1), nums))
    return found


@pytest.mark.parametrize("kind", list(INDEXES))
def test_each_index_lists_every_entity_with_its_letter_counts(seed: tuple[str, list[ox.Triple]], kind: str) -> None:
    url, triples = seed
    expected = _expected(triples, kind)
    resp = _get(url + f"/{kind}", sort="name")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    assert f"<strong>{len(expected)}</strong> {INDEXES[kind].title.lower()}" in resp.text
    rows = _rows(resp.text)
    assert len(rows) == min(len(expected), PAGE_SIZE) > 0
    base = Settings().base_iri
    for path, nums in rows:
        iri = base + path.lstrip("/")
        assert nums == [expected[iri][role.key] for role in INDEXES[kind].roles], path
    by_letters = _rows(_get(url + f"/{kind}", sort="letters").text)
    totals = [sum(n) for _, n in by_letters]
    assert totals == sorted(totals, reverse=True) and totals[0] == max(sum(c.values()) for c in expected.values())


def test_people_are_sorted_by_name_and_stalin_counts_what_the_dump_says(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    page = _get(url + "/people", sort="name").text
    names = re.findall(r"<tr><td><a href=\"/person/[^\"]+\">([^<]+)</a>", page)
    assert names == sorted(names, key=str.casefold) and "I. V. Stalin" in names
    stalin = dict(_rows(page))["/person/stalin-i-v"]
    counts = _expected(triples, "people")[Settings().base_iri + "person/stalin-i-v"]
    assert stalin == [counts["sent"], counts["received"], counts["mentioned"]] and counts["received"] > 0


def test_events_are_in_date_order_with_their_dates(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    page = _get(url + "/events").text
    dates = re.findall(r"</td>\n<td>(\d{4}-\d{2}-\d{2})", page)
    starts = sorted(t.object.value for t in triples if t.predicate.value == S + "startDate"
                    and any(u.subject == t.subject and u.object.value == S + "Event" for u in triples))
    assert dates == sorted(dates) and dates[0] == starts[0]


def test_archives_say_where_the_originals_lie(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    page = _get(url + "/archives").text
    fond = re.search(r'<a href="(/archive/rgaspi/f85)">([^<]+)</a></td><td class="num">(\d+)</td>', page)
    assert fond and "F. 85" in fond.group(2)
    parent = {t.subject.value: t.object.value for t in triples if t.predicate.value.endswith("#inUnit")}

    def chain(unit: str) -> Iterator[str]:
        while unit:
            yield unit
            unit = parent.get(unit, "")

    fond_iri = Settings().base_iri + "archive/rgaspi/f85"
    held = {t.subject.value for t in triples if t.predicate.value.endswith("#hasInstantiation")
            and fond_iri in chain(t.object.value)}
    assert int(fond.group(3)) == len(held) > 0


def test_home_counts_link_to_the_indexes_and_about_tells_the_rights(seed: tuple[str, list[ox.Triple]]) -> None:
    url, _ = seed
    home = _get(url + "/").text
    for kind in ("letters", *INDEXES):
        assert f'<a href="/{kind}"><strong>' in home
    about = _get(url + "/about").text
    assert "machine translation" in about and "CC BY 4.0" in about and "keep the rights of their" in about
    version = re.search(r"build\s+(\S+), ", about)
    cite = re.search(r'\(version <span class="version">([^<]+)</span>;', _get(url + "/letter/167").text)
    assert version and cite and version.group(1) == cite.group(1)  # the letter's cite box names the same build


@pytest.mark.parametrize(("query", "status"), [({"page": "0"}, 400), ({"page": "x"}, 400), ({"page": "999"}, 404),
                                               ({"sort": "bogus"}, 400)])
def test_bad_index_parameters_are_refused_clearly(seed: tuple[str, list[ox.Triple]], query: dict, status: int) -> None:
    url, _ = seed
    resp = _get(url + "/people", **query)
    assert resp.status_code == status
    assert next(iter(query.values())) in resp.text  # the page says which value it refused


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is missing (`make chromium`)")
@pytest.mark.parametrize("paths", [
    ("/", "/letters", "/letters?person=Stalin", "/people", "/organizations", "/places", "/events", "/archives",
     "/about"),
    ("/person/stalin-i-v", "/org/politburo", "/place/moscow", "/event/1923-10-04-politburo")],
    ids=["indexes", "entities"])
def test_pages_fit_a_phone(seed: tuple[str, list[ox.Triple]], browser: Browser, paths: tuple[str, ...]) -> None:
    url, _ = seed
    for path in paths:
        with visit(browser, url + path, 390, 800) as seen:
            width = seen.scroll_width()
        assert width <= 390, f"{path} is {width} px wide at 390 px"


# -- the letters list: names as filters, a count, the kind, parties and place, dates in words ----------------


def _letter_rows(page: str) -> list[dict[str, str]]:
    rows = []
    for m in re.finditer(r"<tr><td>(\d*)</td><td><a href=\"([^\"]+)\">([^<]*)</a></td><td>([^<]*)</td>\n"
                         r"<td>(.*?)</td>\n<td>(.*?)</td>\n<td>(.*?)</td></tr>", page, flags=re.S):
        rows.append({"number": m.group(1), "path": m.group(2), "date": m.group(3), "kind": m.group(4),
                     "from": re.findall(r">([^<]+)</a>", m.group(5)), "to": re.findall(r">([^<]+)</a>", m.group(6)),
                     "place": re.findall(r">([^<]+)</a>", m.group(7))})
    return rows


def _letters_of(triples: list[ox.Triple], person: str) -> set[str]:
    return {t.subject.value for t in triples if t.predicate.value in (S + "sender", S + "recipient")
            and t.object.value == Settings().base_iri + "person/" + person}


def test_letters_filtered_by_a_name_as_typed(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    expected = _letters_of(triples, "stalin-i-v")
    for typed in ("Stalin", "I. V. Stalin", "stalin-i-v"):
        page = _get(url + "/letters", person=typed).text
        rows = _letter_rows(page)
        assert {Settings().base_iri + r["path"].lstrip("/") for r in rows} == expected, typed
        assert f"<strong>{len(expected)}</strong> letters" in page
        assert all("I. V. Stalin" in r["from"] + r["to"] for r in rows)
    two = _get(url + "/letters", person="Ordzhonikidze").text
    assert "matches 2 people" in two and "G. K. Ordzhonikidze" in two and "Z. G. Ordzhonikidze" in two
    nobody = _get(url + "/letters", person="Nobody Atall").text
    assert "no person named &#39;Nobody Atall&#39;" in nobody and not _letter_rows(nobody)


def test_letter_rows_show_number_date_kind_parties_and_place(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    rows = {r["number"]: r for r in _letter_rows(_get(url + "/letters").text)}
    assert len(rows) == 11
    assert rows["170"] == {"number": "170", "path": "/letter/170", "date": "22 May 1923", "kind": "letter",
                           "from": ["K. E. Voroshilov"], "to": ["G. K. Ordzhonikidze"], "place": rows["170"]["place"]}
    written = {t.subject.value.rsplit("/", 1)[-1] for t in triples if t.predicate.value == S + "locationCreated"}
    assert {n for n, r in rows.items() if r["place"]} == written
    keys = [r["number"] for r in _letter_rows(_get(url + "/letters").text)]
    dated = sorted((next(t.object.value for t in triples if t.subject.value.endswith(f"/letter/{n}")
                         and t.predicate.value == S + "dateCreated"), n) for n in keys)
    assert keys == [n for _, n in dated]  # oldest first
    telegrams = _letter_rows(_get(url + "/letters", kind="telegram").text)
    assert telegrams == []  # the seed has letters only; the filter narrows, it does not fail
    assert "<strong>0</strong> letters" in _get(url + "/letters", kind="telegram").text


@pytest.mark.parametrize(("statement", "words"), [
    ({"edtf": "1923-05-22", "qualifier": "x/exact"}, "22 May 1923"),
    ({"edtf": "1923-08", "earliest": "1923-08-01", "latest": "1923-08-31"}, "Aug 1923"),
    ({"latest": "1912-12-19", "qualifier": "x/notAfter"}, "not after 19 Dec 1912"),
    ({"earliest": "1920-03-01", "qualifier": "x/notBefore"}, "not before 1 Mar 1920"),
    ({"earliest": "1923-01-02", "latest": "1923-01-09", "edtf": "1923-01-02/1923-01-09", "qualifier": "x/range"},
     "between 2 Jan 1923 and 9 Jan 1923"),
    ({"edtf": "1923~", "qualifier": "x/approximate"}, "about 1923"),
    ({}, ""),
])
def test_dates_in_words(statement: dict[str, str], words: str) -> None:
    from kg.web.letters_list import date_in_words

    assert date_in_words(statement) == words


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[ox.Triple]]]:
    """A generated build: its dates include open-ended ones ("[previously …]" = not after)."""
    from kg.devtools.generate import write_corpus

    root = tmp_path_factory.mktemp("generated")
    pages = [str(p) for p in write_corpus(root / "pages", 120)]
    done = subprocess.run([KG, "build", "-q", "--out", str(root / "output"), *pages], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    yield from served(root / "output")


def test_open_ended_dates_are_said_in_words_and_sorted_by_the_day_they_name(
        generated: tuple[str, list[ox.Triple]]) -> None:
    url, triples = generated
    bounds: dict[str, dict[str, str]] = {}
    for t in triples:
        if t.predicate.value in (BC + "earliest", BC + "latest") and t.subject.value.endswith("/date") \
                and "/letter/" in t.subject.value:
            bounds.setdefault(t.subject.value[:-len("/date")], {})[t.predicate.value[len(BC):]] = t.object.value
    open_ended = {iri for iri, b in bounds.items() if "earliest" not in b}
    assert open_ended  # the generator writes "[previously …]" dates
    rows, after = [], {}
    while True:  # every page, oldest first
        page = _get(url + "/letters", **after).text
        rows += _letter_rows(page)
        following = re.search(r'<a rel="next" href="\?([^"]+)"', page)
        if not following:
            break
        after = dict(p.split("=", 1) for p in following.group(1).replace("&amp;", "&").split("&"))
        after = {k: requests.utils.unquote(v) for k, v in after.items()}
    base = Settings().base_iri
    shown = {base + r["path"].lstrip("/"): r for r in rows}
    for iri in open_ended:
        assert shown[iri]["date"].startswith("not after "), shown[iri]
    keys = [bounds.get(base + r["path"].lstrip("/"), {}) for r in rows]
    days = [k.get("earliest") or k.get("latest") or "9999" for k in keys]
    assert days == sorted(days)  # by the earliest day, or the latest when that is all the date says


# -- entity pages written for readers -----------------------------------------------------------------------


def _objects(triples: list[ox.Triple], subject: str, predicate: str) -> list[str]:
    return [t.object.value for t in triples if t.subject.value == subject and t.predicate.value == predicate]


def test_a_person_page_groups_the_names_the_letters_use_and_lists_the_letters_mentioning_him(
        seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    stalin = Settings().base_iri + "person/stalin-i-v"
    page = _get(url + "/person/stalin-i-v").text
    usages = {t.subject.value for t in triples if t.predicate.value == BC + "refersTo" and t.object.value == stalin}
    forms = {_objects(triples, u, BC + "nameForm")[0] for u in usages}
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td>((?:<a [^>]+>\d+</a>(?:, )?)+)</td></tr>", page)
    assert {form for form, _, _ in rows} == forms and len(rows) >= len(forms)  # one row per form (and kind)
    koba = next(numbers for form, _, numbers in rows if form == "Koba")
    assert "167" in re.findall(r">(\d+)</a>", koba)
    letters = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE and t.object.value == S + "Message"}
    mentioning = {t.subject.value for t in triples if t.predicate.value == S + "mentions" and t.object.value == stalin
                  and t.subject.value in letters}
    assert mentioning
    assert f"Letters that mention I. V. Stalin ({len(mentioning)})" in page
    assert "<dt>Full name</dt><dd>Iosif Vissarionovich Stalin</dd>" in page
    assert "SpocWiki" not in page.split("<details>")[0]  # research notes are data, not the reader's text


def test_a_place_page_shows_where_it_is_and_its_letters(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    moscow = Settings().base_iri + "place/moscow"
    page = _get(url + "/place/moscow").text
    geo = _objects(triples, moscow, S + "geo")[0]
    lat, lon = _objects(triples, geo, S + "latitude")[0], _objects(triples, geo, S + "longitude")[0]
    geonames = _objects(triples, moscow, BC + "geonamesId")[0]
    assert f"<dd>{lat}, {lon} · <a href=\"https://www.geonames.org/{geonames}\">GeoNames {geonames}</a>" in page
    written = {t.subject.value for t in triples
               if t.predicate.value == S + "locationCreated" and t.object.value == moscow}
    assert f"Letters written here ({len(written)})" in page


def test_an_event_page_says_when_by_whom_and_on_what_source(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    event = Settings().base_iri + "event/1923-10-04-politburo"
    page = _get(url + "/event/1923-10-04-politburo").text
    assert "<dt>Date</dt><dd>1923-10-04</dd>" in page and '<a href="/org/politburo">' in page.split("<h2>")[0]
    for ref in _objects(triples, event, BC + "hasReference"):
        assert f"<li>{_objects(triples, ref, BC + 'verbatim')[0]}</li>" in page
    notes = {t.subject.value for t in triples if t.predicate.value == BC + "about" and t.object.value == event}
    assert len(re.findall(r'<li><a href="/letter/\d+/note/\d+">note', page)) == len(notes) > 0


def test_an_event_page_says_where_the_edition_states_it_and_on_which_lines(seed: tuple[str, list[ox.Triple]]) -> None:
    """bc:statedIn and bc:sourceLines in words: the letter linked, the page's lines a reader can look up."""
    url, triples = seed
    event = Settings().base_iri + "event/1923-08-03-sto"
    stated = _objects(triples, event, BC + "statedIn")
    pointers = _objects(triples, event, BC + "sourceLines")
    assert stated and pointers
    page = _get(url + "/event/1923-08-03-sto").text
    row = page.split("<dt>Stated in</dt><dd>", 1)[1].split("</dd>", 1)[0]
    for iri in stated:
        assert f'<a href="/{iri.removeprefix(Settings().base_iri)}">' in row
    for pointer in pointers:
        name, _, span = pointer.partition("#L")
        first, _, last = span.partition("-L")
        assert f"{name}, line {first}" in row if first == last else f"{name}, lines {first}–{last}" in row


# -- the letter page as a reader expects --------------------------------------------------------------------


def test_the_letter_page_says_kind_form_date_and_links_the_names_in_its_text(seed: tuple[str, list[ox.Triple]]) -> None:
    url, triples = seed
    page = _get(url + "/letter/167").text
    head = page.split("<h1>")[0]
    assert '<p class="kind">Letter · original: autograph (handwritten, original)</p>' in head
    body = re.search(r'<p class="body">(.*?)</p>', page, re.S).group(1)
    linked = dict(re.findall(r'<a class="name" href="([^"]+)">([^<]+)</a>', body))
    usages = {t.subject.value for t in triples if t.subject.value.startswith(Settings().base_iri + "letter/167/name/")}
    forms = {(_objects(triples, u, BC + "nameForm")[0], _objects(triples, u, BC + "refersTo")[0]) for u in usages
             if _objects(triples, u, BC + "refersTo") and _objects(triples, u, BC + "usageContext") == ["body"]}
    assert linked.get("/person/ordzhonikidze-g-k") == "Sergo"
    assert {(form, Settings().base_iri + path.lstrip("/")) for path, form in linked.items()} <= forms
    mentioned = re.search(r'<section class="mentioned">(.*?)</section>', page, re.S).group(1)
    assert "<dt>People</dt>" in mentioned and "<dt>Places</dt>" in mentioned and "/place/dardanelles" in mentioned


def test_a_letter_is_citable_with_the_tools_historians_use(seed: tuple[str, list[ox.Triple]]) -> None:
    import json
    from datetime import date

    url, triples = seed
    page = _get(url + "/letter/169").text
    canonical = Settings().base_iri + "letter/169"
    senders = sorted(_objects(triples, s, S + "name")[0] for s in _objects(triples, canonical, S + "sender"))
    assert f'<link rel="canonical" href="{canonical}">' in page
    authors = re.findall(r'<meta name="citation_author" content="([^"]+)">', page)
    assert sorted(authors) == senders and '<meta name="citation_date" content="1923/' in page
    assert f'accessed <span class="accessed">{date.today().isoformat()}</span>' in page
    bib = requests.get(url + "/cite/169.bib", timeout=30)
    assert bib.headers["Content-Type"].startswith("application/x-bibtex")
    assert bib.text.startswith("@incollection{bolcorr169,") and f"author = {{{senders[0]}}}" in bib.text
    ris = requests.get(url + "/cite/169.ris", timeout=30).text.split("\r\n")
    assert ris[0] == "TY  - CHAP" and f"AU  - {senders[0]}" in ris and f"UR  - {canonical}" in ris
    assert ris[-2] == "ER  - "
    csl = requests.get(url + "/cite/169.json", timeout=30).json()
    assert csl[0]["type"] == "letter" and csl[0]["URL"] == canonical
    assert [r["literal"] for r in csl[0]["recipient"]] == ["K. E. Voroshilov", "I. V. Stalin", "G. K. Ordzhonikidze"]
    assert json.dumps(csl[0]["issued"]).startswith('{"date-parts": [[1923')
    assert requests.get(url + "/cite/999.bib", timeout=30).status_code == 404
