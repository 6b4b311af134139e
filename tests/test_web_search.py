"""/search over a live server on the seed build: names and letters told apart, hits with highlighted
snippets, BM25 order, facet counts that match the hits, facet links that filter, pages, JSON, and
bad input answered with a message (never a 500, never read as FTS5 syntax)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.web import search
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - a fixture
from tests.seed_facts import expected_facts
from tests.test_fulltext import seed_build
from tests.web_server import Live

BASE = "https://w3id.org/bolcorr/"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(seed_release: Built) -> Iterator[str]:  # noqa: F811
    with live_over(seed_release.out) as url:
        yield url


def as_json(site: str, **params: str) -> dict:
    r = requests.get(site + "/search", params={**params, "format": "json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def page(site: str, **params: str) -> str:
    r = requests.get(site + "/search", params=params, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.text.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="{name}-results".*?</section>', html, re.S)
    assert match, f"no {name} section"
    return match.group(0)


def sparql_letters(site: str, regex: str) -> set[str]:
    """Letters whose text matches ``regex`` (case-insensitive), asked of the site's own SPARQL endpoint."""
    query = f"""SELECT ?l WHERE {{ ?l a <http://schema.org/Message> ; <http://schema.org/text> ?t .
                FILTER(REGEX(?t, {json.dumps(regex)}, "i")) }}"""
    r = requests.get(site + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30)
    return {b["l"]["value"] for b in r.json()["results"]["bindings"]}


def test_dardanelles_finds_167_with_the_word_highlighted(site: str) -> None:
    html = page(site, q="Dardanelles")
    letters = section(html, "letter")
    assert '<h2 id="letters-h">Letters <small>(1)</small></h2>' in letters
    assert '<a href="/letter/167">' in letters and "<mark>Dardanelles</mark>" in letters
    names = section(html, "entity")  # the strait is a place of the authority since issue 15's mentions
    assert '<h2 id="entities-h">Names <small>(1)</small></h2>' in names and '<a href="/place/dardanelles">' in names


def test_gasoline_finds_its_letter_as_data(site: str) -> None:
    data = as_json(site, q="gasoline")
    hits = data["letters"]["items"]
    assert data["letters"]["count"] == len(hits) >= 1
    assert hits[0]["number"] == "167" and "<mark>gasoline</mark>" in hits[0]["snippet_html"]
    assert hits[0]["senders"] == [{"iri": BASE + "person/nazaretyan-a-m", "name": "A. M. Nazaretyan"}]
    assert {BASE + "letter/" + h["number"] for h in hits} >= sparql_letters(site, "gasoline")


def test_a_cyrillic_query_is_also_searched_in_latin(site: str) -> None:
    data = as_json(site, q="Сталин")
    assert data["words"] == [["сталин", "stalin"]] and "stalin" in data["names_searched"]
    assert data["entities"]["items"][0]["iri"] == BASE + "person/stalin-i-v"
    found = {h["iri"] for h in data["letters"]["items"]}
    in_text = sparql_letters(site, r"\bstalin\b")
    assert found >= in_text and len(in_text) >= 2
    assert data["letters"]["items"][0]["snippet_html"].lower().count("<mark>stalin</mark>") >= 1


def test_moscow_in_cyrillic_finds_the_place_by_its_geonames_names(site: str) -> None:
    """The texts are English, but GeoNames' record of Moscow has "Москва" among its alternate names
    (data/authority/geonames.csv, published as a hidden label with the record as source): the place is
    found, and the letters that mention Moscow through the index's names column."""
    data = as_json(site, q="Москва")
    assert data["words"] == [["москва", "moskva"]]
    assert data["entities"]["items"][0]["iri"] == BASE + "place/moscow"
    assert "Москва" in data["entities"]["items"][0]["matched"]
    moscow = {h["iri"] for h in as_json(site, q="moscow")["letters"]["items"]}
    found = {h["iri"] for h in data["letters"]["items"]}
    assert found and found <= moscow
    r = requests.get(site + "/sparql", params={"query": """SELECT ?source WHERE {
        <https://w3id.org/bolcorr/place/moscow> <http://www.w3.org/2004/02/skos/core#hiddenLabel> "Москва" ;
        <http://purl.org/dc/terms/source> ?source . FILTER(STRSTARTS(?source, "GeoNames 524901")) }"""},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert len(r.json()["results"]["bindings"]) == 1


def test_lenin_ranks_the_person_first_and_lists_each_form_once(site: str) -> None:
    data = as_json(site, q="lenin")
    items = data["entities"]["items"]
    assert items[0]["iri"] == BASE + "person/lenin-v-i"
    assert BASE + "place/petrograd" in [e["iri"] for e in items[1:]]  # "Leningrad": a word starting with it
    html = section(page(site, q="lenin"), "entity")
    assert html.index('href="/person/lenin-v-i"') < html.index('href="/place/petrograd"')
    for item in as_json(site, q="stalin")["entities"]["items"]:
        forms = [m.lower() for m in item["matched"]]
        assert len(forms) == len(set(forms)), item


def test_facet_counts_are_the_counts_of_the_hits(site: str) -> None:
    data = as_json(site, q="stalin")
    hits, facets = data["letters"]["items"], data["letters"]["facets"]
    assert data["letters"]["count"] == len(hits) > 1  # one page holds them all on the seed
    for field, key in (("sender", "senders"), ("recipient", "recipients")):
        counted = Counter(p["iri"] for h in hits for p in h[key])
        shown = {v["value"]: v["count"] for v in facets[field]}
        assert shown.items() <= counted.items()
        assert len(shown) + data["letters"]["facets_more"][field] == len(counted)
        assert min(shown.values()) >= max([n for v, n in counted.items() if v not in shown], default=0)
    assert facets["year"] == [{"value": "1923", "label": "1923", "count": len(hits), "filter": "year=1923"}]
    assert sum(v["count"] for v in facets["kind"]) == len(hits)


def test_a_facet_link_filters(site: str) -> None:
    data = as_json(site, q="stalin")
    stalin = next(v for v in data["letters"]["facets"]["recipient"] if v["value"] == BASE + "person/stalin-i-v")
    assert stalin["filter"] == "recipient=person/stalin-i-v"
    html = page(site, q="stalin")
    assert 'href="/search?q=stalin&amp;recipient=person%2Fstalin-i-v"' in html
    narrowed = as_json(site, q="stalin", recipient="person/stalin-i-v")
    assert narrowed["letters"]["count"] == stalin["count"] < data["letters"]["count"]
    assert all(BASE + "person/stalin-i-v" in [p["iri"] for p in h["recipients"]] for h in narrowed["letters"]["items"])
    assert narrowed["filters"] == [{"field": "recipient", "value": "person/stalin-i-v"}]
    assert as_json(site, q="stalin", year="1912")["letters"]["count"] == 0


def test_results_are_paged(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGE_SIZE", 4)  # the server runs in this process
    first = as_json(site, q="the")
    total = first["letters"]["count"]
    assert total == 11 and first["letters"]["pages"] == 3
    seen = [h["iri"] for p in (1, 2, 3) for h in as_json(site, q="the", page=str(p))["letters"]["items"]]
    assert len(seen) == len(set(seen)) == total
    scores = [h["score"] for p in (1, 2, 3) for h in as_json(site, q="the", page=str(p))["letters"]["items"]]
    assert scores == sorted(scores, reverse=True)  # BM25, best first, across pages
    assert 'rel="next" href="/search?q=the&amp;page=2"' in page(site, q="the")


def test_accept_json_gets_json(site: str) -> None:
    r = requests.get(site + "/search", params={"q": "Koba"}, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200 and r.json()["entities"]["items"][0]["iri"] == BASE + "person/stalin-i-v"
    assert r.json()["letters"]["count"] >= 1


@pytest.mark.parametrize("q", ['"', "*", "NEAR(", "gaso*", "NEAR(gasoline Turks, 2)", "letter_text:x",
                               "{a b}", "'; DROP TABLE letter; --", "\\", "a" * 3000])
def test_fts_syntax_is_only_text(site: str, q: str) -> None:
    r = requests.get(site + "/search", params={"q": q}, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, r.text
    j = requests.get(site + "/search", params={"q": q, "format": "json"}, timeout=30)
    words = [[w] for w in re.findall(r"\w+", q[:search.MAX_CHARS].lower())][:search.MAX_WORDS]
    if words:  # the words of the query, and nothing else, were searched
        assert j.status_code == 200 and j.json()["words"] == words and j.json()["letters"] is not None
    else:
        assert j.status_code == 400 and "no words to search for" in j.json()["message"]


def test_operator_names_are_searched_as_words(site: str) -> None:
    data = as_json(site, q="OR AND NOT")
    assert data["words"] == [["or"], ["and"], ["not"]]
    in_text = sparql_letters(site, r"\bor\b") & sparql_letters(site, r"\band\b") & sparql_letters(site, r"\bnot\b")
    assert {h["iri"] for h in data["letters"]["items"]} >= in_text and in_text


@pytest.mark.parametrize("q", ['gasoline"', '"gasoline', "^gasoline", "gasoline -", "gasoline*", "(gasoline)",
                               "+gasoline", "gasoline:", "gasoline;", "«gasoline»"])
def test_operators_around_a_word_leave_the_word(site: str, q: str) -> None:
    data = as_json(site, q=q)
    assert "167" in [h["number"] for h in data["letters"]["items"]], data["words"]


def test_empty_and_wordless_queries_say_what_to_do(site: str) -> None:
    assert "Type one or more words to search for." in page(site, q="")
    assert "Type one or more words to search for." in page(site)
    assert "no words to search for" in page(site, q='"*"')
    r = requests.get(site + "/search", params={"q": "", "format": "json"}, timeout=30)
    assert r.status_code == 400 and "Type one or more words" in r.json()["message"]


def test_a_very_long_query_is_cut_with_a_notice(site: str) -> None:
    data = as_json(site, q="gasoline " + "x" * 5000)
    assert [len(w[0]) for w in data["words"]] == [8, search.MAX_CHARS - 9] and data["notices"]
    data = as_json(site, q=" ".join(["gasoline"] * 40))
    assert len(data["words"]) == search.MAX_WORDS and data["letters"]["count"] >= 1
    assert "Only the first 12 words" in page(site, q=" ".join(["gasoline"] * 40))


@pytest.mark.parametrize("params,named", [({"page": "0"}, "page"), ({"page": "x"}, "page"),
                                          ({"year": "19x3"}, "year"), ({"sender": "../etc"}, "sender"),
                                          ({"kind": "<script>"}, "kind"), ({"page": "9" * 30}, "page")])
def test_bad_parameters_are_400_with_a_message(site: str, params: dict[str, str], named: str) -> None:
    r = requests.get(site + "/search", params={"q": "stalin", **params}, timeout=30)
    assert r.status_code == 400 and named in r.json()["message"]
    html = requests.get(site + "/search", params={"q": "stalin", **params}, headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 400 and "<script>" not in html.text


def test_the_query_is_escaped_on_the_page(site: str) -> None:
    html = page(site, q='<b>"gasoline"</b>')
    assert "<b>" not in html and "&lt;b&gt;" in html and '<a href="/letter/167">' in html


def test_without_an_index_names_are_still_searched(live: Live) -> None:
    """A build without search.sqlite (the web tests' fixture): names answer, letters are said to be missing."""
    r = requests.get(live.url + "/search", params={"q": "Koba"}, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and '<a href="/person/stalin-i-v">' in r.text
    assert "no full-text index" in r.text


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="/usr/bin/chromium is missing")
@pytest.mark.parametrize("width", [1366, 390])
def test_the_search_page_in_a_browser(site: str, width: int) -> None:
    """Chromium: the hit is highlighted, names and letters are two labelled sections, a facet link
    narrows the letters, nothing overflows at 1366 or 390 px, no console error."""
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--disable-gpu", "--disable-dev-shm-usage"])
        try:
            tab = browser.new_page(viewport={"width": width, "height": 900})
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(e.message))
            tab.goto(site + "/search?q=Dardanelles", wait_until="load")
            expect(tab.locator("section.letter-results mark")).to_have_text("Dardanelles")
            expect(tab.get_by_role("heading", name="Letters (1)")).to_be_visible()
            expect(tab.get_by_role("heading", name="Names (1)")).to_be_visible()  # the strait, a place
            tab.goto(site + "/search?q=stalin", wait_until="load")
            tab.locator("aside.facets a", has_text="I. V. Stalin").first.click()
            expect(tab.locator("aside.facets a.active")).to_have_count(1)
            assert "recipient=person%2Fstalin-i-v" in tab.url or "sender=person%2Fstalin-i-v" in tab.url
            overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            artifacts = Path(__file__).parent / "artifacts"
            artifacts.mkdir(exist_ok=True)
            tab.screenshot(path=str(artifacts / f"search-stalin-{width}.png"), full_page=True)
        finally:
            browser.close()
    assert overflow <= 0 and errors == []


def test_an_unreadable_index_leaves_the_name_search(tmp_path: Path) -> None:
    """A damaged search.sqlite (here: text) is logged and treated as absent: names still answer, no 500."""
    out = seed_build(tmp_path / "output")
    (out / "search.sqlite").write_text("not a database\n", encoding="utf-8")
    with live_over(out) as url:
        r = requests.get(url + "/search", params={"q": "Koba"}, headers={"Accept": "text/html"}, timeout=30)
        assert r.status_code == 200 and '<a href="/person/stalin-i-v">' in r.text and "no full-text index" in r.text


@pytest.mark.parametrize("item", expected_facts()["parties_and_transmission"]["order"],
                         ids=lambda item: f"{item['no']}-{item['side']}")
def test_letter_hits_name_the_parties_in_the_editions_order(site: str, item: dict) -> None:
    """seed-expected.json's order facts, read from a search hit: the index keeps bc:position, not the alphabet."""
    hits = {h["number"]: h for h in as_json(site, q=item["names"][-1])["letters"]["items"]}
    names = [p["name"] for p in hits[str(item["no"])][item["side"]]]
    assert len(names) == len(item["names"]), names
    assert all(want.lower() in name.lower() for want, name in zip(item["names"], names, strict=True)), names
