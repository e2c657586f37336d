"""A complaint from submission to closing, in real browsers: the citizen and three agents, each
in a browser context of their own; axe scans of every page they pass through.

Route (``processes/README.md``): the citizen names no body, so the BCRC qualifies (accepts for
the Ministry of Health), the ministry's body agent drafts, the BCRC (``routing_office``)
validates, and the citizen rates the answer.
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

SUBJECT = "Attente aux urgences — انتظار طويل في قسم الاستعجالي"
DESCRIPTION = (
    "انتظرت ست ساعات في قسم الاستعجالي بالمستشفى الجهوي دون أن يفحصني أي طبيب.\n"
    "J'ai attendu six heures aux urgences de l'hôpital régional sans voir de médecin."
)
ANSWER = "Un second poste de triage ouvre le 1er avril. سيفتح مكتب فرز ثان في الأول من أفريل."
TRACKING_NUMBER = re.compile(r"TN-\d{4}-\d{6}")


def assert_accessible(page: Page) -> None:
    violations = check_accessibility(page)
    assert violations == [], f"{page.url}\n{describe(violations)}"


def register(page: Page, email: str, name: str, password: str = "a long enough password") -> None:
    page.goto("/register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome, {name}")


def summary(page: Page, term: str) -> Locator:
    """The ``<dd>`` after the ``<dt>`` named ``term`` in the petition's summary."""
    term_cell = page.locator(".summary dt", has_text=term)
    return term_cell.locator("xpath=following-sibling::dd[1]")


def open_task_of(page: Page, tracking_number: str, task_title: str) -> None:
    """From the tasklist, open the petition's task (its row names the task; its link, the
    petition's tracking number)."""
    page.goto("/tasks/")
    expect(page.get_by_role("heading", name="Open tasks")).to_be_visible()
    link = page.get_by_role("link", name=tracking_number, exact=True)
    row = page.get_by_role("row").filter(has=link)
    expect(row.get_by_role("cell", name=task_title, exact=True)).to_be_visible()
    row.get_by_role("link", name=tracking_number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(task_title)
    expect(page.get_by_role("heading", level=1)).to_contain_text(tracking_number)


def complete_task(page: Page) -> None:
    page.get_by_role("button", name="Complete the task").click()
    expect(page.get_by_role("status").filter(has_text="Task completed.")).to_be_visible()


def test_citizen_complaint_is_accepted_answered_validated_and_rated_by_the_offices(
    open_page: Callable[[str], Page], unique_email: Callable[[str], str]
) -> None:
    # The citizen registers and submits a complaint in Arabic and French, naming no body.
    citizen = open_page("citizen")
    register(citizen, unique_email("yassine"), "Yassine Ben Amor")
    citizen.get_by_role("link", name="Submit a petition").first.click()
    citizen.get_by_role("link", name="Complaint", exact=True).click()
    expect(citizen.get_by_role("heading", level=1, name="Complaint")).to_be_visible()
    citizen.get_by_label("Subject").fill(SUBJECT)
    citizen.get_by_label("Description").fill(DESCRIPTION)
    expect(citizen.get_by_label("Public body concerned")).to_have_value("")
    citizen.get_by_role("button", name="Submit", exact=True).click()

    flash = citizen.get_by_role("status").filter(has_text="Your petition was received.")
    expect(flash).to_contain_text(TRACKING_NUMBER)
    number = summary(citizen, "Tracking number").inner_text()
    assert TRACKING_NUMBER.fullmatch(number), number
    expect(flash).to_contain_text(number)
    expect(citizen.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(summary(citizen, "Status")).to_have_text("Under review")
    bcrc_name = "Central Office for Relations with Citizens"
    expect(summary(citizen, "Handled by")).to_have_text(bcrc_name)
    expect(citizen.locator(".petition-text")).to_have_text(DESCRIPTION)
    assert_accessible(citizen)

    # The BCRC relations agent finds it in the tasklist, claims it and accepts it for the
    # Ministry of Health.
    bcrc = open_page("bcrc")
    log_in_demo(bcrc, "bcrc.agent@example.org")
    expect(bcrc).to_have_url(re.compile(r"/tasks/$"))  # staff land on their tasklist
    assert_accessible(bcrc)
    open_task_of(bcrc, number, "Qualify the petition")
    expect(bcrc.get_by_role("heading", name=SUBJECT)).to_be_visible()
    assert_accessible(bcrc)
    bcrc.get_by_role("button", name="Claim").click()
    expect(bcrc.get_by_role("status").filter(has_text="You claimed this task.")).to_be_visible()
    bcrc.get_by_label("Accept and send to the competent body").check()
    bcrc.get_by_label("Competent body", exact=True).select_option(label="Ministry of Health")
    complete_task(bcrc)
    expect(bcrc.get_by_role("link", name=number, exact=True)).to_have_count(0)

    citizen.reload()
    expect(summary(citizen, "Status")).to_have_text("Being answered")
    expect(summary(citizen, "Handled by")).to_have_text("Ministry of Health")
    history = citizen.locator(".timeline")
    expect(history).to_contain_text("Accepted and assigned to Ministry of Health")

    # The Ministry of Health's body agent drafts the answer; the citizen does not see it yet.
    health = open_page("health")
    log_in_demo(health, "health.agent@example.org")
    open_task_of(health, number, "Draft the answer")
    health.get_by_label("Submit the answer for validation").check()
    health.get_by_label("Answer", exact=True).fill(ANSWER)
    complete_task(health)

    citizen.reload()
    expect(summary(citizen, "Status")).to_have_text("Being answered")
    expect(citizen.get_by_role("heading", name="The answer", exact=True)).to_have_count(0)

    # The BCRC, the office that routed it, validates the answer and sends it.
    open_task_of(bcrc, number, "Validate the answer")
    expect(bcrc.get_by_label("Answer", exact=True)).to_have_value(ANSWER)
    bcrc.get_by_label("Approve and send").check()
    complete_task(bcrc)

    # The citizen reads the answer and rates it: the petition is closed.
    citizen.reload()
    expect(summary(citizen, "Status")).to_have_text("Answered")
    answer = citizen.get_by_role("region", name="The answer", exact=True)
    expect(answer).to_contain_text(ANSWER)
    survey = citizen.get_by_role("region", name="How satisfied are you with the answer?")
    expect(survey).to_be_visible()
    assert_accessible(citizen)
    survey.get_by_label("Rating").fill("5")
    survey.get_by_role("button", name="Send my rating").click()

    thanks = citizen.get_by_role("status").filter(has_text="Thank you for rating the answer.")
    expect(thanks).to_be_visible()
    expect(summary(citizen, "Status")).to_have_text("Closed")
    expect(citizen.get_by_text("Your rating: 5/5")).to_be_visible()
    expect(survey).to_have_count(0)
    expect(history.locator(".timeline__what")).to_have_text([
        f"Received by {bcrc_name}",
        "Accepted and assigned to Ministry of Health",
        "Answered",
        "You rated the answer",
        "Closed",
    ])
    citizen.get_by_role("link", name="My petitions").click()
    link = citizen.get_by_role("link", name=number, exact=True)
    row = citizen.get_by_role("row").filter(has=link)
    expect(row).to_contain_text("Closed")


@pytest.mark.parametrize(
    "path", ["/", "/petitions/new/complaint?lang=ar", "/petitions/new/complaint?lang=fr"]
)
def test_home_and_complaint_form_have_no_serious_accessibility_violations(
    page: Page, path: str
) -> None:
    if path != "/":
        log_in_demo(page, "citizen.leila@example.org")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_complaint_form_in_arabic_is_right_to_left_with_arabic_labels(
    page: Page, tmp_path: Path
) -> None:
    log_in_demo(page, "citizen.amira@example.org", language="ar")
    page.goto("/petitions/new/complaint")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_label("الموضوع")).to_be_visible()
    expect(page.get_by_label("الهيكل العمومي المعني")).to_contain_text("وزارة الصحة")

    screenshot = tmp_path / "complaint-ar.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
