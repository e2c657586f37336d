"""Turns domain errors into HTTP answers in one place, so views stay thin."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.wrappers import Response

from app.engine.types import Conflict


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify(error="conflict", message=str(error)), 409
        return render_template("errors/conflict.html", message=str(error)), 409
