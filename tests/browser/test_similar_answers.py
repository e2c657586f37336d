"""While a citizen types a complaint, earlier petitions with a published answer appear under
the form (static/js/similar.js calling /petitions/similar), and lead to the answer page."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.db import get_session, utcnow
from app.petitions.models import Petition, Status
from app.routing import routing_service
from tests.browser.axe import check_accessibility, describe
from tests.browser.people import log_in_demo

pytestmark = pytest.mark.browser

SUBJECT = "Éclairage public en panne rue de Tunis"
DESCRIPTION = "Les lampadaires de la rue de Tunis à Sfax ne s'allument plus depuis un mois, c'est dangereux la nuit."


def publish_answer(live_app: Flask, **columns: object) -> str:
    number = f"TN-2026-{uuid.uuid4().int % 10**6:06d}"
    with live_app.app_context():
        session = get_session()
        session.add(Petition(
            type="complaint", subject=SUBJECT, description=DESCRIPTION, current_office="mun-sfax",
            competent_body="mun-sfax", status=Status.CLOSED, answer="Les lampes seront changées lundi.",
            answered_at=utcnow(), closed_at=utcnow(), tracking_number=number, **columns,
        ))
        session.commit()
        routing_service().train()
        session.commit()
    return number


def test_citizen_typing_a_complaint_sees_a_published_answer_and_opens_it(page: Page, live_app: Flask) -> None:
    published = publish_answer(live_app, answer_public=True)
    unpublished = publish_answer(live_app, answer_public=False)
    log_in_demo(page, "citizen.amira@example.org")
    page.goto("/petitions/new/complaint")
    suggestions = page.locator("#similar-answers")
    expect(suggestions).to_be_hidden()
    page.get_by_label("Subject").fill("Lampadaires éteints")
    page.get_by_label("Description").press_sequentially("Rue de Tunis à Sfax, les lampadaires ne s'allument plus")
    expect(suggestions).to_be_visible()
    links = suggestions.get_by_role("link")
    expect(links.first).to_have_attribute("href", f"/answers/{published}")
    assert f"/answers/{unpublished}" not in suggestions.inner_html()
    violations = check_accessibility(page)
    assert violations == [], describe(violations)

    with page.context.expect_page() as opened:
        links.first.click()
    answer = opened.value
    expect(answer.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(answer.locator(".answer-text")).to_have_text("Les lampes seront changées lundi.")
