"""Statistics pages and open-data downloads. Views read the filters, ask ``StatsService`` and
render; every download is public and rate-limited like the other anonymous lookups."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from app.auth.permissions import staff_required
from app.db import database, get_session
from app.i18n import current_language
from app.org.services import BodyService
from app.petitions import labels as petition_labels
from app.security import rate_limited
from app.stats import bp, labels, stats_service
from app.stats.opendata import petitions_csv, summary_csv, summary_json
from app.stats.services import StatsError, StatsFilters, StatsService, Summary


def _filters() -> StatsFilters:
    args = request.args
    try:
        return StatsFilters(
            start=args.get("from") or None,
            end=args.get("to") or None,
            petition_type=args.get("type") or None,
            body=(args.get("body") or "").strip()[:100] or None,
            channel=args.get("channel") or None,
        )
    except StatsError as error:
        abort(400, description=str(error))


def _body_names() -> dict[str, str]:
    locale = current_language()
    return {b.code: b.display_name(locale) for b in BodyService(get_session()).list(include_inactive=True)}


def _chart(title: str, pairs: list[tuple[str, int]], names: dict[str, Any] | None = None) -> str:
    """The JSON a chart canvas carries in ``data-chart`` (read by static/stats.js)."""
    names = names or {}
    return json.dumps(
        {
            "title": title,
            "labels": [str(names.get(key, key)) for key, _count in pairs],
            "values": [count for _key, count in pairs],
        },
        ensure_ascii=False,
    )


def _render(template: str, summary: Summary, filters: StatsFilters) -> str:
    bodies = _body_names()
    types = dict(petition_labels.TYPES)
    charts = {
        "received": _chart(_("Petitions received per month"), summary.received_by_month),
        "closed": _chart(_("Petitions closed per month"), summary.closed_by_month),
        "type": _chart(_("Petitions by type"), summary.by_type, types),
        "body": _chart(_("Petitions by body"), summary.by_body, bodies),
        "channel": _chart(_("Petitions by channel"), summary.by_channel, dict(labels.CHANNELS)),
    }
    return render_template(
        template,
        summary=summary,
        filters=filters,
        charts=charts,
        bodies=bodies,
        type_names=types,
        channel_names=labels.CHANNELS,
        query=filters.as_query(),
        number=_number,
        percent=_percent,
    )


def _number(value: float | None) -> str:
    return "–" if value is None else format_decimal(round(value, 1))


def _percent(value: float | None) -> str:
    return "–" if value is None else format_percent(value, "#,##0.#%")


@bp.route("/")
def index() -> str:
    filters = _filters()
    return _render("stats/index.html", stats_service().summary(filters), filters)


@bp.route("/staff")
@staff_required
def staff() -> str:
    filters = _filters()
    return _render("stats/staff.html", stats_service().summary(filters), filters)


@bp.route("/data.json")
@rate_limited("LOOKUP_RATE_LIMIT", methods=("GET",))
def data_json() -> Response:
    filters = _filters()
    body = json.dumps(summary_json(stats_service().summary(filters), filters), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json")


@bp.route("/data.csv")
@rate_limited("LOOKUP_RATE_LIMIT", methods=("GET",))
def data_csv() -> Response:
    filters = _filters()
    return _csv(summary_csv(stats_service().summary(filters)), "petition-statistics.csv")


@bp.route("/petitions.csv")
@rate_limited("LOOKUP_RATE_LIMIT", methods=("GET",))
def petitions() -> Response:
    filters = _filters()
    base = stats_service()
    holidays, unit, db = base.holidays, base.corruption_unit, database()

    def lines() -> Iterator[str]:
        # A session of its own, closed as soon as the last line is out: the request's session
        # would stay in its transaction (with an open cursor) until the response is closed.
        with db.session() as session:
            yield from petitions_csv(StatsService(session, unit, holidays).petition_rows(filters))

    return _csv(lines(), "petitions-anonymised.csv")


def _csv(content: Any, filename: str) -> Response:
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
