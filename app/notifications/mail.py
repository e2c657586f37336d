"""Outgoing e-mail behind one tiny Protocol.

Services only ever call ``send(to, subject, body)``; which backend runs is a setting
(``MAIL_BACKEND``): development prints mail to the log, tests read it from memory, production
hands it to an SMTP server. Petition and task notifications never call a mailer directly: they
are written to the outbox (``outbox.py``) in the step's transaction and the worker
(``delivery.py``) calls the mailer, so a mail server that is down delays mail but never breaks
a step.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol, runtime_checkable

TLS_MODES = ("none", "starttls", "ssl")


class DeliveryError(Exception):
    """The message was not handed over. ``permanent``: retrying cannot help (the server refused
    the recipient or the content with a 5xx reply); otherwise the outbox tries again later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@runtime_checkable
class Mailer(Protocol):
    """Anything that can deliver one plain-text message to one address."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver (or queue) the message.

        Memory and console backends never raise. ``SmtpMailer`` raises ``DeliveryError`` when
        the server is unreachable or refuses; callers that must not fail go through the outbox.
        """


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


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str = "none"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = "ePeople <no-reply@localhost>"
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        tls = str(config.get("SMTP_TLS", "none")).lower()
        if tls not in TLS_MODES:
            raise ValueError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        # str(): EPEOPLE_SMTP_PASSWORD=1234 would otherwise arrive as a JSON number.
        return cls(
            host=str(config.get("SMTP_HOST", "localhost")),
            port=int(config.get("SMTP_PORT", 25)),
            tls=tls,
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            sender=str(config.get("MAIL_SENDER") or cls.sender),
            timeout=float(config.get("SMTP_TIMEOUT", 30)),
        )


class SmtpMailer:
    """Hands each message to an SMTP server (one connection per message, plain text, UTF-8).

    Errors become ``DeliveryError``: 4xx replies, refused connections and timeouts are
    temporary; a 5xx refusal of the recipient or of the content is permanent. Once the server
    has accepted the message, an error while saying goodbye is ignored: the mail is sent, and
    reporting a failure would make the outbox send it twice.
    """

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.domain)
        message.set_content(body)
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            where = f"{self.settings.host}:{self.settings.port}"
            raise DeliveryError(f"cannot reach {where}: {error}") from error
        try:
            try:
                if self.settings.username:
                    client.login(self.settings.username, self.settings.password)
                client.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                permanent = all(code >= 500 for code, _ in error.recipients.values())
                refused = f"recipient refused: {error.recipients}"
                raise DeliveryError(refused, permanent=permanent) from error
            except smtplib.SMTPDataError as error:
                raise DeliveryError(f"message refused: {error.smtp_code} {error.smtp_error!r}",
                                    permanent=error.smtp_code >= 500) from error
            except (OSError, smtplib.SMTPException) as error:
                # Authentication and sender problems are the operator's to fix: keep retrying.
                raise DeliveryError(f"SMTP error: {error}") from error
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.ssl_context)
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.tls == "starttls":
            try:
                client.starttls(context=self.ssl_context)
            except BaseException:
                client.close()
                raise
        return client


BACKENDS = ("console", "memory", "smtp")


def build_mailer(
    backend: str, logger: logging.Logger | None = None, config: Mapping[str, Any] | None = None
) -> Mailer:
    """The mailer named by the ``MAIL_BACKEND`` setting; unknown names fail at start-up."""
    if backend == "console":
        return ConsoleMailer(logger)
    if backend == "memory":
        return MemoryMailer()
    if backend == "smtp":
        return SmtpMailer(SmtpSettings.from_config(config or {}))
    raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
