"""Petitions as citizens and staff see them: the record, its public timeline, its attachments.

The workflow instance decides what happens next; these tables keep what people read and search
(status, deadlines, the answer, the timeline) so pages never deserialize a workflow.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class PetitionType(enum.StrEnum):
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"
    GUIDANCE = "guidance"
    SUGGESTION = "suggestion"
    CORRUPTION = "corruption"


class Channel(enum.StrEnum):
    """How a petition reached the administration (shown in statistics and open data)."""

    WEB = "web"
    COUNTER = "counter"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    OPEN311 = "open311"


class Status(enum.StrEnum):
    """The public status: what the citizen sees, not the internal task."""

    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    INFORMATION_REQUESTED = "information_requested"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    ABANDONED = "abandoned"

    @property
    def is_final(self) -> bool:
        return self in (Status.CLOSED, Status.REJECTED, Status.ABANDONED)


# Petitions still waiting for an answer, as literal SQL: the partial index below is defined by
# it, and a query uses that index only when it states the same condition with the same
# constants (neither database proves it from bound parameters).
AWAITING_ANSWER = (
    "answered_at IS NULL AND status NOT IN ("
    + ", ".join(f"'{status.value}'" for status in Status if status.is_final)
    + ")"
)


class Petition(Base):
    __tablename__ = "petitions_petition"
    __table_args__ = (
        Index("ix_petitions_petition_citizen", "citizen_id", "created_at"),
        Index("ix_petitions_petition_office", "current_office", "status"),
        # "Overdue now" on the statistics pages: a few percent of all petitions, read with
        # everything the filters need (INCLUDE) so PostgreSQL never visits the table.
        Index(
            "ix_petitions_petition_awaiting_answer",
            "response_due_at",
            postgresql_where=text(AWAITING_ANSWER),
            sqlite_where=text(AWAITING_ANSWER),
            postgresql_include=["type", "channel", "competent_body", "current_office", "created_at"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Type-specific start-form fields (location, dates…), as JSON text.
    details: Mapped[str] = mapped_column(Text, default="{}")
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Assisted intake (app/petitions/intake.py): a citizen without an account who came in,
    # called or wrote is reached through these; ``contact_phone`` is kept in digits only.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    postal_address: Mapped[str | None] = mapped_column(Text)
    national_id: Mapped[str | None] = mapped_column(String(8))
    # Who registered it on the citizen's behalf, at which office (body code).
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    intake_body: Mapped[str | None] = mapped_column(String(64), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.WEB, server_default="web", index=True)
    # Corruption reports: HMAC of the receipt code (the code itself is shown once, never stored),
    # and the reporter's identity, visible only to the receiving unit.
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reporter_identity: Mapped[str | None] = mapped_column(Text)
    target_body: Mapped[str | None] = mapped_column(String(100))
    current_office: Mapped[str] = mapped_column(String(100))
    competent_body: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), index=True, default=Status.RECEIVED)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("engine_instance.id"), unique=True)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    open_question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Chosen by the office when validating: a published answer may be shown to other citizens
    # (without the petitioner's identity) once the petition is closed. Never for corruption reports.
    answer_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A petition closed as a duplicate points to the one kept.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("petitions_petition.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Indexed: the statistics refresh finds the petitions changed since its last run by it.
    # ``onupdate`` covers any change the services forget to stamp.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    merged_into: Mapped[Petition | None] = relationship(remote_side=[id])
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="petition", order_by="TimelineEntry.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="petition", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class TimelineEntry(Base):
    """One line of a petition's history; internal entries (comments) are never shown to citizens."""

    __tablename__ = "petitions_timeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions_petition.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    body: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    petition: Mapped[Petition] = relationship(back_populates="timeline")


class Attachment(Base):
    __tablename__ = "petitions_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions_petition.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    petition: Mapped[Petition] = relationship(back_populates="attachments")
