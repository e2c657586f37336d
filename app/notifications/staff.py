"""What staff are told: a task someone assigned to them (the daily digest is ``digest.py``).

Staff messages name the petition by tracking number and link to the tasklist, where access is
checked; a corruption report's subject stays out of mailboxes, and no message ever carries a
reporter's identity or internal comments.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.models import User
from app.notifications.models import Channel, OutboxMessage
from app.notifications.outbox import new_message
from app.notifications.render import Renderer, language_or_default
from app.petitions.models import Petition, PetitionType


def shown_subject(petition: Petition) -> str | None:
    """The petition's subject as staff mail may show it (never a corruption report's)."""
    return None if petition.type == PetitionType.CORRUPTION else petition.subject


def task_assigned_messages(
    renderer: Renderer, session: Session, task_id: str, task_title: str, due_at: datetime | None,
    petition: Petition, assignee: User, by_name: str,
) -> list[OutboxMessage]:
    if not assignee.is_active:
        return []
    subject, body = renderer.email(
        "task_assigned", language_or_default(assignee.preferred_language),
        name=assignee.full_name, by=by_name, task=task_title, number=petition.tracking_number,
        subject=shown_subject(petition), due=due_at,
        link=renderer.url("tasks.detail", task_id=task_id),
    )
    return [new_message(Channel.EMAIL, "task_assigned", assignee.email, body, subject=subject)]
