"""Admin views, by sub-area: processes (list, versions, editor, deploy), migration,
operations (cockpit), forms (JSON Schema editing)."""

from __future__ import annotations

from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required

admin_required = role_required(Role.ADMIN)


def actor() -> str:
    return f"user:{current_user.id}"
