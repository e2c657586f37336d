"""The audit log: who did what, when and from where, in an append-only hash chain.

Each row stores the SHA-256 of its own content and of the previous row, so a modified or
deleted row breaks the chain (``AuditLog.verify``). Writers take the single ``audit_head`` row
with ``SELECT … FOR UPDATE``: concurrent transactions append one after the other.
"""

from app.audit.models import Action
from app.audit.service import AuditLog, audit
from app.audit import cli as _cli  # noqa: F401,E402  (registers `flask epeople audit-verify`)

__all__ = ["Action", "AuditLog", "audit"]
