"""Accounts: registration, login checks, password resets, staff creation and demo seeding.

Views stay thin and call one method each; the CLI and the seeding use the same methods, so
every rule (lower-case e-mail, staff need a body, argon2 rehash...) lives here once. Write
methods commit: each is one thing a person asked for.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask import url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.errors import (
    EmailTaken,
    InactiveAccount,
    InvalidAccountData,
    InvalidCredentials,
    InvalidResetToken,
    StaffBodyRequired,
)
from app.auth.models import STAFF_ROLES, Role, User
from app.auth.passwords import Passwords, ResetTokens, passwords, reset_tokens
from app.auth.validation import (
    check_password,
    clean_email,
    clean_language,
    clean_name,
    clean_national_id,
    clean_phone,
)
from app.db import utcnow
from app.i18n import DEFAULT_LANGUAGE
from app.notifications.mail import Mailer
from app.org.models import Body
from app.org.services import BodyService

LinkBuilder = Callable[[str], str]


def reset_link(token: str) -> str:
    """The absolute URL of the reset page (needs a request, or SERVER_NAME outside one)."""
    return url_for("auth.reset_password", token=token, _external=True)


class UserService:
    """Everything that creates, checks or changes an account.

    ``passwords`` and ``tokens`` default to the current app's (see ``app.auth.passwords``);
    pass them explicitly to use the service without an app context.
    """

    def __init__(
        self,
        session: Session,
        mailer: Mailer,
        *,
        passwords: Passwords | None = None,
        tokens: ResetTokens | None = None,
    ) -> None:
        self.session = session
        self.mailer = mailer
        self.passwords = passwords or _default_passwords()
        self._tokens = tokens

    @property
    def tokens(self) -> ResetTokens:
        if self._tokens is None:
            self._tokens = reset_tokens()
        return self._tokens

    # Queries ------------------------------------------------------------------------------

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def find_by_email(self, email: str) -> User | None:
        return self.session.scalars(select(User).where(User.email == email.strip().lower())).first()

    def list_staff(self, body: Body | None = None) -> Sequence[User]:
        """Staff accounts (every role but citizen), by body then name, for the admin list."""
        query = (
            select(User)
            .where(User.role.in_(sorted(STAFF_ROLES)))
            .order_by(User.body_id, User.full_name)
        )
        if body is not None:
            query = query.where(User.body_id == body.id)
        return self.session.scalars(query).all()

    # Creating accounts --------------------------------------------------------------------

    def register(
        self,
        *,
        email: str,
        full_name: str,
        password: str,
        phone: str | None = None,
        national_id: str | None = None,
        preferred_language: str = DEFAULT_LANGUAGE,
    ) -> User:
        """A citizen signs up. Raises ``EmailTaken`` or ``InvalidAccountData``."""
        return self._create(
            role=Role.CITIZEN,
            body=None,
            email=email,
            full_name=full_name,
            password=password,
            phone=phone,
            national_id=national_id,
            preferred_language=preferred_language,
        )

    def create_staff(
        self,
        *,
        email: str,
        full_name: str,
        role: Role | str,
        body: Body | None,
        password: str | None = None,
        phone: str | None = None,
        preferred_language: str = DEFAULT_LANGUAGE,
        link_for: LinkBuilder = reset_link,
    ) -> User:
        """An administrator (or the CLI) opens a staff account.

        Without ``password`` the account gets a random one and the person is mailed a link to
        choose their own, so the administrator never knows it.
        """
        role = _clean_role(role)
        if not role.is_staff:
            raise InvalidAccountData("role", _l("Choose a staff role."))
        invite = password is None
        user = self._create(
            role=role,
            body=body,
            email=email,
            full_name=full_name,
            password=password or secrets.token_urlsafe(32),
            phone=phone,
            national_id=None,
            preferred_language=preferred_language,
        )
        if invite:
            self._send_reset_mail(user, link_for, welcome=True)
        return user

    def deactivate(self, user: User) -> User:
        """Refuse future logins and end current sessions (the user loader drops inactive users)."""
        user.is_active = False
        self.session.commit()
        return user

    # Logging in ---------------------------------------------------------------------------

    def authenticate(self, email: str, password: str) -> User:
        """The account for these credentials, or ``InvalidCredentials`` (same for both causes).

        A successful login upgrades a hash made with older argon2 parameters and records the
        time of the login.
        """
        user = self.find_by_email(email)
        if user is None:
            self.passwords.burn(password)
            raise InvalidCredentials()
        if not self.passwords.verify(user.password_hash, password):
            raise InvalidCredentials()
        if not user.is_active:
            raise InactiveAccount()
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        user.last_login_at = utcnow()
        self.session.commit()
        return user

    # Password reset -----------------------------------------------------------------------

    def request_password_reset(self, email: str, link_for: LinkBuilder = reset_link) -> None:
        """Mail a reset link if an active account has this address; otherwise do nothing.

        The caller answers the same way in both cases, so the form reveals no accounts.
        """
        user = self.find_by_email(email)
        if user is not None and user.is_active:
            self._send_reset_mail(user, link_for, welcome=False)

    def user_for_reset_token(self, token: str) -> User:
        """The account a reset link is for, or ``InvalidResetToken`` (used, expired, forged)."""
        user_id = ResetTokens.claimed_user_id(token)
        user = self.get(user_id) if user_id is not None else None
        if user is None or not user.is_active:
            raise InvalidResetToken("invalid")
        problem = self.tokens.check(token, user.id, user.password_hash)
        if problem is not None:
            raise InvalidResetToken(problem)
        return user

    def reset_password(self, token: str, new_password: str) -> User:
        """Set a new password; the new hash changes the token salt, so the link dies with it."""
        user = self.user_for_reset_token(token)
        user.password_hash = self.passwords.hash(check_password(new_password))
        self.session.commit()
        return user

    # Demo data ----------------------------------------------------------------------------

    def seed_demo(self, path: str | Path) -> int:
        """Create the accounts of a demo JSON file that do not exist yet; return how many.

        Idempotent (matched by e-mail). Bodies are named by code and must exist already
        (``BodyService.seed`` first).
        """
        document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        bodies = BodyService(self.session)
        created = 0
        for entry in document["users"]:
            if self.find_by_email(entry["email"]) is not None:
                continue
            body = bodies.get_by_code(entry["body"]) if entry.get("body") else None
            self._create(
                role=_clean_role(entry["role"]),
                body=body,
                email=entry["email"],
                full_name=entry["full_name"],
                password=entry["password"],
                phone=entry.get("phone"),
                national_id=entry.get("national_id"),
                preferred_language=entry.get("preferred_language", DEFAULT_LANGUAGE),
            )
            created += 1
        return created

    # Internals ----------------------------------------------------------------------------

    def _create(
        self,
        *,
        role: Role,
        body: Body | None,
        email: str,
        full_name: str,
        password: str,
        phone: str | None,
        national_id: str | None,
        preferred_language: str,
    ) -> User:
        _check_body(role, body)
        user = User(
            email=clean_email(email),
            full_name=clean_name(full_name),
            phone=clean_phone(phone),
            national_id=clean_national_id(national_id),
            preferred_language=clean_language(preferred_language),
            role=role,
            body=body,
            is_active=True,
        )
        password = check_password(password)
        if self.find_by_email(user.email) is not None:
            raise EmailTaken()
        user.password_hash = self.passwords.hash(password)
        self.session.add(user)
        self.session.commit()
        return user

    def _send_reset_mail(self, user: User, link_for: LinkBuilder, *, welcome: bool) -> None:
        link = link_for(self.tokens.make(user.id, user.password_hash))
        hours = max(1, self.tokens.max_age // 3600)
        with force_locale(user.preferred_language):
            if welcome:
                subject = gettext("Your ePeople staff account")
                intro = gettext("An account was opened for you on ePeople. Choose your password:")
            else:
                subject = gettext("Reset your ePeople password")
                intro = gettext(
                    "Someone asked to reset the password of this account. "
                    "To choose a new one, open:"
                )
            body = "\n\n".join(
                [
                    gettext("Hello %(name)s,", name=user.full_name),
                    intro,
                    link,
                    gettext(
                        "The link works once, for %(hours)d hour(s). "
                        "If you did not ask for it, ignore this message.",
                        hours=hours,
                    ),
                ]
            )
        self.mailer.send(user.email, subject, body)


def _default_passwords() -> Passwords:
    return passwords()


def _clean_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidAccountData("role", _l("Unknown role.")) from None


def _check_body(role: Role, body: Body | None) -> None:
    if role.needs_body and body is None:
        raise StaffBodyRequired("body", _l("Choose the public body this person works for."))
    if role is Role.CITIZEN and body is not None:
        raise StaffBodyRequired("body", _l("A citizen does not belong to a public body."))
    if body is not None and not body.is_active:
        raise InvalidAccountData("body", _l("This public body is deactivated."))
