"""The errors of the accounts domain, in one module so callers import one place.

Messages are safe to show to the person who caused them; none says whether an e-mail address
has an account.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class AuthError(Exception):
    """Base of every error this package raises."""


class InvalidAccountData(AuthError):
    """A field is missing, too long or malformed; ``field`` names it for the form."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(message)
        self.field = field


class EmailTaken(InvalidAccountData):
    """Another account uses that address.

    Registration has to say so (the person cannot otherwise fix it); the forgotten-password
    form is the one that must not reveal it.
    """

    def __init__(self) -> None:
        super().__init__("email", _l("An account with this e-mail address already exists."))


class StaffBodyRequired(InvalidAccountData):
    """Agents and coordinators belong to a body; citizens belong to none."""


class InvalidCredentials(AuthError):
    """Unknown e-mail or wrong password: one error for both, so logins reveal no accounts."""

    def __init__(self) -> None:
        super().__init__(_l("Invalid e-mail address or password."))


class InactiveAccount(InvalidCredentials):
    """The password was right but the account is disabled; shown like any failed login."""


class InvalidResetToken(AuthError):
    """The reset link is malformed, was already used, or its hour is over."""

    def __init__(self, reason: str) -> None:
        if reason == "expired":
            message = _l("This password reset link has expired. Ask for a new one.")
        else:
            message = _l("This password reset link is invalid or was already used.")
        super().__init__(message)
        self.reason = reason
