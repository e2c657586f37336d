from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.petitions.models import Petition
from app.routing.cli import retrain_if_due
from app.routing.models import RoutingModelVersion


def test_routing_train_command_stores_a_version(app: Flask, session: Session, answered: list[Petition]) -> None:
    result = app.test_cli_runner().invoke(args=["epeople", "routing-train", "--kind", "centroid"])
    assert result.exit_code == 0, result.output
    assert f"routing model v1: {len(answered)} petitions" in result.output
    assert session.scalar(select(RoutingModelVersion.kind)) == "centroid"


def test_routing_train_command_says_so_when_nothing_was_answered(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["epeople", "routing-train"])
    assert result.exit_code == 0 and "no model trained" in result.output
    assert session.scalar(select(RoutingModelVersion)) is None


def test_worker_retrains_only_when_the_last_version_is_older_than_the_interval(
    app: Flask, session: Session, answered: list[Petition]
) -> None:
    app.config["ROUTING_RETRAIN_SECONDS"] = 3600
    try:
        assert retrain_if_due(app, session) == 1
        assert retrain_if_due(app, session) is None
        session.execute(update(RoutingModelVersion).values(created_at=utcnow() - timedelta(hours=2)))
        session.commit()
        assert retrain_if_due(app, session) == 2
        app.config["ROUTING_RETRAIN_SECONDS"] = 0
        session.execute(update(RoutingModelVersion).values(created_at=utcnow() - timedelta(days=9)))
        session.commit()
        assert retrain_if_due(app, session) is None
    finally:
        app.config["ROUTING_RETRAIN_SECONDS"] = 0


def test_demo_loader_trains_a_first_model_and_says_so_when_it_cannot(
    app: Flask, session: Session, make_petition: object
) -> None:
    from app.routing.cli import load_demo_model

    with app.app_context():
        assert load_demo_model() == "routing model: no answered petition to learn from"
    make_petition("Coupure d'eau", "Pas d'eau à Thyna", "gov-sfax")  # type: ignore[operator]
    with app.app_context():
        assert load_demo_model() == "routing model v1 trained"
    assert session.scalar(select(RoutingModelVersion.version)) == 1
