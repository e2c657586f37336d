"""Password hashing with argon2id (argon2-cffi), and the tokens that reset a password.

Both are built once per app from settings (``ARGON2_PARAMETERS``, ``SECRET_KEY``,
``PASSWORD_RESET_MAX_AGE``) and kept in ``app.extensions``; services receive them, so tests can
use cheap argon2 parameters and scripts can run without a request.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PASSWORD_MIN_LENGTH = 10
# argon2 hashes any length, but an unbounded input is a cheap way to burn our CPU.
PASSWORD_MAX_LENGTH = 128
RESET_SALT = "epeople.password-reset"


class Passwords:
    """Hash, verify and tell when a stored hash uses outdated argon2 parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; a malformed stored hash counts as no match."""
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True after the parameters were raised: rehash at the next successful login."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        """Spend the time of one verification, so an unknown e-mail answers as slowly as a
        known one and response times do not reveal which accounts exist."""
        self.verify(self._dummy_hash, password)

    @property
    def _dummy_hash(self) -> str:
        if not hasattr(self, "_dummy"):
            self._dummy = self.hasher.hash("not-a-real-password")
        return self._dummy


class ResetTokens:
    """Signed, timed password-reset tokens.

    The signing salt includes the user's current password hash, so a token stops working as
    soon as the password changes: each token is single-use without storing anything.
    """

    def __init__(self, secret_key: str, max_age: int = 3600) -> None:
        self.secret_key = secret_key
        self.max_age = max_age

    def _serializer(self, password_hash: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=f"{RESET_SALT}:{password_hash}")

    def make(self, user_id: int, password_hash: str) -> str:
        return self._serializer(password_hash).dumps(user_id)

    @staticmethod
    def claimed_user_id(token: str) -> int | None:
        """The user id a token names, *unverified*: only used to find whose hash to check."""
        _valid, payload = URLSafeTimedSerializer("unused").loads_unsafe(token)
        return payload if isinstance(payload, int) and not isinstance(payload, bool) else None

    def check(self, token: str, user_id: int, password_hash: str) -> str | None:
        """None when valid for this user and password; otherwise why not ('expired'/'invalid')."""
        try:
            payload = self._serializer(password_hash).loads(token, max_age=self.max_age)
        except SignatureExpired:
            return "expired"
        except BadSignature:
            return "invalid"
        return None if payload == user_id else "invalid"


def init_app(app: Flask) -> None:
    parameters: dict[str, Any] = app.config.get("ARGON2_PARAMETERS") or {}
    app.extensions["passwords"] = Passwords(PasswordHasher(**parameters))
    secret = app.config.get("SECRET_KEY")
    if secret:
        max_age = int(app.config.get("PASSWORD_RESET_MAX_AGE", 3600))
        app.extensions["reset_tokens"] = ResetTokens(secret, max_age)


def passwords() -> Passwords:
    found: Passwords = current_app.extensions["passwords"]
    return found


def reset_tokens() -> ResetTokens:
    found: ResetTokens = current_app.extensions["reset_tokens"]
    return found
