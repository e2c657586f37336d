"""Ties notifications to the transaction of the step that causes them.

A service reports a step (``timeline_entry``, ``task_assigned``); the notifier keeps it in
``session.info`` and renders its messages into the outbox in the session's ``before_commit``
hook. Rendering at commit rather than at the call sees the step complete: the deadline a
diagram just extended, the office a transfer just chose. Outbox rows are then flushed by that
same commit, so a rolled-back step leaves no message behind, and a committed one always has its
messages. Steps that are rolled back (also to a savepoint) are dropped from the queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.auth.models import User
from app.engine.models import HumanTask
from app.notifications import NOTIFIER_KEY
from app.notifications.citizens import citizen_messages
from app.notifications.models import OutboxMessage
from app.notifications.render import Renderer
from app.notifications.staff import task_assigned_messages
from app.petitions.models import Petition, TimelineEntry

PENDING_KEY = "epeople.notifications.pending"


class _Pending(Protocol):
    def alive(self, session: Session) -> bool:
        """False once the step was rolled back."""

    def messages(self, notifier: Notifier, session: Session) -> list[OutboxMessage]:
        """The rows to queue."""


@dataclass(frozen=True)
class _TimelineStep:
    petition: Petition
    entry: TimelineEntry

    def alive(self, session: Session) -> bool:
        return self.entry in session

    def messages(self, notifier: Notifier, session: Session) -> list[OutboxMessage]:
        return citizen_messages(notifier.renderer, session, self.petition, self.entry)


@dataclass(frozen=True)
class _TaskAssigned:
    """What the message needs, copied at the call: the task row may change before commit."""

    task_id: str
    task_title: str
    due_at: datetime | None
    petition: Petition
    assignee: User
    by_name: str

    def alive(self, session: Session) -> bool:
        # The assignment is a plain UPDATE: only an outer rollback (which clears the queue)
        # undoes it, so a queued assignment stays valid until then.
        return True

    def messages(self, notifier: Notifier, session: Session) -> list[OutboxMessage]:
        return task_assigned_messages(
            notifier.renderer, session, self.task_id, self.task_title, self.due_at, self.petition,
            self.assignee, self.by_name,
        )


class Notifier:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.renderer = Renderer(app)

    def attach(self, maker: sessionmaker[Any]) -> None:
        """Make every session of ``maker`` carry this notifier and run its commit hooks."""
        info = dict(maker.kw.get("info") or {})
        info[NOTIFIER_KEY] = self
        maker.configure(info=info)
        event.listen(maker, "before_commit", self._before_commit)
        event.listen(maker, "after_soft_rollback", self._after_soft_rollback)

    # What services call ----------------------------------------------------------------------
    def timeline_entry(self, session: Session, petition: Petition, entry: TimelineEntry) -> None:
        if entry.public:
            self._defer(session, _TimelineStep(petition, entry))

    def task_assigned(
        self, session: Session, task: HumanTask, petition: Petition, assignee: User, by: User
    ) -> None:
        if assignee.id != by.id:
            item = _TaskAssigned(task.id, task.title, task.due_at, petition, assignee, by.full_name)
            self._defer(session, item)

    # Session hooks -----------------------------------------------------------------------------
    def _defer(self, session: Session, item: _Pending) -> None:
        session.info.setdefault(PENDING_KEY, []).append(item)

    def _before_commit(self, session: Session) -> None:
        pending: list[_Pending] = session.info.pop(PENDING_KEY, [])
        items = [item for item in pending if item.alive(session)]
        if not items:
            return
        with self._app_context():
            for item in items:
                session.add_all(item.messages(self, session))

    def _after_soft_rollback(self, session: Session, previous: SessionTransaction) -> None:
        pending: list[_Pending] | None = session.info.get(PENDING_KEY)
        if not pending:
            return
        if previous.parent is None:
            session.info.pop(PENDING_KEY, None)
        else:
            pending[:] = [item for item in pending if item.alive(session)]

    @contextmanager
    def _app_context(self) -> Iterator[None]:
        """Rendering needs this app's context (translations, URLs); the timer worker's sessions
        may commit without one, e.g. when tests drive it directly."""
        if has_app_context() and current_app._get_current_object() is self.app:  # type: ignore[attr-defined]
            yield
        else:
            with self.app.app_context():
                yield
