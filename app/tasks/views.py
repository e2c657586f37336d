"""Tasklist views: list with filters, the task page, claim / unclaim / reassign / complete."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import schemaforms
from app.audit.models import Action
from app.audit.service import audit
from app.auth.permissions import staff_required
from app.db import get_session, utcnow
from app.engine.types import InvalidTaskData, NotFound, TaskNotReady
from app.i18n import current_language
from app.org.services import BodyService
from app.petitions.models import PetitionType, Status
from app.petitions.services import start_form_name
from app.routing import routing_service
from app.tasks import bp, task_service
from app.tasks.services import NotYourTask, TaskFilters, TaskRow

BODY_FIELDS = ("competent_body", "target_body")
# The task whose page shows the routing assistant (processes/petition.bpmn).
QUALIFY_TASK = "qualify"
ASSIGNMENT_ACTIONS = {"claim": Action.TASK_CLAIMED, "unclaim": Action.TASK_UNCLAIMED, "reassign": Action.TASK_REASSIGNED}


def _bodies() -> dict[str, str]:
    locale = current_language()
    return {b.code: b.display_name(locale) for b in BodyService(get_session()).list()}


def _filters() -> TaskFilters:
    args = request.args
    return TaskFilters(
        petition_type=args.get("type") if args.get("type") in PetitionType.__members__.values() else None,
        status=args.get("status") if args.get("status") in Status.__members__.values() else None,
        assigned=args.get("assigned") if args.get("assigned") in ("me", "unassigned") else "all",
        overdue=args.get("overdue") == "1",
        text=args.get("q", ""),
        sort=args.get("sort", "due"),
        page=args.get("page", 1, type=int) or 1,
    )


@bp.route("/")
@staff_required
def index() -> str:
    filters = _filters()
    page = task_service().list(current_user, filters)
    return render_template(
        "tasks/index.html", page=page, filters=filters, bodies=_bodies(), types=list(PetitionType),
        statuses=[s for s in Status if not s.is_final],
        calendar=_calendar(), now=utcnow(),
    )


def _calendar() -> Any:
    from app.calendar import calendar_service

    return calendar_service()


def _row(task_id: str) -> TaskRow:
    try:
        return task_service().get(task_id, current_user)
    except NotFound:
        abort(404)


def _task_page(row: TaskRow, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status: int = 200) -> tuple[str, int]:
    service = task_service()
    schema = service.engine.runtime.forms.schema(row.task.form) if row.task.form else {"properties": {}}
    bodies = _bodies()
    choices = {name: list(bodies.items()) for name in BODY_FIELDS if name in schema.get("properties", {})}
    if values is None:
        try:
            data = service.engine.task_data(row.task.id)
        except (NotFound, TaskNotReady):  # completed by a colleague since its row was read
            abort(404)
        values = {k: v for k, v in data.items() if k in schema.get("properties", {}) and k != "decision"}
        if "publish" in schema.get("properties", {}):
            # Whether answers are published unless the office unticks it is a policy setting.
            values.setdefault("publish", current_app.config["ROUTING_PUBLISH_ANSWERS_DEFAULT"])
    petition = row.petition
    assistance = routing_service().qualification(petition) if row.task.task_name == QUALIFY_TASK else None
    if assistance and assistance.suggestions and "competent_body" in schema.get("properties", {}):
        values = {**values}
        values.setdefault("competent_body", assistance.suggestions[0].key)
    user_body = current_user.body.code if current_user.body is not None else None
    # The citizen's other answers, labelled as the start form labels them in this language.
    start_schema = service.engine.runtime.forms.schema(start_form_name(petition.type))
    detail_fields = {f.name: f for f in schemaforms.fields(start_schema, current_language())}
    return render_template(
        "tasks/detail.html", row=row, petition=petition, task=row.task,
        fields=schemaforms.fields(schema, current_language(), choices), values=values,
        errors=schemaforms.localized_errors(errors or {}), bodies=bodies,
        details=json.loads(petition.details or "{}"), detail_fields=detail_fields,
        timeline=petition.timeline, colleagues=service.colleagues(row.task, current_user),
        show_reporter=petition.reporter_identity is not None and user_body == petition.current_office,
        assistance=assistance,
        calendar=_calendar(), now=utcnow(),
    ), status


@bp.route("/<task_id>")
@staff_required
def detail(task_id: str) -> tuple[str, int]:
    return _task_page(_row(task_id))


@bp.route("/<task_id>/complete", methods=["POST"])
@staff_required
def complete(task_id: str) -> Response | tuple[str, int]:
    service = task_service()
    try:
        row = service.get(task_id, current_user)
    except NotFound:
        row = None
    schema = service.engine.runtime.forms.schema(row.task.form) if row and row.task.form else {"properties": {}}
    data = schemaforms.parse(schema, request.form)
    try:
        service.complete(task_id, current_user, data, row)
        audit(Action.TASK_COMPLETED, target=f"task:{task_id}", decision=data.get("decision"))
        get_session().commit()
    except NotYourTask as error:
        get_session().rollback()
        abort(403, description=str(error))
    except InvalidTaskData as error:
        get_session().rollback()
        if row is None:
            abort(404)
        return _task_page(row, values=data, errors=error.errors, status=400)
    except NotFound:
        abort(404)
    flash(_("Task completed."), "success")
    return redirect(url_for("tasks.index"))


def _assignment(task_id: str, action: str) -> Response:
    service = task_service()
    try:
        if action == "claim":
            service.claim(task_id, current_user)
            message = _("You claimed this task.")
        elif action == "unclaim":
            service.unclaim(task_id, current_user)
            message = _("You released this task.")
        else:
            service.reassign(task_id, current_user, request.form.get("user_id", 0, type=int))
            message = _("Task reassigned.")
        audit(ASSIGNMENT_ACTIONS[action], target=f"task:{task_id}", to=request.form.get("user_id"))
        get_session().commit()
    except NotYourTask as error:
        get_session().rollback()
        abort(403, description=str(error))
    except NotFound:
        abort(404)
    flash(message, "success")
    return redirect(url_for("tasks.detail", task_id=task_id) if action != "reassign" else url_for("tasks.index"))


@bp.route("/<task_id>/claim", methods=["POST"])
@staff_required
def claim(task_id: str) -> Response:
    return _assignment(task_id, "claim")


@bp.route("/<task_id>/unclaim", methods=["POST"])
@staff_required
def unclaim(task_id: str) -> Response:
    return _assignment(task_id, "unclaim")


@bp.route("/<task_id>/reassign", methods=["POST"])
@staff_required
def reassign(task_id: str) -> Response:
    return _assignment(task_id, "reassign")


@bp.route("/<task_id>/comment", methods=["POST"])
@staff_required
def comment(task_id: str) -> Response | tuple[str, int]:
    row = _row(task_id)
    try:
        task_service().petitions.comment(row.petition, request.form.get("comment", ""), current_user.id)
        get_session().commit()
    except InvalidTaskData as error:
        get_session().rollback()
        return _task_page(row, errors=error.errors, status=400)
    flash(_("Comment added."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id) + "#timeline")
