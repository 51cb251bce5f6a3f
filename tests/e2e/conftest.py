"""Browser fixtures: Playwright's sync API driving Debian's Chromium on the live server.

Playwright's own browser download cannot work on this machine (DESIGN.md), so
the tests use ``/usr/bin/chromium`` (``apt-get install chromium``) and fail,
never skip, when it is missing: a silently skipped end-to-end suite proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM calls
# made from the test body (factories) would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
# Argon2 makes each password hash slow on purpose; one typed password for all.
PASSWORD = "timbang-bulan-ini-2025"


# Lists what sticks out on the right of the page, so a failure names the culprit
# (a wide table may scroll inside its own .table-scroll box).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-scroll')) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


def with_password(user: Any) -> Any:
    """``user`` with the one typed password of the browser tests."""
    user.set_password(PASSWORD)
    user.save()
    return user


# Module scope: Playwright keeps an asyncio loop running while it is started, which
# would make every later test on this worker look like it runs inside async code.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) "
            "to run the end-to-end tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the browser tests save their screenshots: the README's folder only
    when asked (``POSYANDU_SCREENSHOTS=1``), so a test run leaves the work tree
    clean; a temporary folder otherwise."""
    if os.environ.get("POSYANDU_SCREENSHOTS") != "1":
        return tmp_path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
