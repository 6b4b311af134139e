"""Headless Chromium (Debian's) against the live publisher: the letter, person and SPARQL pages load,
and the query editor runs an example query and shows rows. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.web import pages
from tests import cdp
from tests.web_server import Live

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not cdp.available(), reason="/usr/bin/chromium is missing (`make chromium` "
                                                             "installs it as root on Debian)")]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[cdp.Browser]:
    b = cdp.Browser()
    try:
        yield b
    finally:
        b.close()


def test_letter_page_in_a_browser(live: Live, browser: cdp.Browser) -> None:
    browser.open(live.url + "/letter/167")
    assert "No. 167" in browser.evaluate("document.querySelector('h1').textContent")
    assert browser.evaluate("document.querySelectorAll('sup a[href^=\"#note-\"]').length") == 2
    assert browser.evaluate("document.querySelector('.hierarchy').textContent").startswith("RGASPI")
    assert browser.screenshot(ARTIFACTS / "letter-167.png").stat().st_size > 10_000


def test_person_page_in_a_browser(live: Live, browser: cdp.Browser) -> None:
    browser.open(live.url + "/person/ordzhonikidze-g-k")
    assert browser.evaluate("document.querySelectorAll('svg.timeline circle').length") == 3
    assert browser.evaluate("document.querySelectorAll('svg.network line').length") == 3
    assert browser.evaluate("document.querySelector('svg.network').getBBox().width") > 100
    browser.screenshot(ARTIFACTS / "person-ordzhonikidze.png")


def test_query_editor_runs_an_example_and_shows_rows(live: Live, browser: cdp.Browser) -> None:
    browser.open(live.url + "/query")
    if not pages.vendor_available():
        pytest.skip("YASGUI is not installed (`make vendor`); the plain form is tested in test_web_pages.py")
    browser.wait_for("window.kgEditor !== undefined && document.querySelector('.CodeMirror') !== null")
    browser.evaluate("document.querySelector('button.example').click()")
    rows = browser.wait_for("(() => { const r = document.querySelectorAll('.yasr table tbody tr');"
                            " return r.length && r[0].textContent.includes('Stalin') ? r.length : 0 })()")
    assert rows == 4  # letter 168 has two recipients
    text = browser.evaluate("document.querySelector('.yasr table tbody').textContent")
    assert "Nazaretyan" in text and "Ordzhonikidze" in text
    browser.screenshot(ARTIFACTS / "sparql-editor.png")
