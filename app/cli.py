"""The ``flask epeople`` command group: database set-up here, each domain adds its own."""

from __future__ import annotations

import glob
import os

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

epeople = AppGroup("epeople", help="epeople administration commands.")

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.attributes["database_url"] = url
    return config


def upgrade_database(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def deploy_default_processes() -> list[str]:
    """Deploy every diagram in processes/ (unchanged files keep their version)."""
    from app.db import get_session
    from app.engine import engine_service

    lines = []
    for path in sorted(glob.glob(os.path.join(current_app.config["PROCESSES_DIR"], "*.bpmn"))):
        with open(path, "rb") as handle:
            info = engine_service().deploy(handle.read(), os.path.basename(path), "init-db")
        lines.append(f"{info.process_id} v{info.version}")
    get_session().commit()
    return lines


@epeople.command("init-db")
@click.option("--demo", is_flag=True, help="Also load the demo bodies, users and petitions.")
def init_db_command(demo: bool) -> None:
    """Create or upgrade the schema, deploy the default diagrams, optionally load demo data."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("schema is up to date")
    for line in deploy_default_processes():
        click.echo(f"process {line}")
    if demo:
        for loader in current_app.extensions.get("demo_loaders", []):
            click.echo(loader())


@epeople.command("db-revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
def db_revision_command(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)


@epeople.command("purge-personal-data")
@click.option("--dry-run", is_flag=True, help="Only list the petitions that would be blanked.")
def purge_personal_data_command(dry_run: bool) -> None:
    """Blank the personal data of petitions closed more than RETENTION_YEARS ago, and delete
    outbox messages finished more than OUTBOX_KEEP_DAYS ago (schedule daily)."""
    from datetime import timedelta

    from app.db import get_session, utcnow
    from app.notifications.outbox import purge_finished
    from app.petitions import petition_service
    from app.petitions.retention import RetentionService

    years = int(current_app.config["RETENTION_YEARS"])
    service = RetentionService(get_session(), petition_service(), years)
    numbers = service.purge(dry_run=dry_run)
    for number in numbers:
        click.echo(f"{'would blank' if dry_run else 'blanked'} {number}")
    click.echo(f"{len(numbers)} petition(s) {'due' if dry_run else 'blanked'}, closed more than {years} year(s) ago")
    if dry_run:
        return
    days = int(current_app.config["OUTBOX_KEEP_DAYS"])
    session = get_session()
    deleted = purge_finished(session, utcnow() - timedelta(days=days))
    session.commit()
    click.echo(f"{deleted} outbox message(s) deleted, finished more than {days} day(s) ago")


def init_app(app: Flask) -> None:
    app.extensions.setdefault("demo_loaders", [])
    app.cli.add_command(epeople)
