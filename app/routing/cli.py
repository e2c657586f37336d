"""``flask epeople routing-train`` and the worker's periodic retraining."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.cli import epeople
from app.db import get_session, utcnow
from app.routing.model import ClassifierKind
from app.routing.models import RoutingModelVersion
from app.routing.services import RoutingService


@epeople.command("routing-train")
@click.option("--kind", type=click.Choice([k.value for k in ClassifierKind]), default=ClassifierKind.LINEAR_SVM.value,
              help="Body classifier (benchmarks/routing.py compares them).")
def routing_train_command(kind: str) -> None:
    """Train a new routing model version from the answered petitions."""
    from app.routing import routing_service

    row = routing_service().train(ClassifierKind(kind), actor="cli")
    if row is None:
        click.echo("no answered petition yet: no model trained")
        return
    get_session().commit()
    click.echo(f"routing model v{row.version}: {row.training_size} petitions, {row.public_size} public answers")


def load_demo_model() -> str:
    """``init-db --demo`` loader: a first model from the demo's answered petitions."""
    from app.routing import routing_service

    row = routing_service().train(actor="init-db")
    get_session().commit()
    return f"routing model v{row.version} trained" if row else "routing model: no answered petition to learn from"


def retrain_if_due(app: Flask, session: Session) -> int | None:
    """The worker's job: train a new version when the last one is older than
    ``ROUTING_RETRAIN_SECONDS`` (0: never). Returns the new version, if any."""
    from app.routing import settings_from

    interval = float(app.config["ROUTING_RETRAIN_SECONDS"])
    if interval <= 0:
        return None
    last = session.scalar(select(func.max(RoutingModelVersion.created_at)))
    if last is not None and (utcnow() - last).total_seconds() < interval:
        return None
    service = RoutingService(session, app.extensions["routing"], settings_from(app.config))
    try:
        row = service.train(actor="worker")
        session.commit()
    except IntegrityError:  # another worker stored the same version number first
        session.rollback()
        return None
    return row.version if row else None
