"""Drafts of routing diagrams: saved while editing, deployed (as a new version) when ready."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class ProcessDraft(Base):
    """The latest draft of a process, one per process id; not validated, never run."""

    __tablename__ = "admin_process_draft"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
