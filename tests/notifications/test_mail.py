"""The SMTP mailer against a real server on loopback: plain, STARTTLS with login, implicit TLS."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from app.notifications.mail import (
    ConsoleMailer,
    DeliveryError,
    Mailer,
    MemoryMailer,
    SmtpMailer,
    SmtpSettings,
    build_mailer,
)
from tests.notifications.conftest import SENDER, Inbox, free_port


@pytest.mark.parametrize("backend", [ConsoleMailer(), MemoryMailer(), SmtpMailer(SmtpSettings("localhost", 25))])
def test_every_backend_implements_the_mailer_protocol(backend: object) -> None:
    assert isinstance(backend, Mailer)


def test_smtp_mailer_sends_utf8_plain_text(smtp_server, inbox):
    SmtpMailer(smtp_server.settings()).send("leila@example.org", "عريضة TN-2026-000001", "Réponse : نعم\n")

    (mail,) = inbox.received
    assert mail.recipients == ["leila@example.org"]
    assert (mail.subject, mail.body) == ("عريضة TN-2026-000001", "Réponse : نعم\n")
    assert mail.message["From"] == SENDER and mail.message.get_content_type() == "text/plain"
    assert mail.message["Message-ID"].endswith("@epeople.test>")


def test_temporary_refusal_is_a_retryable_error(smtp_server, inbox):
    inbox.refuse = 1
    with pytest.raises(DeliveryError, match="451") as raised:
        SmtpMailer(smtp_server.settings()).send("leila@example.org", "s", "b")
    assert not raised.value.permanent


def test_permanent_refusal_is_final(smtp_server, inbox):
    inbox.refuse, inbox.refuse_reply = 1, "554 5.7.1 Rejected"
    with pytest.raises(DeliveryError) as raised:
        SmtpMailer(smtp_server.settings()).send("leila@example.org", "s", "b")
    assert raised.value.permanent


def test_unreachable_server_is_a_retryable_error():
    with pytest.raises(DeliveryError, match="cannot reach") as raised:
        SmtpMailer(SmtpSettings("127.0.0.1", free_port(), timeout=2)).send("a@example.org", "s", "b")
    assert not raised.value.permanent


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (openssl), and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def _contexts(certificate: tuple[str, str]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(*certificate)
    return server, ssl.create_default_context(cafile=certificate[0])


def _accept_agent(server, session, envelope, mechanism, auth_data):  # noqa: ANN001 - aiosmtpd's signature
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"agent", b"s3cret"))


@pytest.fixture
def tls_server(certificate) -> Iterator[tuple[Inbox, int, ssl.SSLContext]]:
    server_context, client_context = _contexts(certificate)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_context,
                            require_starttls=True, authenticator=_accept_agent)
    controller.start()
    yield inbox, port, client_context
    controller.stop()


# aiosmtpd 1.4.6 itself sets its deprecated Session.login_data after a successful AUTH.
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")
def test_starttls_and_login(tls_server):
    inbox, port, client_context = tls_server
    settings = SmtpSettings("127.0.0.1", port, tls="starttls", username="agent", password="s3cret", timeout=5)
    SmtpMailer(settings, ssl_context=client_context).send("leila@example.org", "s", "b")

    assert [m.recipients for m in inbox.received] == [["leila@example.org"]]


def test_wrong_password_is_retried_not_dropped(tls_server):
    _, port, client_context = tls_server
    settings = SmtpSettings("127.0.0.1", port, tls="starttls", username="agent", password="wrong", timeout=5)
    with pytest.raises(DeliveryError) as raised:
        SmtpMailer(settings, ssl_context=client_context).send("leila@example.org", "s", "b")
    assert not raised.value.permanent  # the operator fixes SMTP_PASSWORD; the mail waits


def test_implicit_tls(certificate):
    server_context, client_context = _contexts(certificate)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_context)
    controller.start()
    try:
        SmtpMailer(SmtpSettings("127.0.0.1", port, tls="ssl", timeout=5), ssl_context=client_context).send(
            "leila@example.org", "s", "b")
    finally:
        controller.stop()
    assert len(inbox.received) == 1


def test_build_mailer_reads_the_smtp_settings():
    mailer = build_mailer("smtp", config={
        "SMTP_HOST": "mail.example.org", "SMTP_PORT": "587", "SMTP_TLS": "STARTTLS",
        "SMTP_USERNAME": "epeople", "SMTP_PASSWORD": 1234, "MAIL_SENDER": "ePeople <no-reply@example.org>",
    })
    assert isinstance(mailer, SmtpMailer)
    assert mailer.settings == SmtpSettings("mail.example.org", 587, "starttls", "epeople", "1234",
                                           "ePeople <no-reply@example.org>", 30.0)


def test_unknown_tls_mode_fails_at_start_up():
    with pytest.raises(ValueError, match="SMTP_TLS"):
        build_mailer("smtp", config={"SMTP_TLS": "maybe"})
