"""Fixtures for the default diagrams: the app's own runtime (forms from forms/, calendar
functions registered), the real processes/*.bpmn deployed, and start data as the petitions
service builds it from the settings.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.timers import TimerWorker
from app.engine.types import VersionInfo



@pytest.fixture
def runtime(app: Flask) -> Runtime:
    value: Runtime = app.extensions["engine"]
    return value


@pytest.fixture
def engine(session: Session, runtime: Runtime) -> EngineService:
    return EngineService(session, runtime)


@pytest.fixture
def deployed(app: Flask, engine: EngineService, session: Session) -> dict[str, VersionInfo]:
    versions = {}
    for path in sorted(glob.glob(os.path.join(app.config["PROCESSES_DIR"], "*.bpmn"))):
        with open(path, "rb") as handle:
            info = engine.deploy(handle.read(), os.path.basename(path), "tests")
        versions[info.process_id] = info
    session.commit()
    return versions


@pytest.fixture
def start_data(app: Flask) -> Callable[..., dict[str, Any]]:
    """Start data for a petition of ``petition_type``, shaped like the petitions service's."""
    config = app.config

    def make(petition_type: str = "complaint", **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "petition_id": 1,
            "petition_type": petition_type,
            "subject": "Water cut in El Menzah 6",
            "description": "No running water since Monday morning.",
            "target_body": None,
            "routing_office": config["CENTRAL_OFFICE"],
            "response_days": config["RESPONSE_WORKING_DAYS"][petition_type],
            "reply_days": config["INFORMATION_REPLY_WORKING_DAYS"],
            "survey_days": config["SURVEY_DAYS"],
            "corruption_unit": config["CORRUPTION_UNIT"],
            "citizen_id": 7,
            "auto_route_threshold": config["ROUTING_AUTO_ROUTE_THRESHOLD"],
        }
        if petition_type == "corruption":
            data.update(description="", facts="A clerk asks for cash to stamp permits.",
                        anonymous=True, routing_office=config["CORRUPTION_UNIT"])
        data.update(changes)
        return data

    return make


@pytest.fixture
def worker(db: Database, runtime: Runtime) -> TimerWorker:
    return TimerWorker(db, runtime, owner="routes-test", batch_size=50, lease_seconds=60)
