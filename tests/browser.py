"""Debian's headless Chromium, driven by Playwright, for the browser tests: one launch per test module,
and ``visit`` (a page at a width, with its console errors, axe-core's verdict and its screenshot).

``playwright install`` (a browser download) is never needed: ``executable_path`` is the Debian binary
that `make chromium` installs. Without it, a test that asks for ``browser`` is skipped and says why.
axe-core (npm, installed by `make axe` into build/npm; never served) is injected into the page by
``Visit.serious_violations``: "serious" and "critical" are its levels for barriers that stop a reader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"  # git-ignored: screenshots of the browser tests
# The marks of a module whose pages are checked with axe-core: skipped, saying why, without chromium or axe.
AXE_MARKS = [pytest.mark.browser,
             pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is missing (`make chromium`)"),
             pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (`make axe` needs npm)")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium is missing (`make chromium` installs it as root on Debian)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Visit:
    """One open page and the console errors (and uncaught exceptions) it has logged so far."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def serious_violations(self) -> list[str]:
        """axe-core's serious and critical violations on the page as it is now, one line each."""
        self.page.add_script_tag(path=str(AXE))
        return self.page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => `${v.impact} ${v.id}: ${v.help} — `
                          + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")

    def scroll_width(self) -> int:
        """The page's width as laid out: more than the viewport means it scrolls sideways."""
        return self.page.evaluate("document.documentElement.scrollWidth")

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)


@contextmanager
def visit(browser: Browser, url: str, width: int, height: int = 900) -> Iterator[Visit]:
    """``url`` loaded in a fresh browser context ``width`` px wide, listening for console errors from the start."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    seen = Visit(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    try:
        page.goto(url, wait_until="load")
        yield seen
    finally:
        context.close()
