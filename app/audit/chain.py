"""Appending events to the hash chain when their transaction commits.

``AuditLog.record`` only queues an event in ``session.info``; the session's ``before_commit``
hook flushes the caller's own changes, then locks the chain's head, links the queued events to
it and writes them (on PostgreSQL a single event and the head in one statement). The head row,
which every audited action of every host waits for, is so held for one or two statements and
the commit, instead of from the audit call through the rest of the request (engine save,
notification rendering). The chain is the same as when events were written at the call: each
row holds the hash of the one before it, and ids follow the chain, as they are taken under
the lock.

Events queued inside a savepoint that rolls back are dropped, and a transaction that ends
without committing drops them all: an undone change leaves no event, as before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64
QUEUE_KEY = "epeople.audit.queued"

# Built once: SQLAlchemy then reuses their cache keys, which cost more to make than to run.
_EVENTS = AuditEvent.__table__
_LOCK_HEAD = select(AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
_MOVE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(last_hash=bindparam("new_head"))
_APPEND = insert(_EVENTS)
_APPEND_ONE_AND_MOVE_HEAD = _MOVE_HEAD.add_cte(
    insert(_EVENTS).values({c.name: bindparam(c.name) for c in _EVENTS.columns if not c.primary_key})
    .cte("appended")
)


@dataclass(frozen=True)
class QueuedEvent:
    """An event's content, fixed when it was recorded; its place in the chain comes at commit."""

    created_at: datetime
    actor_id: int | None
    actor: str | None
    action: str
    target: str | None
    details: str
    ip: str | None


def digest(previous: str, event: QueuedEvent | AuditEvent) -> str:
    content = json.dumps(
        [previous, event.created_at.isoformat(), event.actor_id, event.actor, event.action,
         event.target, event.details, event.ip],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def attach(maker: sessionmaker[Any]) -> None:
    """Make every session of ``maker`` able to queue events, and append them at its commits.

    Attach after the notifier: this hook then runs last, and the head is not locked while
    messages are rendered."""
    maker.configure(info={**(maker.kw.get("info") or {}), QUEUE_KEY: None})
    event.listen(maker, "before_commit", append_queued)
    event.listen(maker, "after_soft_rollback", _drop_rolled_back)
    event.listen(maker, "after_transaction_end", _drop_all_at_end)


def queue(session: Session, item: QueuedEvent) -> None:
    """Queue ``item`` in the session's current transaction (the innermost savepoint, if any)."""
    if QUEUE_KEY not in session.info:
        # Fail loudly: nothing would append the event of a session the app did not make.
        raise RuntimeError("this session was not made by the app's Database: it cannot audit")
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    queued = session.info.get(QUEUE_KEY)
    if queued is None:
        queued = session.info[QUEUE_KEY] = []
    queued.append((transaction, item))


def append_queued(session: Session) -> None:
    """Chain and write the queued events now (the commit hook; tests call it to take the lock)."""
    queued: list[tuple[SessionTransaction, QueuedEvent]] = session.info.get(QUEUE_KEY) or []
    if not queued:
        return
    session.info[QUEUE_KEY] = None
    session.flush()  # the caller's changes first: they do not need the lock
    previous = _locked_last_hash(session)
    rows = []
    for _, item in queued:
        current = digest(previous, item)
        rows.append({**asdict(item), "previous_hash": previous, "hash": current})
        previous = current
    _write(session, rows, previous)


def _locked_last_hash(session: Session) -> str:
    found = _lock_head(session)
    if found is None:
        # The first event ever, and two transactions may both get here: the loser's insert
        # waits for the winner's, does nothing, and the loser then locks the winner's row.
        insert_ = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert_(AuditHead).values(id=1, last_hash=GENESIS).on_conflict_do_nothing())
        found = _lock_head(session)
    assert found is not None  # inserted above, by this transaction or the winner's
    return found


def _lock_head(session: Session) -> str | None:
    return session.scalar(_LOCK_HEAD)


def _write(session: Session, rows: list[dict[str, Any]], last_hash: str) -> None:
    if len(rows) == 1 and session.get_bind().dialect.name == "postgresql":
        # One round trip while the head is locked (one row only: SQLAlchemy does not cache the
        # compiled form of a many-row VALUES, and compiling costs more than the round trip).
        session.execute(_APPEND_ONE_AND_MOVE_HEAD, {**rows[0], "new_head": last_hash})
    else:
        session.execute(_APPEND, rows)  # in order: ids follow the chain
        session.execute(_MOVE_HEAD, {"new_head": last_hash})


def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back: forget the events recorded inside it."""
    queued: list[tuple[SessionTransaction, QueuedEvent]] | None = session.info.get(QUEUE_KEY)
    if queued:
        queued[:] = [(t, item) for t, item in queued if not _inside(t, previous)]


def _drop_all_at_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended: committed (the queue is empty) or not (it is dropped)."""
    if transaction.parent is None and session.info.get(QUEUE_KEY):
        session.info[QUEUE_KEY] = None


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
