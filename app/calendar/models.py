"""Public holidays: the days that are not working days besides Saturdays and Sundays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Holiday(Base):
    """One public holiday (fixed-date ones are seeded; moving Islamic ones are added by admins)."""

    __tablename__ = "calendar_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name_en: Mapped[str] = mapped_column(String(200), default="")
    name_fr: Mapped[str] = mapped_column(String(200), default="")
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, locale: str = "en") -> str:
        """The name in ``locale`` (ar, fr, en), falling back to any name that is set."""
        names = {"en": self.name_en, "fr": self.name_fr, "ar": self.name_ar}
        return names.get(locale) or self.name_en or self.name_fr or self.name_ar or self.day.isoformat()

    def __repr__(self) -> str:
        return f"<Holiday {self.day.isoformat()} {self.name_en!r}>"
