"""Statistics and open data: the public page ``/statistics``, the staff dashboard
``/statistics/staff``, and the downloads ``/statistics/data.csv``, ``/statistics/data.json``
and ``/statistics/petitions.csv`` (anonymised).

Read-only queries live in ``services.StatsService``; ``stats_service()`` builds one on the
request's session with the app's holiday cache. They read a pre-aggregated summary that
``refresh.StatsRefresher`` rebuilds: every ``STATS_REFRESH_SECONDS`` in ``flask epeople worker``,
and on demand with ``flask epeople stats-refresh [--full]``. Charts use Chart.js from npm, copied into
``static/vendor/`` by ``make install`` (git-ignored); the tables next to them are the truth.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

from app.db import get_session
from app.stats.services import StatsError, StatsFilters, StatsService, Summary

__all__ = ["StatsError", "StatsFilters", "StatsService", "Summary", "bp", "init_app", "stats_service"]

bp = Blueprint(
    "stats",
    __name__,
    url_prefix="/statistics",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def init_app(app: Flask) -> None:
    from app.stats import cli  # registers ``flask epeople stats-refresh``

    # After the demo petitions (app.petitions is initialised before this package): `make run`
    # starts no worker, and its statistics page must show them.
    app.extensions.setdefault("demo_loaders", []).append(cli.load_demo_summary)
    app.register_blueprint(bp)


def stats_service() -> StatsService:
    from app.calendar import holiday_cache

    return StatsService(get_session(), current_app.config["CORRUPTION_UNIT"], holiday_cache().get())


from app.stats import views  # noqa: E402,F401  (registers the routes on bp)
