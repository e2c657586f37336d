"""Account journeys in a real browser: register, log out, log in, wrong password; axe scans."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_accessibility, describe
from tests.browser.people import demo_user, log_in

pytestmark = pytest.mark.browser


def test_citizen_registers_logs_out_and_logs_in_again_seeing_their_name(
    page: Page, unique_email: Callable[[str], str]
) -> None:
    email, password, name = unique_email("salma"), "a long enough password", "Salma Trabelsi"
    page.goto("/register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Preferred language").select_option("fr")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Create my account").click()

    # Salma chose French: once she is signed in, the pages are in French.
    header = page.locator(".site-header")
    expect(page.get_by_role("status")).to_contain_text(f"Bienvenue, {name}")
    expect(header.locator(".account-name")).to_have_text(name)

    header.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    expect(header.locator(".account-name")).to_have_count(0)

    log_in(page, email, password)
    expect(page.get_by_role("status")).to_have_text("Vous êtes connecté.")
    expect(header.locator(".account-name")).to_have_text(name)


def test_login_shows_error_and_stays_logged_out_when_password_is_wrong(page: Page) -> None:
    leila = demo_user("citizen.leila@example.org")
    log_in(page, leila["email"], "not-her-password")

    expect(page.get_by_role("alert")).to_have_text("Invalid e-mail address or password.")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator(".site-header .account-name")).to_have_count(0)


@pytest.mark.parametrize("path", ["/login", "/register", "/register?lang=ar"])
def test_account_page_has_no_serious_accessibility_violations(page: Page, path: str) -> None:
    page.goto(path)
    violations = check_accessibility(page)
    assert violations == [], describe(violations)


def test_register_form_with_errors_has_no_serious_accessibility_violations(page: Page) -> None:
    page.goto("/register")
    page.get_by_label("Full name").fill("Salma Trabelsi")
    page.get_by_label("E-mail address").fill("salma@example.org")
    page.get_by_label("National identity card number (optional)").fill("123")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat the password").fill("another long password")
    page.get_by_role("button", name="Create my account").click()
    # Checked by the server (the browser enforces only required, type and length).
    expect(page.get_by_text("Exactly 8 digits.")).to_be_visible()
    expect(page.get_by_text("The passwords differ.")).to_be_visible()

    violations = check_accessibility(page)
    assert violations == [], describe(violations)


def test_register_page_in_arabic_is_right_to_left(page: Page, tmp_path: Path) -> None:
    page.goto("/register?lang=ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")

    screenshot = tmp_path / "register-ar.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
