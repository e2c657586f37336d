"""The SMS senders against their Protocol."""

from __future__ import annotations

import logging

import pytest

from app.notifications.sms import LogSmsSender, MemorySmsSender, SmsSender, build_sms_sender


@pytest.mark.parametrize("sender", [LogSmsSender(), MemorySmsSender()])
def test_every_sender_implements_the_protocol(sender: object) -> None:
    assert isinstance(sender, SmsSender)


def test_log_sender_writes_the_text_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="test.sms"):
        LogSmsSender(logging.getLogger("test.sms")).send("+216 20 000 001", "Petition received")
    assert "+216 20 000 001" in caplog.text and "Petition received" in caplog.text


def test_build_sms_sender_refuses_an_unknown_backend() -> None:
    assert isinstance(build_sms_sender("memory"), MemorySmsSender)
    with pytest.raises(ValueError, match="SMS_BACKEND"):
        build_sms_sender("pigeon")
