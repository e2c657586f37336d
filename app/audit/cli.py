"""``flask epeople audit-verify``: walk the hash chain and report any tampering."""

from __future__ import annotations

import click

from app.audit.service import AuditLog
from app.cli import epeople
from app.db import get_session


@epeople.command("audit-verify")
def audit_verify_command() -> None:
    """Exit 1 and list the problems if an audit event was modified or deleted."""
    problems = AuditLog(get_session()).verify()
    for problem in problems:
        click.echo(f"audit: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("audit log intact")
