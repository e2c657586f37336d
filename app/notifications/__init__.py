"""Notifications to citizens and staff. For now only e-mail (``mail.py``).

``init_app`` builds the mailer chosen by ``MAIL_BACKEND`` and keeps it in
``app.extensions['mailer']``; code that needs it calls ``mailer()``.
"""

from __future__ import annotations

from flask import Flask, current_app

from app.notifications.mail import Mailer, MemoryMailer, build_mailer

__all__ = ["Mailer", "MemoryMailer", "init_app", "mailer"]


def init_app(app: Flask) -> None:
    backend = app.config.get("MAIL_BACKEND", "console")
    app.extensions["mailer"] = build_mailer(backend, app.logger)
    if backend == "console" and app.config.get("ENVIRONMENT") == "production":
        app.logger.warning(
            "MAIL_BACKEND is 'console' in production: mail, password-reset links included, "
            "goes to the log"
        )


def mailer() -> Mailer:
    """The current app's mailer."""
    sender: Mailer = current_app.extensions["mailer"]
    return sender
