"""The audit log: who did what, when and from where, in an append-only hash chain.

Each row stores the SHA-256 of its own content and of the previous row, so a modified or
deleted row breaks the chain (``AuditLog.verify``). Events are appended when their transaction
commits (``chain.py``): the writer takes the single ``audit_head`` row with ``SELECT … FOR
UPDATE`` just before the commit, so concurrent transactions append one after the other.
"""

from flask import Flask

from app.audit import chain
from app.audit.models import Action
from app.audit.service import AuditLog, audit
from app.audit import cli as _cli  # noqa: F401,E402  (registers `flask epeople audit-verify`)

__all__ = ["Action", "AuditLog", "audit", "init_app"]


def init_app(app: Flask) -> None:
    """Append the events of the app's sessions at their commits (after ``notifications``)."""
    chain.attach(app.extensions["db"].sessionmaker)
