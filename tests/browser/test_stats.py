"""The public statistics page in a real browser: Chart.js draws the charts (a static file, no
inline script, under the real CSP) and axe finds no serious or critical problem, in Arabic and
in French."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.db import database, get_session
from app.petitions.models import Petition
from app.stats.cli import refresh_statistics
from tests.browser.axe import check_accessibility, describe

pytestmark = pytest.mark.browser

HEADINGS = {"ar": "الإحصائيات", "fr": "Statistiques"}


@pytest.fixture(scope="module")
def answered_petitions(live_app: Flask) -> None:
    """A few answered petitions, in the statistics summary (as the worker would refresh it), so
    every chart has something to draw."""
    created = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    with live_app.app_context():
        session = get_session()
        for n, (kind, channel) in enumerate([("complaint", "web"), ("inquiry", "counter"), ("suggestion", "phone")]):
            session.add(Petition(
                type=kind, subject="stats", description="stats", channel=channel,
                current_office="min-health", competent_body="min-health", status="closed",
                created_at=created + timedelta(days=n), answered_at=created + timedelta(days=n + 3),
                closed_at=created + timedelta(days=n + 4), response_due_at=created + timedelta(days=20),
                rating=4,
            ))
        session.commit()
        refresh_statistics(live_app, database(), full=True)


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_visitor_sees_statistics_charts_and_tables_in_arabic_and_french(
    page: Page, answered_petitions: None, language: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"/statistics/?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
    canvas = page.locator("canvas#type-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('type-chart'))")
    assert page.evaluate("() => document.querySelectorAll('canvas[data-chart]').length") == 5
    assert page.locator("table caption").count() == 5
    assert errors == []  # no CSP violation, no script error
    violations = check_accessibility(page)
    assert violations == [], describe(violations)
