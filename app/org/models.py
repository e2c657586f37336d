"""Public bodies: the ministries, governorates, municipalities and agencies petitions go to.

Relations offices are not a table of their own. Decree 1242 of 2019 gives every public body
one relations office (BRC), and the central office (BCRC) is itself a body of kind
``central_office``; so a body *is* its relations office, and the office's people are the users
of that body whose role is ``relations_agent``. This keeps routing to "the body's office" a
plain ``body_id`` and avoids a second hierarchy that would always mirror the first.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class BodyKind(enum.StrEnum):
    """What sort of public body this is; drives grouping in lists and default deadlines later."""

    CENTRAL_OFFICE = "central_office"
    MINISTRY = "ministry"
    GOVERNORATE = "governorate"
    MUNICIPALITY = "municipality"
    AGENCY = "agency"
    # A digital service house (about 70 in Tunisia): citizens walk in and its agents register
    # petitions for the offices of other bodies; it handles none itself.
    SERVICE_HOUSE = "service_house"


class Body(Base):
    """A public body and, at the same time, its relations office (see the module docstring).

    ``parent_id`` links a unit to the body it belongs to (a ministry's directorates, a
    governorate's delegations). Bodies are deactivated, never deleted, because petitions and
    staff accounts keep pointing at them.
    """

    __tablename__ = "org_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[BodyKind] = mapped_column(
        Enum(
            BodyKind,
            name="kind",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        )
    )
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_body.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Body | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Body]] = relationship(back_populates="parent")

    def display_name(self, locale: str | None) -> str:
        """The name in ``locale`` ('ar', 'fr', 'en', or a longer tag such as 'ar_TN').

        Anything else falls back to English, the default language of the interface.
        """
        language = (locale or "en")[:2].lower()
        if language == "ar":
            return self.name_ar
        if language == "fr":
            return self.name_fr
        return self.name_en

    @property
    def is_central_office(self) -> bool:
        return self.kind is BodyKind.CENTRAL_OFFICE

    def __repr__(self) -> str:
        return f"<Body {self.code}>"
