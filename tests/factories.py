"""Plain factory functions with defaults: tests say only what matters to them.

They insert rows directly (hashing with the app's cheap test parameters) instead of going
through the services, so a test of a service never depends on that same service to set up.
"""

from __future__ import annotations

import itertools
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.auth.passwords import Passwords
from app.org.models import Body, BodyKind

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
# Cheap parameters, as in config/testing.py; any argon2 hash verifies whatever the parameters.
_passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def make_body(session: Session, **overrides: Any) -> Body:
    """A committed active ministry with a unique code and names in the three languages."""
    n = next(_counter)
    fields: dict[str, Any] = {
        "code": f"body-{n}",
        "kind": BodyKind.MINISTRY,
        "name_en": f"Ministry {n}",
        "name_fr": f"Ministère {n}",
        "name_ar": f"وزارة {n}",
        "is_active": True,
    }
    fields.update(overrides)
    body = Body(**fields)
    session.add(body)
    session.commit()
    return body


def make_user(
    session: Session,
    role: Role | str = Role.CITIZEN,
    body: Body | None = None,
    password: str = DEFAULT_PASSWORD,
    **overrides: Any,
) -> User:
    """A committed active user; staff roles that need a body get a new one unless given."""
    role = Role(role)
    if body is None and role.needs_body:
        body = make_body(session)
    n = next(_counter)
    fields: dict[str, Any] = {
        "email": f"user{n}@example.org",
        "full_name": f"User {n}",
        "role": role,
        "body": body,
        "password_hash": _passwords.hash(password),
        "is_active": True,
        "preferred_language": "en",
    }
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    session.commit()
    return user
