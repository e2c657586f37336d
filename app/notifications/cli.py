"""``flask epeople notify-overdue`` and ``flask epeople outbox``; the outbox itself is
delivered by ``flask epeople worker`` (``app/worker.py``), each round after the timers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from app.cli import epeople
from app.db import Database, database, utcnow
from app.notifications.delivery import OutboxWorker, RetryPolicy, retry_failed
from app.notifications.models import OutboxMessage


def delivery_worker(app: Flask, db: Database, owner: str) -> OutboxWorker:
    """The outbox worker configured by the ``OUTBOX_*`` settings, with the app's senders."""
    config = app.config
    return OutboxWorker(
        db, app.extensions["mailer"], app.extensions["sms"], owner,
        batch_size=config["OUTBOX_BATCH_SIZE"], lease_seconds=config["OUTBOX_LEASE_SECONDS"],
        policy=RetryPolicy(config["OUTBOX_MAX_ATTEMPTS"], config["OUTBOX_RETRY_SECONDS"],
                           config["OUTBOX_RETRY_MAX_SECONDS"]),
    )


def today(time_zone: str, now: datetime | None = None) -> date:
    """The operator's calendar day, which the digest's once-a-day rule counts in."""
    return (now or utcnow()).astimezone(ZoneInfo(time_zone)).date()


@epeople.command("notify-overdue")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the digest is for (default: today in NOTIFICATIONS_TIME_ZONE).")
def notify_overdue_command(day: datetime | None) -> None:
    """Queue each agent's and coordinator's digest of overdue tasks; once a day (schedule it)."""
    from app.notifications.digest import OverdueDigest

    the_day = day.date() if day else today(current_app.config["NOTIFICATIONS_TIME_ZONE"])
    report = OverdueDigest(database(), current_app.extensions["notifier"].renderer).run(the_day)
    click.echo(f"{the_day}: {report.queued} digest(s) queued, {report.already_queued} already "
               f"queued today, {report.nothing_overdue} member(s) of staff with nothing overdue")


@epeople.command("outbox")
@click.option("--retry-failed", "retry", is_flag=True, help="Queue the failed messages again.")
def outbox_command(retry: bool) -> None:
    """Count pending, sent and failed messages; optionally queue the failed ones again."""
    db = database()
    if retry:
        click.echo(f"{retry_failed(db)} failed message(s) queued again")
    with db.session() as session:
        # count(column) counts the rows where it is set.
        pending, sent, failed = session.execute(
            select(
                func.count(OutboxMessage.next_attempt_at),
                func.count(OutboxMessage.sent_at),
                func.count(OutboxMessage.failed_at),
            )
        ).one()
    click.echo(f"pending {pending}, sent {sent}, failed {failed}")


def init_app(app: Flask) -> None:
    """Commands attach to the shared ``epeople`` group when this module is imported."""
