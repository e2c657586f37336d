"""Routing assistant: suggest the competent body, similar public answers and likely duplicates.

``init_app`` keeps one ``ModelCache`` per app, registers the blueprint (the similar-answers
endpoint of the start form and the public answer pages), the ``flask epeople routing-train``
command and the diagram function ``suggest_body(text)``. With no trained model every
suggestion is simply empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, current_app

from app import engine
from app.db import get_session
from app.routing.services import ModelCache, RoutingService, RoutingSettings

bp = Blueprint("routing", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    cache = app.extensions["routing"] = ModelCache()
    engine.register_function(app, "suggest_body", _suggest_body_for(app, cache))
    from app.routing import cli

    # After the demo petitions (registered by app.petitions, initialised before this package).
    app.extensions.setdefault("demo_loaders", []).append(cli.load_demo_model)

    app.register_blueprint(bp)


def settings_from(config: Mapping[str, Any]) -> RoutingSettings:
    return RoutingSettings(
        similar_limit=int(config["ROUTING_SIMILAR_LIMIT"]),
        similar_min_score=float(config["ROUTING_SIMILAR_MIN_SCORE"]),
        duplicate_min_score=float(config["ROUTING_DUPLICATE_MIN_SCORE"]),
        duplicate_same_citizen_min_score=float(config["ROUTING_DUPLICATE_SAME_CITIZEN_MIN_SCORE"]),
        duplicate_days=int(config["ROUTING_DUPLICATE_DAYS"]),
        duplicate_candidates=int(config["ROUTING_DUPLICATE_CANDIDATES"]),
    )


def routing_service() -> RoutingService:
    return RoutingService(get_session(), current_app.extensions["routing"], settings_from(current_app.config))


def _suggest_body_for(app: Flask, cache: ModelCache) -> Callable[[str], list[Any]]:
    """Bound to the app, not to a request: timers and engine-level callers have no app context."""
    settings = settings_from(app.config)

    def suggest_body(text: str) -> list[Any]:
        """For diagrams: ``[body_code, score]`` of the most likely competent body, or
        ``[None, 0.0]`` when there is no model (so a threshold test simply fails)."""
        with app.extensions["db"].session() as session:
            best = RoutingService(session, cache, settings).suggest_bodies(str(text), limit=1)
        return [best[0].key, best[0].score] if best else [None, 0.0]

    return suggest_body


from app.routing import views  # noqa: E402,F401  (registers the routes on bp)
