"""Tables of the engine: specs stored once, immutable versions, lean instance state, and the
projections (human tasks, due timers, incidents, history) that let the rest of the app query
without ever deserializing a workflow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class SpecBlob(Base):
    """A serialized process spec (with its subprocess specs), stored once per content hash.

    Kept as TEXT, never jsonb: SpiffWorkflow's restore depends on key order.
    """

    __tablename__ = "engine_spec_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    spec_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessVersion(Base):
    """One deployed, immutable version of a process definition."""

    __tablename__ = "engine_process_version"
    __table_args__ = (
        UniqueConstraint("process_id", "version", name="uq_engine_process_version_number"),
        UniqueConstraint("process_id", "bpmn_sha256", name="uq_engine_process_version_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(500))
    start_form: Mapped[str | None] = mapped_column(String(300))
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    bpmn_sha256: Mapped[str] = mapped_column(String(64))
    spec_sha256: Mapped[str] = mapped_column(ForeignKey("engine_spec_blob.sha256"))
    deployed_by: Mapped[str | None] = mapped_column(String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_OPEN_INSTANCE = text("status <> 'completed'")
_OPEN_INCIDENT = text("resolved_at IS NULL")


class ProcessInstance(Base):
    """A running (or finished) workflow: its lean state and the revision used for locking."""

    __tablename__ = "engine_instance"
    # Admin pages count and list the unfinished instances of a version; with millions of
    # finished ones, only a partial index keeps that proportional to the unfinished.
    __table_args__ = (
        Index("ix_engine_instance_open", "version_id", "id",
              postgresql_where=_OPEN_INSTANCE, sqlite_where=_OPEN_INSTANCE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("engine_process_version.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    serializer_version: Mapped[str] = mapped_column(String(20))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    started_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HumanTask(Base):
    """A READY user task, projected from the workflow in the same transaction as its state."""

    __tablename__ = "engine_human_task"
    __table_args__ = (
        Index("ix_engine_human_task_queue", "body", "lane", "due_at"),
        Index("ix_engine_human_task_assignee", "assignee", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("engine_instance.id", ondelete="CASCADE"), index=True
    )
    process_id: Mapped[str] = mapped_column(String(200))
    task_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(300))
    assignee: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DueTimer(Base):
    """A timer event that is waiting; the worker claims due rows under a lease."""

    __tablename__ = "engine_due_timer"
    __table_args__ = (Index("ix_engine_due_timer_due", "due_at", "lease_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("engine_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(Base):
    """A step that failed (script, condition, timer expression); open until retried."""

    __tablename__ = "engine_incident"
    __table_args__ = (
        Index("ix_engine_incident_open", "instance_id",
              postgresql_where=_OPEN_INCIDENT, sqlite_where=_OPEN_INCIDENT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("engine_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(200))
    error_type: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    line_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstanceEvent(Base):
    """The history of an instance: one row per step, with who did it and what data changed."""

    __tablename__ = "engine_instance_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("engine_instance.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(200))
    data_diff: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
