"""Browser tests: the app served on a loopback port, driven by Debian's headless Chromium.

Fixtures, from the bottom up (all but ``page`` live for the whole session of one xdist worker):

- ``live_app``: a Flask app of its own (testing settings, but CSRF on, so forms go through the
  real token check) on its own fresh database (``epeople_browser_<worker>``, never the ``app``
  fixture's), with the demo bodies and accounts of ``config/demo/`` loaded. Use it to read or
  add rows (``with live_app.app_context(): get_session()...``). The default routing diagrams
  of ``processes/`` are deployed, as ``init-db`` does, so petitions can be submitted. It is
  not emptied between tests: make what a test creates unique (see ``unique_email``).
- ``live_server``: that app served by werkzeug (threaded) on a free port of 127.0.0.1; its
  value is the base URL, e.g. ``http://127.0.0.1:41234``.
- ``browser``: Playwright driving ``/usr/bin/chromium`` headless. It fails, with the fix in
  the message, when chromium or Playwright is missing; ``EPEOPLE_SKIP_BROWSER=1`` skips instead.
- ``page``: a new browser context per test (no cookies carried over), English, with the live
  server as base URL, so ``page.goto("/login")`` works. A failing test leaves a screenshot,
  whose path is printed with the failure.
- ``open_page``: a factory of such pages, each in a context of its own, for journeys where
  several people act (a citizen and the agents answering, each logged in separately).

Accessibility: ``tests.browser.axe.check_accessibility(page)``.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.auth.services import UserService
from app.cli import deploy_default_processes
from app.db import get_session, temporary_database
from app.models import Base
from app.notifications import mailer
from app.org.services import BodyService

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_VARIABLE = "EPEOPLE_SKIP_BROWSER"
# Playwright waits up to this long for an element or a navigation (its default is 30 s).
TIMEOUT_MS = 10_000


def _skipping() -> bool:
    return os.environ.get(SKIP_VARIABLE) == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _skipping():
        return
    skip = pytest.mark.skip(reason=f"{SKIP_VARIABLE}=1: browser tests not run")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so ``page`` knows at teardown if the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@contextmanager
def seeded_app(database_prefix: str) -> Iterator[Flask]:
    """An app with a database of its own, the demo bodies and people and the default diagrams.

    CSRF is on, as in production, so the browser goes through the real tokens.
    """
    admin_url = os.environ.get("EPEOPLE_TEST_DATABASE", "sqlite")
    with temporary_database(admin_url, database_prefix) as url:
        app = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": url, "WTF_CSRF_ENABLED": True})
        engine = app.extensions["db"].engine
        Base.metadata.create_all(engine)
        demo = Path(app.config["DEMO_DIR"])
        with app.app_context():
            session = get_session()
            BodyService(session).seed(demo / "bodies.json")
            UserService(session, mailer()).seed_demo(demo / "users.json")
            deploy_default_processes()
        try:
            yield app
        finally:
            engine.dispose()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app() -> Iterator[Flask]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with seeded_app(f"epeople_browser_{worker}") as app:
        yield app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Browser]:
    """Headless Chromium for the session. It depends on ``live_server`` only so that it closes
    first: its keep-alive connections then end before the server stops."""
    if _skipping():
        pytest.skip(f"{SKIP_VARIABLE}=1: browser tests not run")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. As root, "
            "`make test` installs it; otherwise run `sudo apt-get install -y chromium`, or set "
            f"{SKIP_VARIABLE}=1 to skip the browser tests.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: run `make install` (pip install -e '.[test]').",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def _new_page(browser: Browser, live_server: str) -> Page:
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _screenshot_on_failure(
    request: pytest.FixtureRequest, pages: dict[str, Page], folder: Path
) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    for name, page in pages.items():
        if not page.is_closed():
            path = folder / f"failure-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of {name}'s page at the failure ({page.url}): {path}")


@pytest.fixture
def page(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Page]:
    page = _new_page(browser, live_server)
    try:
        yield page
        _screenshot_on_failure(request, {"page": page}, tmp_path)
    finally:
        page.context.close()


@pytest.fixture
def open_page(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], Page]]:
    """``open_page("agent")`` -> a page in a browser context of its own (its own cookies), like
    ``page``: for journeys where several people act, each in their own browser. All are closed
    at the end; a failing test leaves one screenshot per person."""
    pages: dict[str, Page] = {}

    def make(name: str) -> Page:
        assert name not in pages, f"a page named {name!r} is already open"
        pages[name] = _new_page(browser, live_server)
        return pages[name]

    try:
        yield make
        _screenshot_on_failure(request, pages, tmp_path)
    finally:
        for opened in pages.values():
            opened.context.close()


@pytest.fixture
def unique_email() -> Callable[[str], str]:
    """``unique_email("amira")`` -> ``amira-1a2b3c4d@example.org``: the live database is shared
    by every test of a worker, so accounts made through the browser need fresh addresses."""

    def make(name: str = "citizen") -> str:
        return f"{name}-{uuid.uuid4().hex[:8]}@example.org"

    return make
