"""Pages opened in a real headless Chromium (Playwright driving Debian's ``chromium``, or Playwright's own
build where it could download one): what the page logged as errors, which images failed to load, and
whether its screenshot shows anything."""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image


def chromium() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, Debian's, or None for Playwright's own."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Loaded:
    errors: list[str] = field(default_factory=list)  # console errors, failed requests, uncaught exceptions
    broken_images: list[str] = field(default_factory=list)  # src of every <img> with naturalWidth 0
    images: int = 0
    screenshot: bytes = b""

    def blank(self) -> bool:
        """True when the screenshot is (nearly) one colour."""
        with Image.open(io.BytesIO(self.screenshot)) as shot:
            colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
        return colours is not None and len(colours) < 8


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        try:
            found = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        except Exception as e:  # no browser here: CI installs Debian's (see .ci/run)
            pytest.skip(f"no Chromium to drive: {e}".splitlines()[0])
        yield found
        found.close()


def load(browser: Any, page_path: Path, *, full_page: bool = True, then: Any = None) -> Loaded:
    """Open ``page_path`` from disk, wait for it to load, and report what went wrong on it."""
    seen = Loaded()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    page.on("pageerror", lambda e: seen.errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: seen.errors.append(f"failed: {r.url}"))
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    seen.images = page.evaluate("document.images.length")
    seen.broken_images = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    if then is not None:
        then(page)
    seen.screenshot = page.screenshot(full_page=full_page)
    page.close()
    return seen
