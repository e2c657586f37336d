"""The daily digest of overdue tasks, one e-mail per member of staff who has any.

A task is overdue when its due date has passed; each agent or coordinator gets the overdue
tasks their tasklist shows them (``visible_to``: their body's tasks on their role's lane, so a
coordinator sees the escalations the timer worker opened). Administrators get none: they see
every body's tasks and follow them from the statistics.

The operator schedules ``flask epeople notify-overdue`` once a day. It is idempotent per day:
each digest has the outbox ``dedupe_key`` ``overdue_digest:<user id>:<day>``, so a second run
(or two at once) on the same day queues nothing new, and each user's digest is its own
transaction, so a run that stopped half-way is completed by the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import BODY_ROLES, User
from app.db import Database, utcnow
from app.engine.models import HumanTask
from app.notifications.models import Channel, OutboxMessage
from app.notifications.outbox import new_message
from app.notifications.render import Renderer, language_or_default
from app.notifications.staff import shown_subject
from app.petitions.models import Petition
from app.tasks.services import visible_to

# Longer lists are cut (the link opens the full overdue list).
MAX_LISTED = 50


@dataclass
class DigestReport:
    queued: int = 0
    already_queued: int = 0
    nothing_overdue: int = 0


@dataclass(frozen=True)
class OverdueLine:
    number: str | None
    task: str
    subject: str | None
    due: datetime
    days_late: int


def digest_key(user_id: int, day: date) -> str:
    return f"overdue_digest:{user_id}:{day.isoformat()}"


class OverdueDigest:
    """Queues the day's digests; run it inside an app context (rendering needs it)."""

    def __init__(self, db: Database, renderer: Renderer) -> None:
        self.db = db
        self.renderer = renderer

    def run(self, day: date, now: datetime | None = None) -> DigestReport:
        now = now or utcnow()
        report = DigestReport()
        with self.db.session() as session:
            user_ids = list(
                session.scalars(
                    select(User.id)
                    .where(User.role.in_(BODY_ROLES), User.is_active.is_(True))
                    .where(User.body_id.is_not(None))
                    .order_by(User.id)
                )
            )
        for user_id in user_ids:
            with self.db.session() as session:
                try:
                    with session.begin():
                        outcome = self._queue(session, user_id, day, now)
                except IntegrityError:  # another run queued it meanwhile
                    outcome = "already_queued"
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    def _queue(self, session: Session, user_id: int, day: date, now: datetime) -> str:
        key = digest_key(user_id, day)
        if session.scalar(select(exists().where(OutboxMessage.dedupe_key == key))):
            return "already_queued"
        user = session.get(User, user_id)
        if user is None or user.body is None:
            return "nothing_overdue"
        rows = session.execute(
            select(HumanTask, Petition)
            .join(Petition, Petition.instance_id == HumanTask.instance_id)
            .where(visible_to(user), HumanTask.due_at < now)
            .order_by(HumanTask.due_at, HumanTask.id)
        ).all()
        if not rows:
            return "nothing_overdue"
        lines = []
        for task, petition in rows[:MAX_LISTED]:
            # The query kept dated tasks only.
            due: datetime = task.due_at  # type: ignore[assignment]
            lines.append(OverdueLine(petition.tracking_number, task.title, shown_subject(petition),
                                     due, max((now - due).days, 0)))
        language = language_or_default(user.preferred_language)
        subject, body = self.renderer.email(
            "overdue_digest", language, name=user.full_name, count=len(rows), lines=lines,
            more=len(rows) - len(lines), body_name=user.body.display_name(language),
            link=self.renderer.url("tasks.index", overdue=1),
        )
        session.add(new_message(Channel.EMAIL, "overdue_digest", user.email, body, subject=subject,
                                dedupe_key=key, now=now))
        return "queued"
