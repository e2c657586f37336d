"""Office pages for assisted intake: register a petition for a citizen, print its receipt."""

from __future__ import annotations

from typing import Any

import segno
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from app import schemaforms
from app.auth.models import Role
from app.auth.permissions import role_required
from app.db import get_session
from app.engine.types import InvalidTaskData, NotFound
from app.i18n import current_language
from app.notifications.render import public_url
from app.petitions import bp, intake_service
from app.petitions.intake import INTAKE_CHANNELS, INTAKE_TYPES, CitizenDetails
from app.petitions.web import body_choices, start_fields, start_schema, uploaded_files
# Channel names belong to the statistics, which list every channel; intake uses four of them.
from app.stats.labels import CHANNELS


def _citizen_details() -> CitizenDetails:
    form = request.form
    return CitizenDetails(
        name=form.get("citizen_name", ""), email=form.get("citizen_email", ""), phone=form.get("citizen_phone", ""),
        postal_address=form.get("citizen_postal_address", ""), national_id=form.get("citizen_national_id", ""),
        language=form.get("citizen_language", ""),
    )


@bp.route("/office/intake")
@role_required(Role.RELATIONS_AGENT)
def intake() -> str:
    if not intake_service().offices(current_user):
        abort(403)
    return render_template("petitions/intake_choose.html", types=INTAKE_TYPES)


@bp.route("/office/intake/<petition_type>", methods=["GET", "POST"])
@role_required(Role.RELATIONS_AGENT)
def intake_form(petition_type: str) -> Response | tuple[str, int]:
    if petition_type not in INTAKE_TYPES:
        abort(404)
    service = intake_service()
    offices = service.offices(current_user)
    if not offices:
        abort(403)
    schema = start_schema(service.petitions, petition_type)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = schemaforms.parse(schema, request.form)
        try:
            petition = service.register(
                current_user, petition_type, values, uploaded_files(),
                channel=request.form.get("intake_channel", ""), office=request.form.get("intake_office", ""),
                citizen=_citizen_details(),
            )
            get_session().commit()
        except InvalidTaskData as error:
            get_session().rollback()
            errors = schemaforms.localized_errors(error.errors)
        else:
            return redirect(url_for("petitions.intake_receipt", tracking_number=petition.tracking_number))
    locale = current_language()
    page = render_template(
        "petitions/intake_form.html", petition_type=petition_type, fields=start_fields(schema), values=values,
        errors=errors, channels=INTAKE_CHANNELS, offices=[(b.code, b.display_name(locale)) for b in offices],
        own_office=current_user.body.code, channel_labels=CHANNELS,
    )
    return page, 400 if errors else 200


@bp.route("/office/receipts/<tracking_number>")
@role_required(Role.RELATIONS_AGENT, Role.BODY_AGENT, Role.COORDINATOR)
def intake_receipt(tracking_number: str) -> str:
    """The printable receipt; only the staff of the office that registered the petition."""
    try:
        petition = intake_service().registered_at(current_user, tracking_number)
    except NotFound:
        abort(404)
    status_url = public_url(current_app, "petitions.track", tracking_number=petition.tracking_number)
    # segno writes presentation attributes only (no style attribute), which the CSP allows.
    qr = segno.make(status_url, error="m").svg_inline(scale=4, title=_("Status page of the petition"))
    return render_template(
        "petitions/intake_receipt.html", petition=petition, status_url=status_url, qr_svg=Markup(qr),
        bodies=dict(body_choices()), channel_labels=CHANNELS,
    )

