"""Audit tables: the events and the head of the chain."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Action(enum.StrEnum):
    """Every audited action, in one place (as warehouse's events/tags.py)."""

    PROCESS_DEPLOYED = "process:version:deployed"
    PROCESS_DRAFT_SAVED = "process:draft:saved"
    FORM_SAVED = "process:form:saved"
    INSTANCE_MIGRATED = "petition:instance:migrated"
    INSTANCE_RETRIED = "petition:instance:retried"
    INSTANCE_SUSPENDED = "petition:instance:suspended"
    INSTANCE_RESUMED = "petition:instance:resumed"
    API_CLIENT_ISSUED = "api:client:issued"
    API_CLIENT_REVOKED = "api:client:revoked"
    PETITION_SUBMITTED = "petition:submitted"
    PETITION_REGISTERED = "petition:registered_by_agent"
    PETITION_CLAIMED = "petition:claimed"
    PERSONAL_DATA_PURGED = "petition:personal_data:purged"
    TASK_CLAIMED = "task:claimed"
    TASK_UNCLAIMED = "task:unclaimed"
    TASK_REASSIGNED = "task:reassigned"
    TASK_COMPLETED = "task:completed"
    ACCOUNT_DATA_EXPORTED = "account:data:exported"
    ACCOUNT_CLOSED = "account:closed"
    PASSWORD_RESET = "account:password:reset"
    ACCOUNT_OIDC_LINKED = "account:oidc:linked"
    ACCOUNT_OIDC_CREATED = "account:oidc:created"
    ACCOUNTS_MERGED = "account:merged"
    ROUTING_MODEL_TRAINED = "routing:model:trained"
    PETITION_MERGED = "petition:merged"


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str | None] = mapped_column(String(200), index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the hash of the last event. Locking it serializes appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
