"""The mail backends of app/notifications against their Protocol (tested here: accounts are
their first user, and tests/notifications/ does not exist yet)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from app.notifications import mailer
from app.notifications.mail import ConsoleMailer, Mailer, MemoryMailer, build_mailer


@pytest.mark.parametrize("backend", [ConsoleMailer(), MemoryMailer()])
def test_every_backend_implements_the_mailer_protocol(backend: object) -> None:
    assert isinstance(backend, Mailer)


def test_memory_mailer_keeps_messages_in_order() -> None:
    memory = MemoryMailer()

    memory.send("a@example.org", "One", "first")
    memory.send("b@example.org", "Two", "second")

    assert [(m.to, m.subject, m.body) for m in memory.outbox] == [
        ("a@example.org", "One", "first"),
        ("b@example.org", "Two", "second"),
    ]


def test_console_mailer_logs_the_message(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.mail")
    with caplog.at_level(logging.INFO, logger="test.mail"):
        ConsoleMailer(logger).send("a@example.org", "Subject line", "Body text")

    assert (
        "a@example.org" in caplog.text
        and "Subject line" in caplog.text
        and "Body text" in caplog.text
    )


def test_build_mailer_refuses_an_unknown_backend() -> None:
    with pytest.raises(ValueError):
        build_mailer("pigeon")


def test_testing_app_uses_the_memory_mailer(app: Flask) -> None:
    with app.app_context():
        assert isinstance(mailer(), MemoryMailer)
