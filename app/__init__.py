"""epeople: petition routing for public administrations.

``create_app`` builds everything (settings, database, engine, blueprints, CLI); nothing runs at
import time, so tests, the worker and gunicorn each get an app of their own.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

import config
from app import (  # noqa: F401  (worker: registers `flask epeople worker`)
    admin,
    adminhome,
    api,
    audit,
    auth,
    calendar,
    cli,
    db,
    engine,
    errors,
    i18n,
    notifications,
    org,
    petitions,
    routing,
    security,
    stats,
    tasks,
    worker,
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    settings = config.load((overrides or {}).get("ENVIRONMENT"))
    settings.update(overrides or {})
    app = Flask(__name__, instance_path=os.path.join(settings["BASE_DIR"], "instance"))
    app.config.update(settings)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    engine.init_app(app)
    calendar.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    i18n.init_app(app)
    notifications.init_app(app)
    audit.init_app(app)  # after notifications: its commit hook then runs last
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(org.bp)
    app.register_blueprint(adminhome.bp)
    petitions.init_app(app)
    tasks.init_app(app)
    routing.init_app(app)
    admin.init_app(app)
    api.init_app(app)
    stats.init_app(app)
    security.init_app(app)  # last: it wraps the views every blueprint registered
    return app
