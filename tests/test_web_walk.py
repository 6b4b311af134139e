"""Issue 14's walk, as a historian would take it, in Chromium at a laptop's width (1366 px) and a phone's
(390 px), over the seed build on a live server: home, every index, the letters of a person typed by name, a
search for "Dardanelles" (No. 167, the word highlighted) and for "Сталин" (the person Stalin), letter 169
(its recipients in the edition's order), a person, a place, the timeline, the map and the network.

At every stop: what the page is for is there (checked below, stop by stop), the page does not scroll
sideways, the console has no error, axe-core finds no serious or critical violation; and a full-page
screenshot is kept in tests/artifacts/walk/<width>/ (git-ignored) for a person to look at.

The map and the network are drawn by scripts over their tables: when the drawing libraries are installed
(`make vendor`) the walk waits until the picture is drawn, so axe and the screenshot see the drawing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page

from kg.web.pictures import vendor_present
from tests.browser import ARTIFACTS, AXE_MARKS, visit
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - a fixture

SHOTS = ARTIFACTS / "walk"
WIDTHS = (1366, 390)
STALIN = "/person/stalin-i-v"

pytestmark = AXE_MARKS


@pytest.fixture(scope="module")
def site(seed_release: Built) -> Iterator[str]:  # noqa: F811
    with live_over(seed_release.out) as url:
        yield url


Check = Callable[[Page, str], list[str]]  # (the open page, the site's URL) -> what is wrong with it


@dataclass(frozen=True)
class Stop:
    name: str  # the screenshot's name
    path: str
    check: Check
    drawn: bool = False  # a script draws a picture here: wait for it (data-ready) when the libraries exist


def texts(within: Page | Locator, selector: str) -> list[str]:
    return [t.strip() for t in within.locator(selector).all_inner_texts()]


def links_to(prefix: str) -> Check:
    """An index: its rows link to entities of its kind."""
    def check(page: Page, _: str) -> list[str]:
        n = page.locator(f'main a[href^="{prefix}"]').count()
        return [] if n else [f"no link to {prefix}… in the list"]
    return check


def home(page: Page, _: str) -> list[str]:
    missing = [p for p in ("/people", "/organizations", "/places", "/events", "/archives", "/letters")
               if not page.locator(f'main a[href="{p}"]').count()]
    return [f"the home page does not link to {missing}"] if missing else []


def letters_of_stalin(page: Page, _: str) -> list[str]:
    """Typed as a name, the filter finds the person; every row is a letter from or to him, the count says
    how many, and No. 169's addressees are in the edition's order here too."""
    rows = page.locator("table.letters tbody tr")
    count = re.search(r"(\d+) letters?", page.locator("main p.count").inner_text())
    problems = [] if rows.count() else ["no letter listed"]
    if not count or int(count.group(1)) != rows.count():
        problems.append(f"the count ({count and count.group(0)}) is not the {rows.count()} rows shown")
    for i in range(rows.count()):
        parties = rows.nth(i).locator(f'td a[href="{STALIN}"]')
        if not parties.count():
            problems.append(f"row {i + 1} is not from or to Stalin: {rows.nth(i).inner_text()!r}")
    if not page.locator(f'main p a[href="{STALIN}"]').count():
        problems.append("the page does not say whose letters these are")
    row_169 = rows.filter(has=page.locator("td:first-child", has_text=re.compile(r"^169$"))).first
    to = texts(row_169, "td:nth-child(5) a")
    if not in_order(to, ("Voroshilov", "Stalin", "Ordzhonikidze")):
        problems.append(f"No. 169 is to {to}: not the edition's order")
    return problems


def dardanelles(page: Page, _: str) -> list[str]:
    """No. 167 is a letter hit, and its snippet highlights the word."""
    hit = page.locator("li.hit").filter(has=page.locator('a[href="/letter/167"]'))
    if not hit.count():
        return [f"No. 167 is not among the letter hits: {texts(page, 'li.hit > a')}"]
    marks = [m.casefold() for m in texts(hit.first, "mark")]
    return [] if "dardanelles" in marks else [f"No. 167's snippet highlights {marks}, not Dardanelles"]


def stalin_in_cyrillic(page: Page, site: str) -> list[str]:
    """The Cyrillic name finds the person Stalin among the names; any letter it finds is a real letter of
    the build that names him (the full-text side of Cyrillic queries may or may not find letters)."""
    problems = [] if page.locator(f'section.entity-results a[href="{STALIN}"]').count() else [
        f"the person Stalin is not among the names: {texts(page, 'section.entity-results li')}"]
    for href in page.locator("li.hit > a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        if not re.fullmatch(r"/letter/\d+", href or ""):
            problems.append(f"a letter hit links to {href!r}")
            continue
        r = requests.get(site + href, headers={"Accept": "text/html"}, timeout=30)
        if r.status_code != 200 or not re.search("stalin|сталин", r.text, re.IGNORECASE):
            problems.append(f"the hit {href} is not a letter that names Stalin ({r.status_code})")
    return problems


def in_order(names: list[str], surnames: tuple[str, ...]) -> bool:
    return len(names) == len(surnames) and all(s in n for s, n in zip(surnames, names, strict=True))


def letter_169(page: Page, _: str) -> list[str]:
    """The heading prints 'to K. E. Voroshilov, I. V. Stalin, G. K. Ordzhonikidze': that order, not the alphabet."""
    names = texts(page, "dd.recipients a")
    ok = in_order(names, ("Voroshilov", "Stalin", "Ordzhonikidze"))
    return [] if ok else [f"recipients {names}, not Voroshilov, Stalin, Ordzhonikidze in that order"]


def heading(word: str) -> Check:
    def check(page: Page, _: str) -> list[str]:
        h1 = page.locator("h1").first.inner_text()
        return [] if word in h1 else [f"the heading is {h1!r}"]
    return check


def timeline(page: Page, _: str) -> list[str]:
    bars = page.locator("svg.timeline a rect.bar").count()
    return [] if bars else ["no bar links to its letters"]


def nothing(page: Page, _: str) -> list[str]:
    return []


STOPS = (Stop("home", "/", home),
         *(Stop(index, "/" + index, links_to(prefix)) for index, prefix in
           (("people", "/person/"), ("organizations", "/org/"), ("places", "/place/"), ("events", "/event/"),
            ("archives", "/archive/"))),
         Stop("letters-person-stalin", "/letters?person=Stalin", letters_of_stalin),
         Stop("search-dardanelles", "/search?q=Dardanelles", dardanelles),
         Stop("search-stalin-cyrillic", "/search?q=Сталин", stalin_in_cyrillic),
         Stop("letter-169", "/letter/169", letter_169),
         Stop("person-stalin", STALIN, heading("Stalin"), drawn=True),
         Stop("place-moscow", "/place/moscow", heading("Moscow")),
         Stop("timeline", "/timeline", timeline),
         Stop("map", "/map", nothing, drawn=True),
         Stop("network", "/network", nothing, drawn=True))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_historians_walk(site: str, browser: Browser, width: int) -> None:
    """Every stop at this width; the problems of all stops are reported together."""
    problems: dict[str, list[str]] = {}
    for number, stop in enumerate(STOPS, 1):
        with visit(browser, site + stop.path, width) as seen:
            if stop.drawn and vendor_present():
                seen.page.wait_for_selector('[data-ready="1"]', state="attached", timeout=30_000)
            found = stop.check(seen.page, site)
            used = seen.scroll_width()
            if used > width:
                found.append(f"{used} px wide: scrolls sideways")
            found += [f"axe: {v}" for v in seen.serious_violations()]
            found += [f"console: {e}" for e in seen.errors]
            seen.screenshot(SHOTS / str(width) / f"{number:02d}-{stop.name}.png", full_page=True)
        if found:
            problems[stop.path] = found
    assert problems == {}, f"at {width} px"
