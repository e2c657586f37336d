"""The portal and the tasklist in Arabic and French, in a real browser: a complaint submitted
and followed in Arabic (labels and status names in Arabic, the page right to left, also on a
phone), and axe scans of the main pages in both languages.

Amira (``citizen.amira``) prefers Arabic; the BCRC's agent (``bcrc.agent``) qualifies
petitions that name no body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.axe import check_accessibility, describe
from tests.browser.people import log_in_demo

pytestmark = pytest.mark.browser

TRACKING_NUMBER = re.compile(r"TN-\d{4}-\d{6}")
SUBJECT = "انقطاع الماء في حيّ النصر — coupure d'eau"
DESCRIPTION = "انقطع الماء منذ ثلاثة أيّام في حيّ النصر 2.\nL'eau est coupée depuis trois jours."
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
PHONE = {"width": 375, "height": 740}
# What the pages call things, per language (from app/translations/).
WORDS = {
    "ar": {
        "submit a petition": "تقديم عريضة", "complaint": "شكوى", "subject": "الموضوع",
        "description": "الوصف", "submit": "إرسال", "tracking number": "رقم المتابعة",
        "e-mail": "البريد الإلكتروني أو رقم الهاتف المقدَّم مع العريضة", "show the status": "عرض الحالة",
        "status": "الحالة", "open tasks": "المهام المفتوحة", "qualify": "تكييف العريضة",
    },
    "fr": {
        "submit a petition": "Déposer une requête", "complaint": "Réclamation", "subject": "Objet",
        "description": "Description", "submit": "Envoyer", "tracking number": "Numéro de suivi",
        "e-mail": "Adresse électronique ou numéro de téléphone donnés avec la requête",
        "show the status": "Afficher l'état", "status": "Statut",
        "open tasks": "Tâches ouvertes", "qualify": "Qualifier la requête",
    },
}


def assert_accessible(page: Page) -> None:
    violations = check_accessibility(page)
    assert violations == [], f"{page.url}\n{describe(violations)}"


def summary(page: Page, term: str) -> Locator:
    """The ``<dd>`` after the ``<dt>`` named ``term`` in a summary list."""
    return page.locator(".summary dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def submit_complaint(page: Page, words: dict[str, str], body: str | None = None) -> str:
    """From the home page, through the menu, as a citizen; returns the tracking number."""
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name=words["submit a petition"]).click()
    page.get_by_role("link", name=words["complaint"], exact=True).click()
    expect(page.get_by_role("heading", level=1, name=words["complaint"])).to_be_visible()
    page.get_by_label(words["subject"]).fill(SUBJECT)
    page.get_by_label(words["description"]).fill(DESCRIPTION)
    if body:
        page.locator("select[name=target_body]").select_option(label=body)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    number = summary(page, words["tracking number"]).inner_text()
    assert TRACKING_NUMBER.fullmatch(number), number
    return number


def assert_mirrored(page: Page) -> None:
    """Right to left: the heading starts at the right of the content, the brand sits at the
    right of the header, and nothing is wider than the window."""
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    main = page.locator("main").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert main and heading and brand
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert heading["x"] + heading["width"] > main["x"] + main["width"] - 40, (heading, main)
    assert brand["x"] + brand["width"] > width / 2, (brand, width)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the window"


def test_citizen_submits_and_follows_a_complaint_in_arabic(
    open_page: Callable[[str], Page], tmp_path: Path
) -> None:
    words = WORDS["ar"]
    amira = open_page("amira")
    log_in_demo(amira, "citizen.amira@example.org", language="ar")
    number = submit_complaint(amira, words, body="وزارة الصحة")

    expect(amira.get_by_role("status")).to_contain_text("تمّ استلام عريضتك")
    expect(amira.get_by_role("status")).to_contain_text(number)
    expect(amira.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(amira.locator(".petition-text")).to_have_text(DESCRIPTION)
    expect(summary(amira, "النوع")).to_have_text("شكوى")
    expect(summary(amira, words["status"])).to_have_text("قيد الدراسة")  # under review
    expect(summary(amira, "الجهة المتعهّدة")).to_have_text("وزارة الصحة")
    expect(amira.locator(".timeline__what")).to_have_text(["تلقّاها وزارة الصحة"])
    assert not EASTERN_DIGITS.search(amira.locator("main").inner_text())
    assert_mirrored(amira)
    screenshot = tmp_path / "petition-ar.png"
    amira.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert_accessible(amira)

    # On a phone the layout still mirrors and nothing overflows.
    amira.set_viewport_size(PHONE)
    amira.reload()
    assert_mirrored(amira)
    amira.screenshot(path=str(tmp_path / "petition-ar-phone.png"), full_page=True)

    # Her petitions, and anyone with the number and her e-mail, see the status in Arabic.
    amira.get_by_role("link", name="عرائضي").click()
    row = amira.get_by_role("row").filter(has=amira.get_by_role("link", name=number, exact=True))
    expect(row).to_contain_text("قيد الدراسة")
    assert_mirrored(amira)

    visitor = open_page("visitor")
    visitor.goto("/track?lang=ar")
    visitor.get_by_label(words["tracking number"]).fill(number)
    visitor.get_by_label(words["e-mail"]).fill("citizen.amira@example.org")
    visitor.get_by_role("button", name=words["show the status"]).click()
    expect(summary(visitor, words["status"])).to_have_text("قيد الدراسة")
    assert_accessible(visitor)


def test_arabic_form_errors_are_announced_linked_and_in_arabic(open_page: Callable[[str], Page]) -> None:
    amira = open_page("amira")
    log_in_demo(amira, "citizen.amira@example.org", language="ar")
    amira.goto("/petitions/new/complaint")
    amira.get_by_role("button", name="إرسال", exact=True).click()

    alert = amira.get_by_role("alert")
    expect(alert).to_contain_text("يُرجى إصلاح ما يلي:")
    alert.get_by_role("link", name="الموضوع: هذه الخانة إجبارية.").click()
    expect(amira.get_by_label("الموضوع")).to_be_focused()
    expect(amira.get_by_label("الموضوع")).to_have_attribute("aria-invalid", "true")
    expect(amira.get_by_label("الموضوع")).to_have_accessible_description(re.compile("هذه الخانة إجبارية."))
    assert_accessible(amira)


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_main_pages_have_no_serious_accessibility_violations(
    open_page: Callable[[str], Page], language: str
) -> None:
    words = WORDS[language]
    citizen = open_page("citizen")
    citizen.goto(f"/?lang={language}")
    expect(citizen.locator("html")).to_have_attribute("lang", language)
    assert_accessible(citizen)  # home

    log_in_demo(citizen, "citizen.leila@example.org", language=language)
    citizen.goto("/petitions/new/complaint")
    assert_accessible(citizen)  # start form
    number = submit_complaint(citizen, words)  # no body named: the BCRC qualifies it

    visitor = open_page("visitor")
    visitor.goto(f"/track?lang={language}")
    visitor.get_by_label(words["tracking number"]).fill(number)
    visitor.get_by_label(words["e-mail"]).fill("citizen.leila@example.org")
    visitor.get_by_role("button", name=words["show the status"]).click()
    expect(visitor.locator(".timeline")).to_be_visible()
    assert_accessible(visitor)  # tracking page, with the status

    agent = open_page("agent")
    log_in_demo(agent, "bcrc.agent@example.org", language=language)
    agent.goto("/tasks/")
    expect(agent.get_by_role("heading", level=1, name=words["open tasks"])).to_be_visible()
    row = agent.get_by_role("row").filter(has=agent.get_by_role("link", name=number, exact=True))
    expect(row).to_contain_text(words["qualify"])
    assert_accessible(agent)  # tasklist

    row.get_by_role("link", name=number, exact=True).click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text(words["qualify"])
    assert_accessible(agent)  # task page
