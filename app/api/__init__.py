"""Machine interfaces: Open311 GeoReport v2, our JSON API with its OpenAPI document, API keys.

Two blueprints. ``bp`` serves the machines (``/open311/v2/…``, ``/api/…``): it takes no
cookies' word for anything, so it is exempt from CSRF; writes need an API key instead.
``admin_bp`` serves the administrators' key pages (``/admin/api-clients``), ordinary forms with
CSRF tokens. ``init_app`` registers both; call it before ``security.init_app``, which wraps the
rate-limited views.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

from app.api.keys import ApiClientService
from app.api.open311 import Open311Service, Open311Settings
from app.db import get_session
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.petitions import petition_service

bp = Blueprint("api", __name__)
admin_bp = Blueprint(
    "api_admin", __name__, url_prefix="/admin/api-clients", template_folder="templates"
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.extensions["csrf"].exempt(bp)


def api_language() -> str:
    """``?locale=`` (``fr``, ``ar_TN``…), else Accept-Language, else English.

    Unlike the site, the API neither reads nor writes the session: the same request always
    gets the same answer.
    """
    asked = (request.args.get("locale") or "")[:2].lower()
    if asked in LANGUAGES:
        return asked
    # By quality, matching the primary subtag: "ar-TN, fr;q=0.5" is Arabic (werkzeug's
    # best_match would prefer the exact "fr").
    for tag, _quality in request.accept_languages:
        if tag[:2].lower() in LANGUAGES:
            return tag[:2].lower()
    return DEFAULT_LANGUAGE


def open311_service() -> Open311Service:
    config = current_app.config
    settings = Open311Settings(
        service_codes=tuple(config["PETITION_PROCESSES"]),
        publish_descriptions=bool(config["OPEN311_PUBLISH_DESCRIPTIONS"]),
        max_requests=int(config["OPEN311_MAX_REQUESTS"]),
        default_days=int(config["OPEN311_DEFAULT_DAYS"]),
    )
    return Open311Service(get_session(), petition_service(), settings)


def api_clients() -> ApiClientService:
    return ApiClientService(get_session())


# Imported last: they need the blueprints. Importing registers the routes.
from app.api import admin_views, open311_views, v1_views  # noqa: E402,F401
