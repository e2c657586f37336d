"""``/open311/v2/``: GeoReport v2 endpoints, each in JSON or XML (the URL's extension).

Reading is public, as the specification intends; creating a request needs an ``api_key`` issued
by an administrator. Every refusal is the standard error document in the requested format.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_limiter.errors import RateLimitExceeded

from app.api import api_clients, api_language, bp, formats, open311_service
from app.api.open311 import Open311Error
from app.db import get_session
from app.security import rate_limited

PREFIX = "/open311/v2"
FORMAT = "<any(json, xml):fmt>"


def _error(fmt: str, error: Open311Error) -> Response:
    return formats.errors(fmt, error.status, error.descriptions)


@bp.route(f"{PREFIX}/services.{FORMAT}")
def services(fmt: str) -> Response:
    return formats.respond(fmt, "services", open311_service().services(api_language()))


@bp.route(f"{PREFIX}/services/<service_code>.{FORMAT}")
def service_definition(service_code: str, fmt: str) -> Response:
    try:
        definition = open311_service().definition(service_code, api_language())
    except Open311Error as error:
        return _error(fmt, error)
    return formats.respond(fmt, "service_definition", definition)


@bp.route(f"{PREFIX}/requests.{FORMAT}", methods=["GET"])
def list_requests(fmt: str) -> Response:
    service = open311_service()
    try:
        found = service.requests(service.filters(request.args), api_language())
    except Open311Error as error:
        return _error(fmt, error)
    return formats.respond(fmt, "requests", found)


@bp.route(f"{PREFIX}/requests.{FORMAT}", methods=["POST"])
@rate_limited("API_SUBMIT_RATE_LIMIT", per="api_key")
def create_request(fmt: str) -> Response:
    """Form-encoded, as the specification says; the key is checked before anything else."""
    client = api_clients().authenticate(request.form.get("api_key"))
    if client is None:
        return formats.errors(fmt, 403, ["api_key: missing, unknown or revoked key."])
    get_session().commit()  # last_used_at, whatever becomes of the request
    try:
        created = open311_service().submit(request.form, client, api_language())
        get_session().commit()
    except Open311Error as error:
        get_session().rollback()
        return _error(fmt, error)
    return formats.respond(fmt, "requests", [created])


@bp.route(f"{PREFIX}/requests/<service_request_id>.{FORMAT}")
def get_request(service_request_id: str, fmt: str) -> Response:
    try:
        found = open311_service().request(service_request_id, api_language())
    except Open311Error as error:
        return _error(fmt, error)
    return formats.respond(fmt, "requests", [found])


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded) -> Response | tuple[Response, int]:
    """The limiter refuses inside the view: answer in the caller's format, not with a page."""
    if request.path.startswith(PREFIX):
        fmt = "xml" if request.path.endswith(".xml") else "json"
        return formats.errors(fmt, 429, ["Too many requests: wait before trying again."])
    return jsonify(error="too_many_requests", message="too many requests, wait a minute"), 429


@bp.route(f"{PREFIX}/<path:unknown>")
def unknown_endpoint(unknown: str) -> Response:
    """Anything else under the prefix: the standard error document, not the site's 404 page."""
    return formats.errors("xml" if unknown.endswith(".xml") else "json", 404, ["No such endpoint."])
