"""The workflow engine: the only package that imports SpiffWorkflow.

``init_app`` builds one ``Runtime`` per app (spec cache, script sandbox, forms) and registers
the CLI; ``engine_service()`` gives an ``EngineService`` bound to the request's session.
Other packages expose functions to diagrams (e.g. working-day deadlines) with
``register_function`` from their own ``init_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.db import get_session
from app.engine.forms import FormRegistry
from app.engine.runtime import Runtime
from app.engine.service import EngineService


def init_app(app: Flask) -> None:
    functions: dict[str, Callable[..., Any]] = {}
    app.extensions["engine_functions"] = functions
    app.extensions["engine"] = Runtime(
        FormRegistry(app.config["FORMS_DIR"]),
        functions,
        max_steps=app.config["SCRIPT_MAX_STEPS"],
        time_limit=app.config["SCRIPT_TIME_LIMIT"],
        max_bpmn_bytes=app.config["MAX_BPMN_BYTES"],
    )
    from app.engine import cli

    cli.init_app(app)


def register_function(app: Flask, name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` callable from diagram scripts, conditions and timer expressions."""
    app.extensions["engine_functions"][name] = function


def register_step_listener(
    app: Flask,
    listener: Callable[[Any, Any], None],
    prefetch: Callable[[Any, list[int]], None] | None = None,
) -> None:
    """Call ``listener(session, InstanceInfo)`` after a timer, retry, resume or migration moved
    an instance on, in the same transaction. ``prefetch(session, instance_ids)``, if given, runs
    before the timer worker fires a batch, so the listener can read what it needs for the whole
    batch in one query rather than one per instance."""
    app.extensions["engine"].step_listeners.append(listener)
    if prefetch is not None:
        app.extensions["engine"].step_prefetchers.append(prefetch)


def runtime() -> Runtime:
    value: Runtime = current_app.extensions["engine"]
    return value


def engine_service() -> EngineService:
    return EngineService(get_session(), runtime())
