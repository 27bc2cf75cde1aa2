"""Browser tests: one chromium per module, and people who save screenshots of a failure.

Each test module provides `album_url`, the server its people open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.web.browsers import CHROMIUM, CHROMIUM_ARGS, People


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Keep each phase's report on the item so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def people(request: pytest.FixtureRequest, browser: Browser, album_url: str) -> Iterator[People]:
    """Browser contexts for the test; on failure every open page is saved to test-output/."""
    crowd = People(browser, album_url)
    yield crowd
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        crowd.screenshot_all(re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))
    crowd.close()
