"""Assisted intake in a real browser: a service-house agent registers a phoned-in petition and
prints the receipt; axe scans the form (with errors) and the receipt, in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_accessibility, describe
from tests.browser.people import log_in_demo

pytestmark = pytest.mark.browser
HOUSE_AGENT = "kasserine.house@example.org"


def test_service_house_agent_registers_a_phoned_in_petition_and_prints_the_receipt(page: Page) -> None:
    log_in_demo(page, HOUSE_AGENT)
    page.get_by_role("link", name="Register a petition").first.click()
    page.get_by_role("link", name="Complaint").click()

    page.get_by_label("Channel").select_option("phone")
    page.get_by_label("Office").select_option("mun-sfax")
    page.get_by_role("button", name="Register the petition").click()  # nothing filled in yet
    expect(page.locator(".error-summary")).to_contain_text("Give an e-mail address or a phone number")
    violations = check_accessibility(page)
    assert violations == [], describe(violations)

    page.get_by_label("Citizen's full name").fill("Hedi Trabelsi")
    page.get_by_label("Phone number").fill("+216 20 123 456")
    page.get_by_label("Subject").fill("Uncollected rubbish in Sakiet Ezzit")
    page.get_by_label("Description").fill("The bins have not been emptied for two weeks.")
    page.get_by_role("button", name="Register the petition").click()

    expect(page.get_by_role("heading", name="Petition receipt")).to_be_visible()
    number = page.locator(".receipt-number").inner_text()
    assert number.startswith("TN-")
    expect(page.locator(".receipt-qr svg")).to_be_visible()
    expect(page.locator(".receipt-facts")).to_contain_text("Municipality of Sfax")
    violations = check_accessibility(page)
    assert violations == [], describe(violations)

    # Printed, the receipt keeps its content and drops the site's menus and buttons.
    page.emulate_media(media="print")
    expect(page.locator(".intake-receipt")).to_be_visible()
    expect(page.get_by_role("button", name="Print the receipt")).to_be_hidden()
    expect(page.locator(".site-header nav.main-nav")).to_be_hidden()


def test_intake_form_in_arabic_has_no_serious_accessibility_violations(page: Page) -> None:
    log_in_demo(page, HOUSE_AGENT)
    page.goto("/office/intake/inquiry?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    violations = check_accessibility(page)
    assert violations == [], describe(violations)
