"""Turns domain errors into HTTP answers in one place, so views stay thin."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.engine.types import Conflict, NotFound

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "30"


def _database_unavailable(error: Exception) -> tuple[Response | str, int, dict[str, str]]:
    """The database went away mid-request: roll back, log, and answer 503 with a page that
    needs no database (nothing the request did was committed)."""
    log.error("database unavailable during %s %s: %s", request.method, request.path, error)
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # the connection is gone; closing the session at teardown is enough
            log.debug("rollback after a lost connection failed", exc_info=True)
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if _wants_json():
        return jsonify(error="service_unavailable", message="database unavailable, retry later"), 503, headers
    if "_login_user" not in g:
        # Loading the signed-in user (for the language) would ask the database again.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    try:
        from flask_babel import get_locale

        return render_template("errors/503.html", locale=str(get_locale() or "en")), 503, headers
    except Exception:
        log.exception("could not render the 503 page")
        return "Service temporarily unavailable. Please try again in a minute.", 503, headers


def _is_connection_error(error: DBAPIError) -> bool:
    """Lost or refused connections (and SQLite's "database is locked"), not bugs in our SQL."""
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> tuple[Response | str, int, dict[str, str]]:
        if not _is_connection_error(error):
            raise error  # a bug (constraint, SQL error): the usual 500
        return _database_unavailable(error)

    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        pass
    else:
        app.register_error_handler(psycopg.OperationalError, _database_unavailable)

    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify(error="conflict", message=str(error)), 409
        return render_template("errors/conflict.html", message=str(error)), 409

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify(error="forbidden", message=error.description), 403
        return render_template("errors/403.html"), 403

    @app.errorhandler(429)
    def too_many(error: HTTPException) -> tuple[Response | str, int]:
        # Same answer whether or not the account exists: the limit reveals nothing.
        if _wants_json():
            return jsonify(error="too_many_requests", message="too many attempts, wait a minute"), 429
        return render_template("errors/429.html"), 429

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    def not_found(error: HTTPException | NotFound) -> tuple[Response | str, int]:
        # Unknown and someone else's objects get the same page: existence is not revealed.
        if _wants_json():
            return jsonify(error="not_found", message="not found"), 404
        return render_template("errors/404.html"), 404
