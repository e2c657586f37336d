"""Citizen portal views: thin wrappers that read the request, call the service, render."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import schemaforms
from app.audit.models import Action
from app.auth.models import Role
from app.auth.permissions import role_required
from app.auth.privacy import citizen_event
from app.db import get_session
from app.engine.types import InvalidTaskData, NotFound
from app.i18n import current_language
from app.petitions import bp, intake_service, labels, petition_service
from app.petitions.access import can_see_as_staff
from app.petitions.intake import ClaimRefused
from app.petitions.models import Petition, PetitionType, Status
from app.petitions.services import format_receipt
from app.petitions.web import body_choices, start_fields, start_schema, uploaded_files
from app.security import rate_limited

RECEIPT_SESSION_KEY = "receipt_petition"


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"petition_labels": labels}


def _own_petition(tracking_number: str) -> Petition:
    """The signed-in citizen's petition; anyone else's is a 404 (existence is not revealed)."""
    try:
        petition = petition_service().by_tracking_number(tracking_number)
    except NotFound:
        abort(404)
    if not current_user.is_authenticated or petition.citizen_id != current_user.id:
        abort(404)
    return petition


@bp.route("/")
def home() -> str:
    return render_template("petitions/home.html", types=list(PetitionType))


@bp.route("/petitions/new")
def submit() -> str:
    return render_template("petitions/choose_type.html", types=list(PetitionType))


@bp.route("/petitions/new/<petition_type>", methods=["GET", "POST"])
@rate_limited("SUBMIT_RATE_LIMIT")
def submit_form(petition_type: str) -> Response | str | tuple[str, int]:
    if petition_type not in PetitionType.__members__.values():
        abort(404)
    anonymous_allowed = petition_type == PetitionType.CORRUPTION
    if not current_user.is_authenticated and not anonymous_allowed:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if current_user.is_authenticated and current_user.role != Role.CITIZEN:
        abort(403)
    service = petition_service()
    schema = start_schema(service, petition_type)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = schemaforms.parse(schema, request.form)
        try:
            submission = service.submit(
                petition_type, values, uploaded_files(),
                citizen_id=current_user.id if current_user.is_authenticated else None,
                contact_email=current_user.email if current_user.is_authenticated else None,
            )
            petition = submission.petition
            # An anonymous report leaves no account and no address in the audit log.
            citizen_event(get_session(), Action.PETITION_SUBMITTED, petition.citizen_id,
                          f"petition:{petition.tracking_number}", type=petition.type)
            get_session().commit()
        except InvalidTaskData as error:
            get_session().rollback()
            errors = schemaforms.localized_errors(error.errors)
        else:
            petition = submission.petition
            if submission.receipt_code:
                # Shown once, in this response only: never in a URL, a log or the database.
                session[RECEIPT_SESSION_KEY] = petition.id
                return render_template(
                    "petitions/receipt.html", petition=petition, receipt=format_receipt(submission.receipt_code)
                )
            flash(_("Your petition was received. Its tracking number is %(n)s.", n=petition.tracking_number), "success")
            return redirect(url_for("petitions.detail", tracking_number=petition.tracking_number))
    status = 400 if errors else 200
    page = render_template(
        "petitions/submit.html", petition_type=petition_type, fields=start_fields(schema), values=values,
        errors=errors,
    )
    return page, status


@bp.route("/petitions/mine")
@login_required
def mine() -> str:
    return render_template("petitions/mine.html", petitions=petition_service().of_citizen(current_user.id))


@bp.route("/petitions/claim", methods=["GET", "POST"])
@role_required(Role.CITIZEN)
@rate_limited("LOOKUP_RATE_LIMIT")
def claim() -> Response | tuple[str, int]:
    """Add a petition an office registered for the citizen (phone, letter, counter) to the account."""
    error = None
    if request.method == "POST":
        try:
            petition = intake_service().claim(
                current_user, request.form.get("tracking_number", ""), request.form.get("contact", "")
            )
            get_session().commit()
        except ClaimRefused:
            get_session().rollback()
            error = _("No petition without an account matches this tracking number and contact.")
        else:
            flash(_("Petition %(n)s was added to your account.", n=petition.tracking_number), "success")
            return redirect(url_for("petitions.detail", tracking_number=petition.tracking_number))
    return render_template("petitions/claim.html", error=error), 400 if error else 200


def _detail_page(petition: Petition, *, owner: bool, status: int = 200, errors: dict[str, str] | None = None) -> tuple[str, int]:
    service = petition_service()
    survey = service.survey_task(petition) if owner and petition.status == Status.ANSWERED else None
    survey_fields = []
    if survey is not None and survey.form:
        survey_fields = schemaforms.fields(service.engine.runtime.forms.schema(survey.form), current_language())
    return render_template(
        "petitions/detail.html", petition=petition, timeline=service.public_timeline(petition),
        owner=owner, survey_fields=survey_fields, errors=schemaforms.localized_errors(errors or {}),
        values=request.form,
        overdue=service.deadline_passed(petition), bodies=dict(body_choices()),
    ), status


@bp.route("/petitions/<tracking_number>")
@login_required
def detail(tracking_number: str) -> tuple[str, int]:
    return _detail_page(_own_petition(tracking_number), owner=True)


@bp.route("/petitions/<tracking_number>/reply", methods=["POST"])
@rate_limited("SUBMIT_RATE_LIMIT")
def reply(tracking_number: str) -> Response | tuple[str, int]:
    petition = _petition_for_reply(tracking_number)
    try:
        petition_service().reply(
            petition, request.form.get("text", ""), uploaded_files(),
            current_user.id if current_user.is_authenticated else None,
        )
        get_session().commit()
    except InvalidTaskData as error:
        get_session().rollback()
        return _detail_page(petition, owner=current_user.is_authenticated, status=400, errors=error.errors)
    flash(_("Thank you: your answer was sent to the office handling your petition."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("petitions.detail", tracking_number=tracking_number))
    return redirect(url_for("petitions.receipt_status"))


def _petition_for_reply(tracking_number: str) -> Petition:
    if current_user.is_authenticated:
        return _own_petition(tracking_number)
    petition_id = session.get(RECEIPT_SESSION_KEY)
    petition = get_session().get(Petition, petition_id) if petition_id else None
    if petition is None or petition.tracking_number != tracking_number:
        abort(404)
    return petition


@bp.route("/petitions/<tracking_number>/rate", methods=["POST"])
@login_required
def rate(tracking_number: str) -> Response | tuple[str, int]:
    petition = _own_petition(tracking_number)
    service = petition_service()
    task = service.survey_task(petition)
    if task is None or not task.form:
        flash(_("This answer can no longer be rated."), "warning")
        return redirect(url_for("petitions.detail", tracking_number=tracking_number))
    data = schemaforms.parse(service.engine.runtime.forms.schema(task.form), request.form)
    try:
        service.complete_task(petition, task, data, current_user.id)
        get_session().commit()
    except InvalidTaskData as error:
        get_session().rollback()
        return _detail_page(petition, owner=True, status=400, errors=error.errors)
    flash(_("Thank you for rating the answer."), "success")
    return redirect(url_for("petitions.detail", tracking_number=tracking_number))


@bp.route("/petitions/<tracking_number>/attachments/<int:attachment_id>")
def attachment(tracking_number: str, attachment_id: int) -> Response:
    try:
        petition = petition_service().by_tracking_number(tracking_number)
    except NotFound:
        abort(404)
    allowed = current_user.is_authenticated and (
        petition.citizen_id == current_user.id or can_see_as_staff(current_user, petition)
    )
    if not allowed:
        abort(404)
    found = next((a for a in petition.attachments if a.id == attachment_id), None)
    if found is None:
        abort(404)
    path = petition_service().uploads.path(found.stored_name)
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name)


@bp.route("/track", methods=["GET", "POST"])
@rate_limited("LOOKUP_RATE_LIMIT")
def track() -> tuple[str, int]:
    petition = None
    searched = request.method == "POST"
    if searched:
        petition = petition_service().lookup(request.form.get("tracking_number", ""), request.form.get("email", ""))
    page = render_template(
        "petitions/track.html", petition=petition, searched=searched,
        timeline=petition_service().public_timeline(petition) if petition else [],
        bodies=dict(body_choices()),
    )
    return page, 404 if searched and petition is None else 200


@bp.route("/track/receipt", methods=["GET", "POST"])
@rate_limited("LOOKUP_RATE_LIMIT")
def receipt_status() -> tuple[str, int]:
    """Follow an anonymous corruption report with its receipt code (remembered in the session)."""
    petition = None
    if request.method == "POST":
        petition = petition_service().by_receipt(request.form.get("receipt", ""))
        session[RECEIPT_SESSION_KEY] = petition.id if petition else None
        if petition is None:
            return render_template("petitions/receipt_status.html", petition=None, searched=True), 404
    elif session.get(RECEIPT_SESSION_KEY):
        petition = get_session().get(Petition, session[RECEIPT_SESSION_KEY])
    return render_template(
        "petitions/receipt_status.html", petition=petition, searched=False,
        timeline=petition_service().public_timeline(petition) if petition else [],
        bodies=dict(body_choices()), errors={}, values={},
    ), 200
