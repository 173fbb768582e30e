"""Fixtures for the browser tests: the real app on a free port, headless Debian Chromium, a fresh
page per test. Without Chromium or Playwright the tests here are skipped, saying how to get them;
with NNX_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parents[1]):        # harness, and the app's packages (ui, nnengine)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import harness  # noqa: E402

REQUIRE_BROWSER = os.environ.get("NNX_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session", autouse=True)
def browser_available():
    """Skip every test here (or fail them, when the browser is required) if it cannot run."""
    problem = harness.browser_problem()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"{problem} (NNX_REQUIRE_BROWSER=1: the browser tests must run)", pytrace=False)
        pytest.skip(problem)


@pytest.fixture(scope="session")
def app_url(browser_available):
    """The base URL of the app, running for the whole session (its output in screenshots/)."""
    server = harness.AppServer(harness.SCREENSHOTS / "streamlit-server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page in a new browser context (no shared cookies or storage), 1400x1000."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    context.set_default_timeout(harness.RUN_TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


open_page = harness.open_page
screenshot = harness.screenshot
