"""People: citizens with an account, and staff of public bodies.

One table for both, told apart by ``role``: a citizen who later joins a relations office keeps
one login, and every foreign key to "who did this" points at the same place.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.org.models import Body


class Role(enum.StrEnum):
    """What a person may do (see design.md, "Who uses it").

    Stored by value, so the strings are part of the schema: rename a member, never its value.
    """

    CITIZEN = "citizen"
    RELATIONS_AGENT = "relations_agent"
    BODY_AGENT = "body_agent"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.CITIZEN

    @property
    def needs_body(self) -> bool:
        """Agents and coordinators work for one body; an administrator may belong to none, so
        the very first admin can be created before any body exists."""
        return self in BODY_ROLES


STAFF_ROLES: frozenset[Role] = frozenset(role for role in Role if role is not Role.CITIZEN)
BODY_ROLES: frozenset[Role] = frozenset({Role.RELATIONS_AGENT, Role.BODY_AGENT, Role.COORDINATOR})


class User(UserMixin, Base):
    """An account. ``email`` is stored lower-case, so lookups are a plain equality.

    The rule "staff of a body have a ``body_id``, citizens have none" is enforced by
    ``UserService`` (it depends on the role, and the message must reach the admin form).
    """

    __tablename__ = "auth_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    national_id: Mapped[str | None] = mapped_column(String(8))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda roles: [role.value for role in roles],
        ),
        default=Role.CITIZEN,
    )
    body_id: Mapped[int | None] = mapped_column(ForeignKey("org_body.id"), index=True)
    # Flask-Login reads ``is_active``: an inactive account cannot log in or stay logged in.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    body: Mapped[Body | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class OidcLink(Base):
    """An account reachable through an OpenID Connect provider: (issuer, subject) → user.

    The subject is the provider's stable identifier of the person; e-mail addresses change,
    so after the first sign-in the link, not the address, finds the account.
    """

    __tablename__ = "auth_oidc_link"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
