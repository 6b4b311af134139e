"""The pictures in headless Chromium over a generated build of 2,000 letters whose correspondents are in the
authority files (tests/pictures_build.py): the map draws Natural Earth countries and a circle per place and
role; the network draws every node, and no two visible names overlap or are cut by the frame (measured by
cytoscape itself, not by our placement code); the timeline draws one bar segment per month and kind; no
page scrolls sideways at 390 px; no console error. Screenshots go to tests/artifacts/.

Needs `make vendor` (the libraries) and /usr/bin/chromium; skipped, saying so, without them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.web import create_app, pictures
from tests.browser import CHROMIUM
from tests.pictures_build import generated_build
from tests.web_server import serving

ARTIFACTS = Path(__file__).parent / "artifacts"
BASE = "https://w3id.org/bolcorr/"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is missing (`make chromium`)"),
              pytest.mark.skipif(not pictures.vendor_present(),
                                 reason="the drawing libraries are not installed (`make vendor`); "
                                        "the tables without them are tested in test_web_pictures.py")]

# Every shown name's box as cytoscape draws it (rendered pixels, relative to the network's frame).
LABEL_BOXES = """() => { const cy = window.kgNetwork;
  return { width: cy.width(), height: cy.height(), nodes: cy.nodes().length,
    labels: cy.nodes('.labelled').map(n => { const b = n.renderedBoundingBox(
      { includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
      return { name: n.data('name'), x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2 }; }) }; }"""


@dataclass
class Site:
    url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    out = generated_build(tmp_path_factory.mktemp("pictures-2000"), 2000)
    settings = replace(Settings(), output_dir=out)
    store = OxigraphStore(out, warm_workers=2)
    try:
        with serving(create_app(settings, store), settings) as server:
            yield Site(f"http://127.0.0.1:{server.port}")
    finally:
        store.close()


@dataclass
class Tab:
    page: Page
    errors: list[str]


def _tab(browser: Browser, width: int) -> Tab:
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(f"console {message.type}: {message.text}")

    def on_pageerror(error: Error) -> None:
        errors.append(f"pageerror: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    return Tab(page, errors)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    t = _tab(browser, 1366)
    try:
        yield t
    finally:
        t.page.context.close()


def _assert_readable(boxes: dict, at_least: int = 10) -> None:
    labels = boxes["labels"]
    assert len(labels) >= at_least, labels  # names are shown, not all dropped
    for b in labels:
        assert b["x1"] >= 0 and b["y1"] >= 0 and b["x2"] <= boxes["width"] and b["y2"] <= boxes["height"], b
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"] or b["y2"] <= a["y1"]
            assert apart, (a, b)


def test_the_network_of_2000_letters_is_readable(site: Site, tab: Tab) -> None:
    data = requests.get(site.url + "/network.json", timeout=30).json()
    assert len(data["nodes"]) >= 50 and len(data["edges"]) >= 1000  # a dense picture, not a toy
    tab.page.goto(site.url + "/network", wait_until="load")
    tab.page.wait_for_selector(".network-canvas[data-ready]")
    boxes = tab.page.evaluate(LABEL_BOXES)
    assert boxes["nodes"] == len(data["nodes"])
    _assert_readable(boxes)
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=ARTIFACTS / "network-2000.png", full_page=True)
    before = tab.page.evaluate("window.kgNetwork.zoom()")
    tab.page.evaluate("delete document.querySelector('.network-canvas').dataset.labels")
    box = tab.page.locator(".network-canvas").bounding_box()
    assert box
    tab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.page.mouse.wheel(0, -300)  # zoomed in, the names are placed again: still apart and inside the frame
    tab.page.wait_for_selector(".network-canvas[data-labels]")
    assert tab.page.evaluate("window.kgNetwork.zoom()") > before
    _assert_readable(tab.page.evaluate(LABEL_BOXES), at_least=1)
    assert tab.errors == []


def test_a_person_page_draws_the_same_network_for_one_person(site: Site, tab: Tab) -> None:
    data = requests.get(site.url + "/network.json", timeout=30).json()
    ego = data["nodes"][0]
    mine = requests.get(site.url + "/network.json", params={"agent": ego["href"][1:]}, timeout=30).json()
    tab.page.goto(site.url + ego["href"], wait_until="load")
    tab.page.wait_for_selector(".network-canvas[data-ready]")
    boxes = tab.page.evaluate(LABEL_BOXES)
    assert boxes["nodes"] == len(mine["nodes"])
    assert ego["label"] in [b["name"] for b in boxes["labels"]]  # the person is named first
    _assert_readable(boxes)
    assert tab.page.locator("svg.timeline rect.bar").count() > 0
    tab.page.screenshot(path=ARTIFACTS / "person-network-2000.png", full_page=True)
    assert tab.errors == []


def test_the_map_draws_countries_and_places(site: Site, tab: Tab) -> None:
    data = requests.get(site.url + "/map.json", timeout=30).json()
    located = [f for f in data["features"] if f["geometry"]]
    assert located
    tab.page.goto(site.url + "/map", wait_until="load")
    tab.page.wait_for_selector(".map-canvas[data-ready]")
    assert tab.page.locator(".map-canvas path.country").count() > 150  # Natural Earth's countries
    circles = sum(bool(f["properties"]["written"]) + bool(f["properties"]["mentioned"]) for f in located)
    assert tab.page.locator(".map-canvas circle.place").count() == circles
    box = tab.page.locator(".map-canvas svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 300
    tab.page.screenshot(path=ARTIFACTS / "map.png", full_page=True)
    assert tab.errors == []


def test_the_timeline_draws_a_bar_per_month_and_kind(site: Site, tab: Tab) -> None:
    data = requests.get(site.url + "/timeline.json", timeout=30).json()
    tab.page.goto(site.url + "/timeline", wait_until="load")
    bars = tab.page.locator("svg.timeline a rect.bar")
    assert bars.count() == sum(len(m["counts"]) for m in data["months"])
    tab.page.screenshot(path=ARTIFACTS / "timeline.png", full_page=True)
    bars.first.click()
    tab.page.wait_for_url("**/letters?month=*")
    assert tab.errors == []


@pytest.mark.parametrize("path", ["/timeline", "/map", "/network"])
def test_no_picture_page_scrolls_sideways_on_a_phone(site: Site, browser: Browser, path: str) -> None:
    t = _tab(browser, 390)
    try:
        t.page.goto(site.url + path, wait_until="load")
        if path != "/timeline":
            t.page.wait_for_selector("[data-ready]")
        assert t.page.evaluate("document.documentElement.scrollWidth") <= 390
        t.page.screenshot(path=ARTIFACTS / f"{path.strip('/')}-390.png", full_page=True)
        assert t.errors == []
    finally:
        t.page.context.close()
