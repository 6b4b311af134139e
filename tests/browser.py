"""Debian's headless Chromium, driven by Playwright, for the browser tests: one launch per test module.

``playwright install`` (a browser download) is never needed: ``executable_path`` is the Debian binary
that `make chromium` installs. Without it, a test that asks for ``browser`` is skipped and says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")


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
