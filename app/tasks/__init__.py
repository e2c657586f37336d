"""The staff tasklist: open tasks of my body and role, claim, reassign, complete."""

from __future__ import annotations

from flask import Blueprint, Flask

from app.db import get_session
from app.petitions import petition_service
from app.tasks.services import TaskService

bp = Blueprint("tasks", __name__, url_prefix="/tasks", template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def task_service() -> TaskService:
    return TaskService(get_session(), petition_service())


from app.tasks import views  # noqa: E402,F401  (registers the routes on bp)
