"""Which staff may see a petition: those of a body it is routed to, and administrators.

Used for attachments and task pages, so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from app.auth.models import Role
from app.db import get_session
from app.engine.models import HumanTask
from app.petitions.models import Petition


def can_see_as_staff(user: Any, petition: Petition) -> bool:
    if not user.is_authenticated or not user.is_staff:
        return False
    if user.role == Role.ADMIN:
        return True
    code = user.body.code if user.body is not None else None
    if code is None:
        return False
    if code in (petition.current_office, petition.competent_body):
        return True
    if petition.instance_id is None:
        return False
    query = select(
        exists().where(HumanTask.instance_id == petition.instance_id, HumanTask.body == code)
    )
    return bool(get_session().scalar(query))
