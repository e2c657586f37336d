"""Notification fixtures: a real SMTP server on loopback (aiosmtpd) and the outbox worker
pointed at it, plus the portal fixtures of tests/petitions, so journeys run over HTTP and their
mail goes through SMTP as in production."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.notifications.delivery import DeliveryReport, OutboxWorker, RetryPolicy
from app.notifications.mail import SmtpMailer, SmtpSettings
from app.notifications.models import OutboxMessage
from tests.petitions.conftest import (  # noqa: F401 - fixtures shared with the petition journeys
    open_task,
    person,
    petition_of,
)

SENDER = "ePeople <no-reply@epeople.test>"


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server accepted it."""

    recipients: list[str]
    subject: str
    body: str
    message: EmailMessage


@dataclass
class Inbox:
    """An aiosmtpd handler: keeps what it accepts; ``refuse`` answers that many messages 451."""

    received: list[Received] = field(default_factory=list)
    refuse: int = 0
    refuse_reply: str = "451 4.3.0 Try again later"
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            if self.refuse > 0:
                self.refuse -= 1
                return self.refuse_reply
            parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(
                Received(list(envelope.rcpt_tos), str(parsed["Subject"]), parsed.get_content().replace("\r\n", "\n"), parsed)
            )
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class SmtpServer:
    inbox: Inbox
    host: str
    port: int

    def settings(self, **overrides: Any) -> SmtpSettings:
        return SmtpSettings(**{"host": self.host, "port": self.port, "sender": SENDER, "timeout": 5, **overrides})


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(inbox, "127.0.0.1", controller.port)
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp_server: SmtpServer) -> Inbox:
    return smtp_server.inbox


@pytest.fixture
def worker(app: Flask, db: Database, smtp_server: SmtpServer) -> OutboxWorker:
    """The outbox worker with a real SMTP mailer; a short backoff keeps retry tests readable."""
    return OutboxWorker(
        db, SmtpMailer(smtp_server.settings()), app.extensions["sms"], owner="test-worker",
        policy=RetryPolicy(max_attempts=4, retry_seconds=60, retry_max_seconds=600),
    )


@pytest.fixture
def deliver(worker: OutboxWorker) -> Callable[[], DeliveryReport]:
    """Run one delivery round (what ``flask epeople worker`` does after the timers)."""
    return worker.run_once


@pytest.fixture
def sms_outbox(app: Flask) -> Iterator[list[Any]]:
    sent: list[Any] = app.extensions["sms"].outbox
    sent.clear()
    yield sent
    sent.clear()


@pytest.fixture
def outbox_rows(session: Session) -> Callable[..., list[OutboxMessage]]:
    """The outbox as the database holds it now, oldest first (optionally of one kind)."""

    def rows(kind: str | None = None) -> list[OutboxMessage]:
        session.expire_all()
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))

    return rows
