"""Pages for people on the live server: what each page shows (parties, dates, footnotes, archival
hierarchy, aliases, Wikidata evidence, timeline, network), the letters list with its filters and
keyset pagination, the alias-aware search, the query editor, and the schema.org JSON-LD island."""

from __future__ import annotations

import json
import re

import pytest
import requests

from kg.web import pages, queries
from tests.web_server import BASE, Live


def html(live: Live, path: str, **params: str) -> str:
    r = requests.get(live.url + path, params=params, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    return r.text


def island(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no schema.org JSON-LD in the page"
    return json.loads(match.group(1))


def letter_numbers(page: str) -> list[str]:
    return re.findall(r'<tr><td>(\d+)</td>', page)


def test_home_explains_counts_and_links(live: Live) -> None:
    page = html(live, "/")
    assert "<strong>3</strong> letters" in page and "<strong>3</strong> people" in page
    assert 'action="/search"' in page and 'href="/dumps/"' in page and "/query?query=" in page


def test_letter_page_shows_everything_a_reader_needs(live: Live) -> None:
    page = html(live, "/letter/167")
    assert '<dd class="senders"><a href="/person/nazaretyan-a-m">A. M. Nazaretyan</a></dd>' in page
    assert '<a href="/person/ordzhonikidze-g-k">G. K. Ordzhonikidze</a>' in page
    assert "3 Aug 1923" in page and "printed as “August 3 [1923]”" in page
    assert "supplied by the editors (year)" in page
    assert "Old Style" not in page.split("<details>")[0]  # the calendar is said only when it matters
    assert '<sup><a id="ref-1" href="#note-1">1</a></sup>' in page and '<li id="note-1"' in page
    assert ('<a href="/archive/rgaspi">RGASPI</a> › <a href="/archive/rgaspi/f85">Fond 85</a> › '
            '<a href="/archive/rgaspi/f85/op1s">Opis 1/S</a> › '
            '<a href="/archive/rgaspi/f85/op1s/d13">Delo 13</a>') in page
    assert '<dd class="mentions-people"><a href="/person/stalin-i-v">I. V. Stalin</a>' in page
    assert "Cite this letter" in page and f"Linked Data edition: {BASE}letter/167" in page
    for suffix in (".ttl", ".nt", ".jsonld", ".rdf"):
        assert f'href="/letter/167{suffix}"' in page
    data = island(page)
    assert data["@type"] == "Message" and data["@id"] == BASE + "letter/167" and data["dateCreated"] == "1923-08-03"
    assert data["sender"] == [{"@id": BASE + "person/nazaretyan-a-m", "name": "A. M. Nazaretyan"}]


def test_old_style_date_shows_its_calendar(live: Live) -> None:
    page = html(live, "/letter/12")
    assert "Old Style (Julian); 6 Nov 1917 in the Gregorian calendar" in page


def test_person_page(live: Live) -> None:
    page = html(live, "/person/ordzhonikidze-g-k")
    assert "<h1>G. K. Ordzhonikidze</h1>" in page and "Other names in the authority file: Orjonikidze, Sergo" in page
    assert '<a href="http://www.wikidata.org/entity/Q312800">Q312800</a> <small>(confidence: high)</small>' in page
    assert "exact label match" not in page.split("<details>")[0]  # our research notes stay in the data
    assert "Letters: 1 sent, 2 received" in page
    assert "<td>24 Oct 1917</td><td>received</td>" in page and "<td>Aug 1923</td><td>sent</td>" in page
    assert '<svg class="timeline"' in page and page.count('<rect class="bar"') >= 2  # his letters per month
    assert 'data-src="/network.json?agent=person/ordzhonikidze-g-k"' in page  # the /network picture, for him
    assert '<tr><td>Sergo</td><td>nickname</td><td><a href="/letter/167">167</a></td></tr>' in page
    assert '<li><a href="/person/stalin-i-v">I. V. Stalin</a> (2)</li>' in page  # correspondents, by letters
    data = island(page)
    assert data["@type"] == "Person" and "Sergo" in data["alternateName"]
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q312800"]


@pytest.mark.parametrize("path,needle", [
    ("/org/politburo", "Politburo of the CC RCP(b)"), ("/place/tiflis", "Tiflis"),
    ("/event/1923-02-01-politburo", 'href="/letter/167"'),
    ("/archive/rgaspi/f85/op1s/d13", '<a href="/archive/rgaspi/f85">Fond 85</a>'),
    ("/archive/rgaspi/f85", '<a href="/archive/rgaspi/f85/op1s">Opis 1/S</a>')])
def test_other_resource_pages(live: Live, path: str, needle: str) -> None:
    assert needle in html(live, path)


def test_archive_unit_lists_its_letters(live: Live) -> None:
    page = html(live, "/archive/rgaspi/f85/op1s/d13")
    assert "Letters kept here" in page and letter_numbers(page) == ["12", "167"]


def test_letters_list_filters_and_sorts(live: Live) -> None:
    # "1923-08" (a month) sorts before "1923-08-03": a period starts with its first day
    assert letter_numbers(html(live, "/letters")) == ["12", "168", "167"]
    assert letter_numbers(html(live, "/letters", sort="desc")) == ["167", "168", "12"]
    assert letter_numbers(html(live, "/letters", person="stalin-i-v")) == ["12", "168"]
    assert letter_numbers(html(live, "/letters", year="1923")) == ["168", "167"]
    assert letter_numbers(html(live, "/letters", fond="rgaspi/f85")) == ["12", "167"]
    bad = requests.get(live.url + "/letters", params={"year": "19x3"}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "year" in bad.json()["message"]


def test_letters_keyset_pagination(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first = html(live, "/letters")
    assert letter_numbers(first) == ["12", "168"]
    next_href = re.search(r'<a rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = requests.get(live.url + "/letters?" + next_href).text
    assert letter_numbers(second) == ["167"] and 'rel="next"' not in second
    desc = html(live, "/letters", sort="desc")
    token = re.search(r'<a rel="next" href="\?([^"]+)"', desc).group(1).replace("&amp;", "&")
    assert letter_numbers(requests.get(live.url + "/letters?" + token).text) == ["12"]


@pytest.mark.parametrize("q,expected", [("Koba", "/person/stalin-i-v"), ("sergo", "/person/ordzhonikidze-g-k"),
                                        ("Orjonikidze", "/person/ordzhonikidze-g-k"), ("Сталин", "/person/stalin-i-v"),
                                        ("Tbilisi", "/place/tiflis"), ("RTsKhIDNI", "/archive/rgaspi"),
                                        ("PB", "/org/politburo")])
def test_search_knows_aliases_pseudonyms_and_transliterations(live: Live, q: str, expected: str) -> None:
    page = html(live, "/search", q=q)
    assert f'<a href="{expected}">' in page


def test_search_escapes_the_query_and_finds_nothing_quietly(live: Live) -> None:
    page = html(live, "/search", q='<b>"x"</b>')
    assert "<b>" not in page.split("<main")[1] and "Nothing found" in page


def test_query_page_is_served_locally(live: Live) -> None:
    page = html(live, "/query")
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    if pages.vendor_available():
        assert '<script src="/static/vendor/yasgui/yasgui.min.js">' in page
        assert requests.get(live.url + "/static/vendor/yasgui/yasgui.min.js").status_code == 200
    else:
        assert '<form id="plain-editor" action="/sparql" method="get">' in page
    assert html(live, "/sparql").count('class="example"') == len(queries.EXAMPLE_QUERIES) == 5  # the editor, too


def test_plain_form_works_without_the_editor(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "vendor_available", lambda: False)
    page = html(live, "/query")
    assert '<textarea name="query"' in page and "make vendor" in page
    r = requests.get(live.url + "/sparql", params={"query": "ASK {}", "format": "json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
