"""The outbox: every e-mail and SMS is a row written in the transaction of the step that caused
it, so a rolled-back step sends nothing and a committed one is never forgotten."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxMessage(Base):
    """One message to one recipient, rendered in the recipient's language when it was queued.

    Life cycle: pending (``next_attempt_at`` set) → sent (``sent_at``), or after
    ``OUTBOX_MAX_ATTEMPTS`` failures → failed (``failed_at``), kept for an operator, who can
    queue it again (``flask epeople outbox --retry-failed``). ``next_attempt_at`` is cleared
    when a message leaves the pending state, so the worker's index only holds pending rows.
    """

    __tablename__ = "notifications_outbox"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        Index("ix_notifications_outbox_due", "next_attempt_at", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    # What caused it (a timeline kind, "task_assigned", "overdue_digest"): for operators and tests.
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    # Set for messages that must exist at most once (the daily digest: user and day).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.kind}>"


class PetitionLanguage(Base):
    """The language a petition without an account was submitted in: its later messages use it.

    Citizens with an account get their ``preferred_language`` instead, read when each message
    is queued, so changing it takes effect at once.
    """

    __tablename__ = "notifications_petition_language"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions_petition.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5))
