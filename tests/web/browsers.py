"""The browser the album's tests drive: Debian's chromium under Playwright, and the people
using it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"


def require_chromium() -> None:
    """Skip the calling test module on a machine without chromium."""
    if not CHROMIUM.exists():
        pytest.skip(
            "chromium is not installed: apt-get install chromium; CI installs it",
            allow_module_level=True,
        )


class People:
    """Opens one browser context per person; records dialogs and page errors on every page."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []

    def open(self, *, width: int = 1280, height: int = 900) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": width, "height": height}
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        return page

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def screenshot_all(self, name: str) -> None:
        OUTPUT_DIR.mkdir(exist_ok=True)
        for number, context in enumerate(self.contexts):
            for page_number, page in enumerate(context.pages):
                path = OUTPUT_DIR / f"{name}-person{number}-page{page_number}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"could not screenshot {page.url}: {exc}")
                else:
                    print(f"screenshot of {page.url}: {path}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
