"""API clients: the applications (a city's app, a partner portal) allowed to submit through Open311.

The key itself is never stored: only its SHA-256 (a key is 32 random bytes, so a fast hash is
enough: there is nothing to guess offline) and its first characters, which let an
administrator tell keys apart in the list and in logs without being able to use them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

KEY_PREFIX_LENGTH = 8


class ApiClient(Base):
    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(KEY_PREFIX_LENGTH), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiClient {self.key_prefix} {self.name!r}>"
