"""Browser tests: playwright driving Debian's chromium against the live test server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SerialWSGIServer(WSGIServer):
    """The live server answering one request at a time.

    On an in-memory SQLite database every request thread of the live server uses the test's
    one shared connection, so two requests at once (an autosave beside a page load) collide
    inside SQLite ("cannot open savepoint - SQL statements in progress"). A real deployment
    has a connection per thread (and PostgreSQL or a SQLite file, where transactions wait
    for each other: the concurrency tests cover that); the browser tests only need the pages.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server_on_memory_sqlite():
    from django.conf import settings
    from django.test.testcases import LiveServerThread

    database = settings.DATABASES["default"]
    in_memory = database["ENGINE"].endswith("sqlite3") and (
        database.get("TEST", {}).get("NAME") in (None, ":memory:")
    )
    if not in_memory:
        yield
        return
    original = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = original


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI needs it (tests/browser/install-browser.sh)")
        pytest.skip("chromium is not installed (run tests/browser/install-browser.sh as root)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Every page of every journey runs under the Content-Security-Policy: a violation (an
    # inline script or style, a foreign source) is reported on the console and fails the test.
    violations: list[str] = []
    page.on("console", lambda message: _record_csp_violation(message, page, violations))
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _record_csp_violation(message, page, violations: list[str]) -> None:
    if "Content Security Policy" in message.text:
        violations.append(f"{page.url}: {message.text}")


def screenshot(page, name: str) -> None:
    # `make test` runs the suite on two databases at once; only one of the runs writes the
    # pictures (the others have KEYCLUSTERS_SCREENSHOTS=0).
    if os.environ.get("KEYCLUSTERS_SCREENSHOTS", "1") == "0":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base_url: str, username: str, password: str = "correct horse battery staple"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def log_out(page):
    page.click("#user-menu > summary")  # logging out is in the user menu
    page.click("#user-menu form[action$='/accounts/logout/'] button")
    page.wait_for_load_state()
