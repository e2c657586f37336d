"""Trained routing models, one row per version.

Blobs are written only by ``RoutingService.train`` and read only from this table; they hold
numpy arrays loaded with ``allow_pickle=False`` (see ``app.routing.model``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class RoutingModelVersion(Base):
    __tablename__ = "routing_model_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    training_size: Mapped[int] = mapped_column(Integer)
    public_size: Mapped[int] = mapped_column(Integer)
    # JSON: bodies learned and the accuracy measured on the training set's held-out part.
    metrics: Mapped[str] = mapped_column(Text, default="{}")
    blob: Mapped[bytes] = mapped_column(LargeBinary)
