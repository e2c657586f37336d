"""Recording events in the audit chain and verifying it (appending: ``chain.py``)."""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, QueuedEvent, digest, queue
from app.audit.models import Action, AuditEvent, AuditHead
from app.db import get_session, utcnow


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self, action: Action, *, target: str | None = None, details: dict[str, Any] | None = None,
        actor_id: int | None = None, actor: str | None = None, ip: str | None = None,
    ) -> None:
        """Record one event in the caller's transaction: it is appended to the chain when that
        transaction commits, and never if it rolls back."""
        queue(self.session, QueuedEvent(
            created_at=utcnow(), actor_id=actor_id, actor=actor, action=str(action), target=target,
            details=json.dumps(details or {}, ensure_ascii=False, default=str, sort_keys=True), ip=ip,
        ))

    def verify(self) -> list[str]:
        """Problems found walking the chain from the start; empty when intact."""
        problems = []
        previous = GENESIS
        for event in self.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if event.previous_hash != previous:
                problems.append(f"event {event.id}: the event before it was changed or deleted")
            if digest(event.previous_hash, event) != event.hash:
                problems.append(f"event {event.id}: its content was changed")
            previous = event.hash
        last_hash = self.session.scalar(select(AuditHead.last_hash).where(AuditHead.id == 1))
        if last_hash is not None and last_hash != previous:
            problems.append("the last events were deleted")
        return problems

    def recent(self, limit: int = 100, target: str | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if target is not None:
            query = query.where(AuditEvent.target == target)
        return list(self.session.scalars(query))


def audit(action: Action, target: str | None = None, **details: Any) -> None:
    """Record ``action`` by the signed-in user of the current request."""
    user = current_user if has_request_context() and current_user.is_authenticated else None
    AuditLog(get_session()).record(
        action, target=target, details=details,
        actor_id=user.id if user else None, actor=user.email if user else None,
        ip=request.remote_addr if has_request_context() else None,
    )
