"""``/api/v1``: our JSON API, and ``/api/openapi.json``, the document describing it and Open311."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from app.api import api_language, bp, open311_service
from app.api.openapi import OpenApiBuilder
from app.api.schemas import Components
from app.api.public import MAX_EMAIL, PublicApi
from app.db import get_session
from app.i18n import DEFAULT_LANGUAGE
from app.petitions import petition_service
from app.security import rate_limited


def _public_api() -> PublicApi:
    return PublicApi(
        get_session(), petition_service(), tuple(current_app.config["PETITION_PROCESSES"])
    )


@bp.route("/api/openapi.json")
def openapi() -> Response:
    service = open311_service()
    choices = {
        name: [c.key for c in values] for name, values in service.choices(DEFAULT_LANGUAGE).items()
    }
    builder = OpenApiBuilder(
        Components(
            service.forms,
            tuple(current_app.config["PETITION_PROCESSES"]),
            service.service_codes,
            choices,
        )
    )
    return jsonify(builder.document())


@bp.route("/api/v1/services")
def petition_types() -> Response:
    return jsonify(_public_api().types(api_language()))


@bp.route("/api/v1/petitions/<tracking_number>")
@rate_limited("LOOKUP_RATE_LIMIT", methods=("GET",))
def petition_status(tracking_number: str) -> Response | tuple[Response, int]:
    """Unknown number and wrong e-mail get the same 404: existence is not revealed."""
    email = request.args.get("email", "")
    if not email or len(email) > MAX_EMAIL:
        message = "give the e-mail address used with the petition"
        return jsonify(error="bad_request", message=message, errors={"email": message}), 400
    found = _public_api().status(tracking_number, email, api_language())
    if found is None:
        return jsonify(error="not_found", message="not found"), 404
    return jsonify(found)
