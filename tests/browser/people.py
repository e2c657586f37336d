"""The people of the browser journeys: demo accounts (``config/demo/users.json``) and logging in."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

DEMO_USERS = Path(__file__).resolve().parents[2] / "config" / "demo" / "users.json"


def demo_user(email: str) -> dict[str, str]:
    users: list[dict[str, str]] = json.loads(DEMO_USERS.read_text(encoding="utf-8"))["users"]
    return next(user for user in users if user["email"] == email)


def log_in(page: Page, email: str, password: str, *, language: str | None = None) -> None:
    """Log in through the form. ``language`` picks the page language first (the language
    switcher's ``?lang=``), which the session keeps after logging in."""
    page.goto(f"/login?lang={language}" if language else "/login")
    # By name, not by label: the labels are in the page's language.
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()


def log_in_demo(page: Page, email: str, *, language: str | None = "en") -> dict[str, str]:
    """Log in as a demo account and check it worked; English by default, since several demo
    staff prefer Arabic or French and the journeys read English labels."""
    user = demo_user(email)
    log_in(page, email, user["password"], language=language)
    expect(page.locator(".site-header .account-name")).to_have_text(user["full_name"])
    return user
