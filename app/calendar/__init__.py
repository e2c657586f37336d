"""Working days and public holidays.

``init_app`` keeps one ``HolidayCache`` per app in ``app.extensions['calendar']`` and exposes
``working_days(n, start=None)``, ``working_days_left(due)`` and ``days(n)`` to routing diagrams
(see ``app.calendar.service.diagram_functions``). ``calendar_service()`` gives a
``CalendarService`` bound to the request's session and that cache: use it for every holiday
change, so deadlines computed in workflow steps see the change. ``flask epeople
seed-holidays [YEAR...]`` adds Tunisia's fixed-date holidays (``init-db --demo`` does it for
this year and the next). ``bp`` serves the administrators' holiday pages at ``/admin/holidays``
and is registered by ``init_app``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

from app import engine
from app.calendar.models import Holiday
from app.calendar.service import (
    TUNISIA_FIXED_HOLIDAYS,
    CalendarError,
    CalendarService,
    HolidayCache,
    HolidayDates,
    diagram_functions,
)
from app.db import get_session

__all__ = [
    "TUNISIA_FIXED_HOLIDAYS",
    "CalendarError",
    "CalendarService",
    "Holiday",
    "HolidayCache",
    "HolidayDates",
    "bp",
    "calendar_service",
    "holiday_cache",
    "init_app",
]

bp = Blueprint("calendar", __name__, url_prefix="/admin/holidays", template_folder="templates")


def init_app(app: Flask) -> None:
    cache = HolidayCache(app.extensions["db"], ttl=float(app.config.get("HOLIDAY_CACHE_SECONDS", 300)))
    app.extensions["calendar"] = cache
    functions = diagram_functions(cache.get)
    for name, function in functions.items():
        engine.register_function(app, name, function)
    from app.calendar import cli

    app.extensions.setdefault("demo_loaders", []).append(cli.load_demo_holidays)
    app.register_blueprint(bp)


def holiday_cache() -> HolidayCache:
    cache: HolidayCache = current_app.extensions["calendar"]
    return cache


def calendar_service() -> CalendarService:
    return CalendarService(get_session(), holiday_cache())


# Imported last: the views need ``bp`` (and ``calendar_service``).
from app.calendar import views  # noqa: E402,F401
