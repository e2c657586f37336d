"""``flask epeople worker``: the background loop of a deployment.

It lives here, above the domains, because it drives several of them: the engine's timers (deadlines,
reminders, survey closing), the notifications outbox the steps they fire fill, and the periodic
jobs: every ``STATS_REFRESH_SECONDS`` the refresh of the statistics summary, and the routing
model's retraining when due (``ROUTING_RETRAIN_SECONDS``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable

import click
from flask import current_app

from app.cli import epeople
from app.db import database
from app.engine.timers import TimerWorker
from app.notifications.cli import delivery_worker
from app.routing.cli import retrain_if_due
from app.stats.cli import refresh_statistics

log = logging.getLogger(__name__)


@epeople.command("worker")
@click.option("--once", is_flag=True, help="Fire what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Fire due timers (deadlines, reminders, survey closing), deliver the mail outbox, refresh
    the statistics summary and retrain the routing model when due, until stopped."""
    config = current_app.config
    owner = f"{socket.gethostname()}:{os.getpid()}"
    worker = TimerWorker(
        database(),
        current_app.extensions["engine"],
        owner=owner,
        batch_size=config["TIMER_BATCH_SIZE"],
        lease_seconds=config["TIMER_LEASE_SECONDS"],
    )
    outbox = delivery_worker(current_app, database(), owner)
    if once:
        click.echo(str(worker.run_once()))
        click.echo(str(outbox.run_once()))
        click.echo(str(refresh_statistics(current_app, database())))
        click.echo(f"routing model: {_retrain_routing_model() or 'not retrained'}")
        return
    next_periodic_jobs = time.monotonic()
    while True:
        # Timers first: the steps they fire queue mail that this same round delivers.
        timers, mail = worker.run_once(), outbox.run_once()
        if timers.claimed or mail.claimed:
            log.info("timers: %s; outbox: %s", timers, mail)
        if time.monotonic() >= next_periodic_jobs:
            next_periodic_jobs = time.monotonic() + config["STATS_REFRESH_SECONDS"]
            _run_periodic("statistics refresh", lambda: refresh_statistics(current_app, database()))
            # Checked at the same pace: whether a retraining is due is a query on big tables.
            _run_periodic("routing model training", _retrain_routing_model)
        if timers.claimed < worker.batch_size and mail.claimed < outbox.batch_size:
            time.sleep(config["TIMER_POLL_SECONDS"])


def _retrain_routing_model() -> int | None:
    with database().session() as session:
        return retrain_if_due(current_app, session)


def _run_periodic(job: str, run: Callable[[], object]) -> None:
    """Run one periodic job; a failure is logged and retried at its next turn, because stale
    statistics or an old routing model must never stop deadlines and mail."""
    try:
        result = run()
    except Exception:
        log.exception("%s failed", job)
        return
    if result is not None:
        log.info("%s: %s", job, result)
