"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent, AuditHead
from app.db import get_session, utcnow

GENESIS = "0" * 64


def _digest(previous: str, event: AuditEvent) -> str:
    content = json.dumps(
        [previous, event.created_at.isoformat(), event.actor_id, event.actor, event.action,
         event.target, event.details, event.ip],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _insert(session: Session) -> Any:
    """The database's own INSERT construct (both have ON CONFLICT DO NOTHING)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self, action: Action, *, target: str | None = None, details: dict[str, Any] | None = None,
        actor_id: int | None = None, actor: str | None = None, ip: str | None = None,
    ) -> AuditEvent:
        """Append one event in the caller's transaction (it commits or rolls back with the change)."""
        head = self._locked_head()
        if head is None:
            # The first event ever, and two requests may both get here: the loser's insert waits
            # for the winner's, does nothing, and the loser then locks the winner's row.
            first = _insert(self.session)(AuditHead).values(id=1, last_hash=GENESIS)
            self.session.execute(first.on_conflict_do_nothing())
            head = self._locked_head()
        assert head is not None  # inserted above, by this transaction or the winner's
        event = AuditEvent(
            created_at=utcnow(), actor_id=actor_id, actor=actor, action=str(action), target=target,
            details=json.dumps(details or {}, ensure_ascii=False, default=str, sort_keys=True), ip=ip,
            previous_hash=head.last_hash,
        )
        event.hash = _digest(head.last_hash, event)
        head.last_hash = event.hash
        self.session.add(event)
        self.session.flush()
        return event

    def _locked_head(self) -> AuditHead | None:
        return self.session.scalar(
            select(AuditHead).where(AuditHead.id == 1).with_for_update().execution_options(populate_existing=True)
        )

    def verify(self) -> list[str]:
        """Problems found walking the chain from the start; empty when intact."""
        problems = []
        previous = GENESIS
        for event in self.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if event.previous_hash != previous:
                problems.append(f"event {event.id}: the event before it was changed or deleted")
            if _digest(event.previous_hash, event) != event.hash:
                problems.append(f"event {event.id}: its content was changed")
            previous = event.hash
        head = self.session.get(AuditHead, 1)
        if head is not None and head.last_hash != previous:
            problems.append("the last events were deleted")
        return problems

    def recent(self, limit: int = 100, target: str | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if target is not None:
            query = query.where(AuditEvent.target == target)
        return list(self.session.scalars(query))


def audit(action: Action, target: str | None = None, **details: Any) -> AuditEvent:
    """Record ``action`` by the signed-in user of the current request."""
    user = current_user if has_request_context() and current_user.is_authenticated else None
    return AuditLog(get_session()).record(
        action, target=target, details=details,
        actor_id=user.id if user else None, actor=user.email if user else None,
        ip=request.remote_addr if has_request_context() else None,
    )
