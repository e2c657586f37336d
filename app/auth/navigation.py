"""Links that depend on which blueprints exist and on who is signed in.

Other packages (petitions, tasks, admin) add their blueprints in their own time; the layout and
the post-login redirect ask for endpoints by name and simply skip the ones not registered yet,
so the site never breaks because a link's target is missing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for

from app.auth.models import Role, User

# The endpoints the layout links to; owned by other packages (see each package's views).
HOME = "petitions.home"
SUBMIT = "petitions.submit"
MY_PETITIONS = "petitions.mine"
TASKS = "tasks.index"
ADMIN = ("admin_home.index", "org.list_bodies")


def nav_url(endpoint: str, **values: Any) -> str | None:
    """The URL of ``endpoint``, or None while no blueprint provides it."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def first_url(*endpoints: str) -> str | None:
    """The URL of the first registered endpoint among ``endpoints``."""
    for endpoint in endpoints:
        url = nav_url(endpoint)
        if url is not None:
            return url
    return None


def landing_url(user: User | None = None) -> str:
    """Where a person lands after logging in: their daily work page, else home, else '/'."""
    if user is None:
        endpoints: tuple[str, ...] = (HOME,)
    elif user.role is Role.ADMIN:
        endpoints = (*ADMIN, TASKS, HOME)
    elif user.is_staff:
        endpoints = (TASKS, HOME)
    else:
        endpoints = (MY_PETITIONS, HOME)
    return first_url(*endpoints) or "/"


def _template_context() -> dict[str, Any]:
    return {"nav_url": nav_url, "first_url": first_url, "Role": Role}


def init_app(app: Flask) -> None:
    app.context_processor(_template_context)
