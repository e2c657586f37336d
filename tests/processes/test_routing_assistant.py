"""The petition diagram's use of the routing assistant: automatic routing above a threshold
(the ``suggest_body`` function) and closing a petition as a duplicate."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from app.db import utcnow
from app.petitions.models import Petition, Status
from app.routing import settings_from
from app.routing.services import RoutingService
from tests.processes.test_routes import only, open_tasks

WATER = "Coupure d'eau potable à Sakiet Ezzit, la SONEDE ne répond pas"


def train_water_model(app: Flask, session: Session) -> None:
    rows = [(WATER, "gov-sfax"), ("انقطاع الماء في حي الزهور منذ ثلاثة أيام", "gov-sfax"),
            ("Les poubelles débordent rue Habib Thameur", "mun-sfax"), ("الفضلات متراكمة أمام المنزل", "mun-sfax")]
    for number, (text, body) in enumerate(rows, start=1):
        session.add(Petition(type="complaint", subject=text, description=text, current_office=body,
                             competent_body=body, status=Status.CLOSED, answer="ok", answered_at=utcnow(),
                             tracking_number=f"TN-2026-{number:06d}"))
    RoutingService(session, app.extensions["routing"], settings_from(app.config)).train()
    session.commit()


def test_petition_goes_straight_to_the_suggested_body_above_the_threshold(
    app, deployed, engine, session, start_data
):
    train_water_model(app, session)
    info = engine.start("petition", start_data(subject="Coupure d'eau", description=WATER, auto_route_threshold=0.1))
    session.commit()
    assert open_tasks(info) == ["draft_answer"]
    assert info.data["competent_body"] == "gov-sfax" and info.data["auto_routed"] is True
    assert info.data["suggested_score"] >= 0.1


def test_petition_is_qualified_by_a_person_below_the_threshold(app, deployed, engine, session, start_data):
    train_water_model(app, session)
    info = engine.start("petition", start_data(subject="Coupure d'eau", description=WATER, auto_route_threshold=0.999))
    assert open_tasks(info) == ["qualify"]
    assert info.data["suggested_body"] == "gov-sfax"


def test_automatic_routing_is_off_by_default_and_without_a_model(app, deployed, engine, session, start_data):
    assert app.config["ROUTING_AUTO_ROUTE_THRESHOLD"] == 0
    assert open_tasks(engine.start("petition", start_data())) == ["qualify"]
    # Switched on but no model trained: suggest_body answers [None, 0.0] and a person qualifies.
    info = engine.start("petition", start_data(auto_route_threshold=0.1))
    assert open_tasks(info) == ["qualify"] and info.data["suggested_body"] is None


def test_qualification_may_close_the_petition_as_a_duplicate(deployed, engine, session, start_data):
    info = engine.start("petition", start_data())
    info = engine.complete_task(only(info, "qualify").id, {"decision": "duplicate", "duplicate_of": "TN-2026-000001"})
    assert info.status == "completed"
    assert info.data["outcome"] == "duplicate"
    assert "draft_answer" not in info.completed_task_names
