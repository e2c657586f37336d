"""``flask epeople worker``: the background loop of a deployment.

It lives here, above the domains, because it drives three of them: the engine's timers (deadlines,
reminders, survey closing), the notifications outbox the steps they fire fill, and the routing
model's periodic retraining.
"""

from __future__ import annotations

import logging
import os
import socket
import time

import click
from flask import current_app

from app.cli import epeople
from app.db import database
from app.engine.timers import TimerWorker
from app.notifications.cli import delivery_worker
from app.routing.cli import retrain_if_due

log = logging.getLogger(__name__)


@epeople.command("worker")
@click.option("--once", is_flag=True, help="Fire what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Fire due timers (deadlines, reminders, survey closing), deliver the mail outbox and
    retrain the routing model when due, until stopped."""
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
        with database().session() as session:
            click.echo(f"routing model: {retrain_if_due(current_app, session) or 'not retrained'}")
        return
    while True:
        # Timers first: the steps they fire queue mail that this same round delivers.
        timers, mail = worker.run_once(), outbox.run_once()
        if timers.claimed or mail.claimed:
            log.info("timers: %s; outbox: %s", timers, mail)
        with database().session() as session:
            if (version := retrain_if_due(current_app, session)) is not None:
                log.info("routing model v%s trained", version)
        if timers.claimed < worker.batch_size and mail.claimed < outbox.batch_size:
            time.sleep(config["TIMER_POLL_SECONDS"])
