"""Headless Chromium (Debian's, driven by Playwright) against the live publisher: the letter, person and
SPARQL pages load, and the query editor runs an example query and shows rows. Screenshots go to
tests/artifacts/.

Playwright drives /usr/bin/chromium through ``executable_path``; ``playwright install`` (a browser
download) is never needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect

from kg.web import pages, pictures
from tests.browser import CHROMIUM
from tests.web_server import Live

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is missing (`make chromium` "
                                                                "installs it as root on Debian)")]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_letter_page_in_a_browser(live: Live, page: Page) -> None:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_pageerror(error: Error) -> None:
        errors.append(f"pageerror: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.goto(live.url + "/letter/167", wait_until="load")
    expect(page.locator("h1")).to_contain_text("No. 167")
    expect(page.locator('sup a[href^="#note-"]')).to_have_count(2)
    assert page.locator(".hierarchy").text_content().startswith("RGASPI")
    shot = ARTIFACTS / "letter-167.png"
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == []


def test_person_page_in_a_browser(live: Live, page: Page) -> None:
    page.goto(live.url + "/person/ordzhonikidze-g-k", wait_until="load")
    agent = {"agent": "person/ordzhonikidze-g-k"}
    timeline = page.request.get(live.url + "/timeline.json", params=agent).json()
    network = page.request.get(live.url + "/network.json", params=agent).json()
    assert len(network["edges"]) >= 3
    expect(page.locator("svg.timeline rect.bar")).to_have_count(sum(len(m["counts"]) for m in timeline["months"]))
    expect(page.locator("table.edges tbody tr")).to_have_count(len(network["edges"]))
    if pictures.vendor_present():  # the network drawn over the table (tests/test_web_pictures_browser.py at scale)
        page.wait_for_selector(".network-canvas[data-ready]")
        assert page.evaluate("window.kgNetwork.nodes().length") == len(network["nodes"])
    page.screenshot(path=ARTIFACTS / "person-ordzhonikidze.png", full_page=True)


def test_query_editor_runs_an_example_and_shows_rows(live: Live, page: Page) -> None:
    page.goto(live.url + "/query", wait_until="load")
    if not pages.vendor_available():
        pytest.skip("YASGUI is not installed (`make vendor`); the plain form is tested in test_web_pages.py")
    page.wait_for_function("window.kgEditor !== undefined && document.querySelector('.CodeMirror') !== null")
    page.locator("button.example").first.click()
    rows = page.locator(".yasr table tbody tr")
    expect(rows.first).to_contain_text("Stalin")
    expect(rows).to_have_count(4)  # letter 168 has two recipients
    text = page.locator(".yasr table tbody").text_content()
    assert "Nazaretyan" in text and "Ordzhonikidze" in text
    page.screenshot(path=ARTIFACTS / "sparql-editor.png")
