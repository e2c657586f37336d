"""Text messages behind one tiny Protocol, like mail.

No SMS gateway is wired in yet: each country and operator has its own HTTP API. A gateway is
one class with ``send(to, text)`` that raises ``DeliveryError`` when the gateway refuses, added
to ``build_sms_sender``; the outbox and its retries work unchanged. ``SMS_ENABLED`` decides
whether citizens with a phone number get SMS at all; ``SMS_BACKEND`` picks the sender.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class SmsSender(Protocol):
    """Anything that can deliver one short text to one phone number."""

    def send(self, to: str, text: str) -> None:
        """Deliver the text; raise ``DeliveryError`` if the gateway refused it."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str


class LogSmsSender:
    """Writes each text to the log: the default until a gateway is configured."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("epeople.sms")

    def send(self, to: str, text: str) -> None:
        self.logger.info("sms to %s: %s", to, text)


class MemorySmsSender:
    """Keeps texts in ``outbox`` so tests can read them."""

    def __init__(self) -> None:
        self.outbox: list[Sms] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append(Sms(to=to, text=text))


SMS_BACKENDS = ("log", "memory")


def build_sms_sender(backend: str, logger: logging.Logger | None = None) -> SmsSender:
    """The sender named by ``SMS_BACKEND``; unknown names fail at start-up."""
    if backend == "log":
        return LogSmsSender(logger)
    if backend == "memory":
        return MemorySmsSender()
    raise ValueError(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}, not {backend!r}")
