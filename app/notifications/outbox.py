"""Writing to the outbox: a message is a row added to the caller's session, sent after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.notifications.models import Channel, OutboxMessage


def new_message(
    channel: Channel, kind: str, recipient: str, body: str, *, subject: str = "",
    dedupe_key: str | None = None, now: datetime | None = None,
) -> OutboxMessage:
    """A pending message, due at once (not yet added to any session)."""
    now = now or utcnow()
    return OutboxMessage(
        channel=channel, kind=kind, recipient=recipient, subject=subject[:300], body=body,
        dedupe_key=dedupe_key, created_at=now, attempts=0, next_attempt_at=now,
    )


class OutboxMailer:
    """A ``Mailer`` that queues instead of sending, in ``session``'s transaction.

    For code that sends mail from a request (password resets): with it, the mail leaves only if
    the request commits, and a mail server that is down cannot turn the request into an error.
    """

    def __init__(self, session: Session, kind: str = "mail") -> None:
        self.session = session
        self.kind = kind

    def send(self, to: str, subject: str, body: str) -> None:
        self.session.add(new_message(Channel.EMAIL, self.kind, to, body, subject=subject))


def purge_finished(session: Session, before: datetime) -> int:
    """Delete messages sent or given up before ``before`` (the caller commits).

    Their bodies hold names, addresses and petition texts: once delivered (or failed for good
    and not requeued by an operator) they are kept only ``OUTBOX_KEEP_DAYS`` for inquiries.
    """
    finished = or_(OutboxMessage.sent_at < before, OutboxMessage.failed_at < before)
    return session.execute(delete(OutboxMessage).where(finished)).rowcount


def forget_recipient(session: Session, addresses: list[str], replacement: str) -> int:
    """An account was closed: its unsent messages are dropped (nobody is to be told anything at
    those addresses any more) and the sent ones keep only their kind and dates. Returns how
    many messages were touched."""
    to_them = OutboxMessage.recipient.in_(addresses)
    dropped = session.execute(
        delete(OutboxMessage).where(to_them, OutboxMessage.sent_at.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    blanked = session.execute(
        update(OutboxMessage).where(to_them)
        .values(recipient=replacement, subject=replacement, body=replacement, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(dropped or 0) + int(blanked or 0)
