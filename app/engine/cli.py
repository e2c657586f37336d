"""``flask epeople deploy``: validate and deploy diagrams from the command line."""

from __future__ import annotations

import os

import click
from flask import Flask

from app.cli import epeople
from app.db import get_session
from app.engine.types import InvalidDiagram


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


def init_app(app: Flask) -> None:
    """Commands attach to the shared ``epeople`` group when this module is imported."""
