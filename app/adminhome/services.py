"""The counts on the admin home page: a handful of ``COUNT(*)`` queries, nothing cached.

Each is one indexed or small-table count, cheap enough to run on every visit of the page.
Open tasks and incidents are read from the engine's projection tables, never from workflow
state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.auth.models import STAFF_ROLES, User
from app.db import Base
from app.engine.models import HumanTask, Incident
from app.org.models import Body
from app.petitions.models import Petition, Status


@dataclass(frozen=True)
class AdminCounts:
    active_bodies: int
    active_staff: int
    open_tasks: int
    overdue_tasks: int
    open_incidents: int
    # Every known status in lifecycle order (zero when none), then any other stored value.
    petitions_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def petitions(self) -> int:
        return sum(self.petitions_by_status.values())


def _count(session: Session, model: type[Base], *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def admin_counts(session: Session, now: datetime | None = None) -> AdminCounts:
    """What the administrator should know at a glance; ``now`` decides what is overdue."""
    now = now or datetime.now(timezone.utc)
    rows = session.execute(select(Petition.status, func.count()).group_by(Petition.status))
    stored = {status: number for status, number in rows}
    by_status = {status.value: stored.pop(status.value, 0) for status in Status}
    by_status.update(sorted(stored.items()))
    return AdminCounts(
        active_bodies=_count(session, Body, Body.is_active.is_(True)),
        active_staff=_count(
            session, User, User.role.in_(sorted(STAFF_ROLES)), User.is_active.is_(True)
        ),
        open_tasks=_count(session, HumanTask),
        overdue_tasks=_count(session, HumanTask, HumanTask.due_at < now),
        open_incidents=_count(session, Incident, Incident.resolved_at.is_(None)),
        petitions_by_status=by_status,
    )
