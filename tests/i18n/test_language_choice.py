"""Which language a page is in, how the choice is kept, and how dates are written in it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import local_date, local_datetime
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.i18n.conftest import EASTERN_DIGITS


def _html(client: FlaskClient, url: str, **kwargs: object) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_arabic_page_is_right_to_left_and_in_arabic_when_asked(client: FlaskClient) -> None:
    page = _html(client, "/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "تقديم عريضة" in page and "متابعة عريضة" in page
    assert "Submit a petition" not in page and "Follow a petition" not in page
    assert not EASTERN_DIGITS.search(page)


def test_french_page_is_left_to_right_and_in_french_when_asked(client: FlaskClient) -> None:
    page = _html(client, "/?lang=fr")
    assert '<html lang="fr" dir="ltr">' in page
    assert "Déposer une requête" in page and "Suivre une requête" in page


def test_browser_language_is_used_when_nothing_was_chosen(client: FlaskClient) -> None:
    page = _html(client, "/track", headers={"Accept-Language": "fr-TN,fr;q=0.9,ar;q=0.8"})
    assert '<html lang="fr"' in page and "Numéro de suivi" in page
    assert '<html lang="en"' in _html(client, "/track", headers={"Accept-Language": "de"})


def test_language_chosen_with_the_switcher_is_remembered_in_the_session(client: FlaskClient) -> None:
    _html(client, "/?lang=ar")
    page = _html(client, "/track", headers={"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in page and "رقم المتابعة" in page


def test_language_chosen_by_a_signed_in_person_is_saved_to_their_account(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, preferred_language="en")
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert '<html lang="fr"' in _html(client, "/?lang=fr")
    session.expire_all()
    assert session.get(User, user.id).preferred_language == "fr"

    # Another browser, a new session: the account's language applies from the first page.
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert "Mes requêtes" in _html(other, "/petitions/mine")


def test_language_links_keep_the_page_and_its_query(client: FlaskClient) -> None:
    page = _html(client, "/track?lang=fr&x=%D9%85%D8%A7%D8%A1")
    assert 'href="/track?x=%D9%85%D8%A7%D8%A1&amp;lang=ar"' in page
    assert 'href="/track?x=%D9%85%D8%A7%D8%A1&amp;lang=en"' in page


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("ar", "12 جانفي 2026", "12 جانفي 2026، 14:05"),
        ("fr", "12 janv. 2026", "12 janv. 2026, 14:05"),
        ("en", "12 Jan 2026", "12 Jan 2026, 14:05"),
    ],
)
def test_dates_are_written_in_the_language_with_western_digits(
    app: Flask, language: str, day: str, moment: str
) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert local_date(date(2026, 1, 12)) == day
        # Stored in UTC, shown in Tunisia's time (UTC+1).
        assert local_datetime(datetime(2026, 1, 12, 13, 5, tzinfo=timezone.utc)) == moment
        assert local_date(None) == local_datetime(None) == ""


def test_a_late_evening_in_utc_is_already_the_next_day_in_tunis(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert local_date(datetime(2026, 1, 12, 23, 30, tzinfo=timezone.utc)) == "13 Jan 2026"


def test_long_arabic_dates_use_tunisian_month_names(app: Flask) -> None:
    with app.test_request_context("/?lang=ar"):
        assert local_date(date(2026, 8, 13), "full") == "الخميس، 13 أوت 2026"
