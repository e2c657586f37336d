"""``flask epeople deploy`` and ``flask epeople worker`` (timers, then the mail outbox)."""

from __future__ import annotations

import logging
import os
import socket
import time

import click
from flask import Flask, current_app

from app.cli import epeople
from app.db import database, get_session
from app.engine.timers import TimerWorker
from app.engine.types import InvalidDiagram
from app.notifications.cli import delivery_worker

log = logging.getLogger(__name__)


@epeople.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "deployed_by", default="cli", help="Recorded as the deployer.")
def deploy_command(files: tuple[str, ...], deployed_by: str) -> None:
    """Validate and deploy BPMN files; identical content keeps its version."""
    from app.engine import engine_service

    failed = False
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            info = engine_service().deploy(data, os.path.basename(path), deployed_by)
            get_session().commit()
        except InvalidDiagram as error:
            get_session().rollback()
            failed = True
            for problem in error.errors:
                click.echo(f"error: {problem}", err=True)
            continue
        state = "deployed as" if info.created else "unchanged, still"
        click.echo(f"{path}: {info.process_id} {state} version {info.version}")
    if failed:
        raise SystemExit(1)


@epeople.command("worker")
@click.option("--once", is_flag=True, help="Fire what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Fire due timers (deadlines, reminders, survey closing) and deliver the mail outbox,
    until stopped."""
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
        return
    while True:
        # Timers first: the steps they fire queue mail that this same round delivers.
        timers, mail = worker.run_once(), outbox.run_once()
        if timers.claimed or mail.claimed:
            log.info("timers: %s; outbox: %s", timers, mail)
        if timers.claimed < worker.batch_size and mail.claimed < outbox.batch_size:
            time.sleep(config["TIMER_POLL_SECONDS"])


def init_app(app: Flask) -> None:
    """Commands attach to the shared ``epeople`` group when this module is imported."""
