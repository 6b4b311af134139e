"""Every kind of page, in Chromium at a laptop's width (1366 px) and a phone's (390 px): axe-core (npm,
installed by `make axe` into build/npm; never served) finds no serious or critical violation, the page
does not scroll sideways, no console error; the page can be used from the keyboard (a skip link to the
main content, visible focus). Screenshots go to tests/artifacts/accessibility/.

Why axe-core: it is what accessibility audits run (the WCAG 2.x rules the browsers' own tools use);
"serious" and "critical" are its levels for barriers that stop a reader (no text alternative, no
label, too little contrast, a page without landmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser

from tests.browser import ARTIFACTS, AXE_MARKS, visit
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - a fixture

SHOTS = ARTIFACTS / "accessibility"
QUERY = "SELECT ?letter ?name WHERE { ?letter a <http://schema.org/Message> ; <http://schema.org/name> ?name } LIMIT 5"
PAGES = ["/", "/letters", "/letters?person=Stalin", "/letter/169", "/people", "/organizations", "/places", "/events",
         "/archives", "/person/stalin-i-v", "/org/politburo", "/place/moscow", "/event/1923-10-04-politburo",
         "/archive/rgaspi/f85", "/search?q=Koba", "/query", "/sparql?query=" + quote(QUERY), "/dumps/",
         "/ontology", "/about", "/void", "/shapes", "/timeline", "/map", "/network"]
WIDTHS = (1366, 390)

pytestmark = AXE_MARKS


@pytest.fixture(scope="module")
def site(seed_release: Built) -> Iterator[str]:  # noqa: F811
    with live_over(seed_release.out) as url:
        yield url


def _audit(browser: Browser, url: str, width: int, shot: Path) -> tuple[list[str], int, list[str]]:
    """(serious or critical axe violations, the page's scroll width, console errors)."""
    with visit(browser, url, width) as seen:
        violations, used = seen.serious_violations(), seen.scroll_width()
        seen.screenshot(shot)
        return violations, used, seen.errors


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_pages_are_accessible_and_fit_the_screen(site: str, browser: Browser, path: str, width: int) -> None:
    name = path.strip("/").split("?")[0].replace("/", "_") or "home"
    violations, used, errors = _audit(browser, site + path, width, SHOTS / f"{name}-{width}.png")
    assert violations == [], f"{path} at {width} px"
    assert used <= width, f"{path} is {used} px wide at {width} px"
    assert errors == [], f"{path}: console errors"


def test_the_keyboard_reaches_the_content_first(site: str, browser: Browser) -> None:
    """The first Tab lands on a "skip to content" link that moves focus to the main content, and the
    focused element is visibly outlined."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(site + "/letter/169", wait_until="load")
        page.keyboard.press("Tab")
        first = page.evaluate("[document.activeElement.textContent.trim(), "
                              "document.activeElement.getAttribute('href')]")
        assert first == ["Skip to content", "#main"]
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
        assert inside
    finally:
        context.close()
