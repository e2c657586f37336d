"""Administration of routing: diagrams and their versions, the editor, migration of running
petitions, and the operations view. Administrators only."""

from __future__ import annotations

from flask import Blueprint, Flask

from app.admin.services import ProcessAdmin
from app.db import get_session
from app.engine import engine_service

bp = Blueprint(
    "admin", __name__, url_prefix="/admin", template_folder="templates",
    static_folder="static", static_url_path="/static",
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def process_admin() -> ProcessAdmin:
    return ProcessAdmin(get_session(), engine_service(), lint=_lint_or_none())


def _lint_or_none():  # type: ignore[no-untyped-def]
    """bpmnlint runs in Node; without it, diagrams are still checked by the engine."""
    try:
        from app.admin.lint import LintUnavailable, lint_bpmn
    except ImportError:
        return None

    def lint(xml: bytes) -> list[dict[str, str]]:
        try:
            return lint_bpmn(xml)
        except LintUnavailable:
            return []

    return lint


from app.admin.views import forms, migration, operations, processes  # noqa: E402,F401
