"""Notifications to citizens and staff: e-mail (``mail.py``) and SMS (``sms.py``) via an outbox.

Services call ``notify_timeline`` (a public step of a petition) or ``notify_task_assigned``;
the message is rendered in the recipient's language and written to ``notifications_outbox``
when the step's transaction commits, and not at all if it rolls back. The worker
(``flask epeople worker``) delivers the outbox with retries; ``flask epeople notify-overdue``
queues the staff's daily digest of overdue tasks.

``init_app`` builds the mailer chosen by ``MAIL_BACKEND`` and the SMS sender chosen by
``SMS_BACKEND`` (``mailer()``, ``sms_sender()``), and ties a ``Notifier`` to the app's sessions.
This module imports no other domain, so the services that call it can import it freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.notifications.mail import Mailer, MemoryMailer, build_mailer
from app.notifications.sms import SmsSender, build_sms_sender

if TYPE_CHECKING:
    from app.auth.models import User
    from app.engine.models import HumanTask
    from app.notifications.notifier import Notifier
    from app.petitions.models import Petition, TimelineEntry

__all__ = [
    "Mailer", "MemoryMailer", "init_app", "mailer", "notify_task_assigned", "notify_timeline",
    "sms_sender",
]

NOTIFIER_KEY = "epeople.notifier"


def init_app(app: Flask) -> None:
    backend = app.config.get("MAIL_BACKEND", "console")
    app.extensions["mailer"] = build_mailer(backend, app.logger, app.config)
    app.extensions["sms"] = build_sms_sender(app.config.get("SMS_BACKEND", "log"), app.logger)
    if backend == "console" and app.config.get("ENVIRONMENT") == "production":
        app.logger.warning(
            "MAIL_BACKEND is 'console' in production: mail, password-reset links included, "
            "goes to the log"
        )
    # Imported here: they import the petitions and tasks packages, which import this one.
    from app.notifications import cli
    from app.notifications.notifier import Notifier

    notifier = Notifier(app)
    notifier.attach(app.extensions["db"].sessionmaker)
    app.extensions["notifier"] = notifier
    cli.init_app(app)


def mailer() -> Mailer:
    """The current app's mailer."""
    sender: Mailer = current_app.extensions["mailer"]
    return sender


def sms_sender() -> SmsSender:
    """The current app's SMS sender."""
    sender: SmsSender = current_app.extensions["sms"]
    return sender


def _notifier(session: Session) -> Notifier:
    notifier: Notifier | None = session.info.get(NOTIFIER_KEY)
    if notifier is None:
        # Fail loudly: a session the app did not make would silently drop the citizen's mail.
        raise RuntimeError(
            "this session was not made by the app's Database: it cannot queue notifications"
        )
    return notifier


def notify_timeline(session: Session, petition: Petition, entry: TimelineEntry) -> None:
    """Tell the citizen about a public timeline entry of ``petition``, if it is one they are
    told about (received, transferred, information requested, deadline extended, answered,
    closed, rejected, abandoned) and they left an address. Queued when ``session`` commits."""
    _notifier(session).timeline_entry(session, petition, entry)


def notify_task_assigned(
    session: Session, task: HumanTask, petition: Petition, assignee: User, by: User
) -> None:
    """Tell ``assignee`` (a User) that ``by`` gave them ``task`` (a HumanTask) of ``petition``."""
    _notifier(session).task_assigned(session, task, petition, assignee, by)
