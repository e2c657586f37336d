"""Turns domain errors into HTTP answers in one place, so views stay thin."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.engine.types import Conflict, NotFound


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
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
