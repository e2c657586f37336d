"""Who may open a view: ``role_required`` and the safe ``next`` redirect check.

Every admin and staff view is decorated, so the check sits on the view and cannot be forgotten
in a branch of its body.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_login import current_user

from app.auth.models import STAFF_ROLES, Role

P = ParamSpec("P")
R = TypeVar("R")


def role_required(*roles: Role | str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let through only signed-in users with one of ``roles``.

    Anonymous visitors are sent to the login page (with ``next`` set, so they come back);
    a signed-in user with another role gets 403, since logging in again would not help.
    """
    allowed = frozenset(Role(role) for role in roles)
    if not allowed:
        raise ValueError("role_required needs at least one role")

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                response: R = current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
                return response
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_required(view: Callable[P, R]) -> Callable[P, R]:
    """Any staff role (agents, coordinators, administrators): the tasklist's gate."""
    return role_required(*STAFF_ROLES)(view)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Only relative paths starting with a single '/' pass: '//evil.example', '/\\evil.example',
    'https://…' and anything with control characters would let a link send a person who just
    logged in to another site.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
