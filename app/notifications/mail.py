"""Outgoing e-mail behind one tiny Protocol.

Services only ever call ``send(to, subject, body)``; which backend runs is a setting
(``MAIL_BACKEND``), so development prints mail to the log, tests read it from memory, and the
SMTP sender of a later issue slots in without touching any caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class Mailer(Protocol):
    """Anything that can deliver one plain-text message to one address."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver (or queue) the message; must not raise for an unknown recipient."""


@dataclass(frozen=True)
class Message:
    """One message as a backend received it (kept by ``MemoryMailer``)."""

    to: str
    subject: str
    body: str


class ConsoleMailer:
    """Writes each message to the log: the zero set-up default for development.

    The body may hold a password-reset link, so never use this backend where logs are shared
    more widely than the mailboxes would be (``init_app`` warns about it in production).
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("epeople.mail")

    def send(self, to: str, subject: str, body: str) -> None:
        self.logger.info("mail to %s\nSubject: %s\n\n%s", to, subject, body)


class MemoryMailer:
    """Keeps messages in ``outbox`` so tests can read what a user would have received."""

    def __init__(self) -> None:
        self.outbox: list[Message] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.outbox.append(Message(to=to, subject=subject, body=body))


BACKENDS = ("console", "memory")


def build_mailer(backend: str, logger: logging.Logger | None = None) -> Mailer:
    """The mailer named by the ``MAIL_BACKEND`` setting; unknown names fail at start-up."""
    if backend == "console":
        return ConsoleMailer(logger)
    if backend == "memory":
        return MemoryMailer()
    raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
