"""The citizen portal: submit a petition, follow it, answer questions, rate the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, current_app
from sqlalchemy.orm import Session

from app.db import get_session
from app.engine import engine_service, register_step_listener
from app.engine.service import EngineService
from app.engine.types import InstanceInfo
from app.petitions.intake import IntakeService
from app.petitions.services import PetitionService, PetitionSettings, prefetch_petitions
from app.petitions.uploads import UploadStore

bp = Blueprint("petitions", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    def sync_petition(session: Session, info: InstanceInfo) -> None:
        """Deadlines, closings and admin actions move petitions on too: reflect them."""
        service = PetitionService(
            session, EngineService(session, app.extensions["engine"]), _uploads(app.config),
            settings_from(app.config),
        )
        service.sync_instance(info)

    register_step_listener(app, sync_petition, prefetch_petitions)

    # Imported here: the demo needs app.tasks, which imports this package. It runs after the
    # demo people and holidays (app.auth and app.calendar register their loaders first).
    from app.petitions.demo import load_demo_petitions

    app.extensions.setdefault("demo_loaders", []).append(load_demo_petitions)


def _uploads(config: Mapping[str, Any]) -> UploadStore:
    return UploadStore(config["UPLOAD_DIR"], config["MAX_ATTACHMENT_BYTES"])


def settings_from(config: Mapping[str, Any]) -> PetitionSettings:
    return PetitionSettings(
        process_ids=config["PETITION_PROCESSES"],
        response_working_days=config["RESPONSE_WORKING_DAYS"],
        reply_working_days=config["INFORMATION_REPLY_WORKING_DAYS"],
        survey_days=config["SURVEY_DAYS"],
        central_office=config["CENTRAL_OFFICE"],
        corruption_unit=config["CORRUPTION_UNIT"],
        receipt_key=str(config["SECRET_KEY"]).encode(),
        auto_route_threshold=float(config["ROUTING_AUTO_ROUTE_THRESHOLD"]),
    )


def petition_service() -> PetitionService:
    return PetitionService(get_session(), engine_service(), _uploads(current_app.config), settings_from(current_app.config))


def intake_service() -> IntakeService:
    return IntakeService(petition_service(), current_app.config["INTAKE_ANY_OFFICE_KINDS"])


from app.petitions import intake_views, views  # noqa: E402,F401  (registers the routes on bp)
