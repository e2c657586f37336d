"""Administrators' pages for public holidays: list by year, add, rename, remove, seed, and a
working-days preview to check what a deadline will be.

Every change goes through ``calendar_service()``, whose cache is dropped when the change
commits, so deadlines computed afterwards (in this process at once, in the others within the
cache's ``ttl``) count the new holidays. POSTs are checked for their CSRF token by
``CSRFProtect`` (set up in ``app.auth``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.auth.permissions import role_required
from app.calendar import bp, calendar_service
from app.calendar.forms import (
    MAX_YEAR,
    MIN_YEAR,
    HolidayForm,
    HolidayNamesForm,
    RemoveForm,
    SeedForm,
    WorkingDaysForm,
)
from app.calendar.models import Holiday
from app.calendar.service import CalendarError, CalendarService, parse_moment
from app.db import get_session
from app.i18n import current_language


@dataclass(frozen=True)
class Preview:
    """The answer of the working-days form: ``days`` working days after ``start`` is ``end``."""

    days: int
    start: date
    end: date


def _this_year() -> int:
    return datetime.now(timezone.utc).year


def _year_asked() -> int:
    """``?year=``, or this year when it is missing or not a plausible year."""
    year = request.args.get("year", type=int)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else _this_year()


def _day_or_404(service: CalendarService, day: str) -> Holiday:
    try:
        holiday = service.get(date.fromisoformat(day))
    except ValueError:
        abort(404)
    if holiday is None:
        abort(404)
    return holiday


def _names(form: HolidayNamesForm) -> tuple[str, str, str]:
    return form.name_en.data or "", form.name_fr.data or "", form.name_ar.data or ""


def _to_list(year: int) -> Response:
    return redirect(url_for("calendar.list_holidays", year=year))


def _preview(service: CalendarService, form: WorkingDaysForm) -> Preview | None:
    """The preview asked for in the query string, if any and valid (errors stay on ``form``)."""
    if "days" not in request.args and "start" not in request.args:
        return None
    if not form.validate() or form.days.data is None or form.start.data is None:
        return None
    end = service.add_working_days(parse_moment(form.start.data), form.days.data)
    return Preview(days=form.days.data, start=form.start.data, end=end.date())


@bp.route("")
@role_required(Role.ADMIN)
def list_holidays() -> str:
    service = calendar_service()
    year = _year_asked()
    today = datetime.now(timezone.utc).date()
    preview_form = WorkingDaysForm(formdata=request.args, data={"start": today, "days": 30})
    years = {holiday.day.year for holiday in service.list()} | {year - 1, year, year + 1}
    return render_template(
        "calendar/list.html",
        year=year,
        years=sorted(years),
        holidays=service.list(year),
        seed_form=SeedForm(data={"year": year}),
        preview_form=preview_form,
        preview=_preview(service, preview_form),
        locale=current_language(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def add_holiday() -> Response | str:
    service = calendar_service()
    form = HolidayForm()
    if form.validate_on_submit() and form.day.data is not None:
        day = form.day.data
        existing = service.get(day)
        if existing is not None:
            form.day.errors.append(
                _(
                    "%(day)s is already a holiday (%(name)s): rename it instead.",
                    day=format_date(day, "long"),
                    name=existing.name(current_language()),
                )
            )
        else:
            try:
                service.add(day, *_names(form))
            except CalendarError as error:  # the form checks the same rules; kept as a guard
                form.name_en.errors.append(str(error))
            else:
                get_session().commit()
                flash(_("%(day)s was added as a holiday.", day=format_date(day, "long")), "success")
                return _to_list(day.year)
    return render_template("calendar/form.html", form=form, holiday=None, year=_year_asked())


@bp.route("/<day>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def rename_holiday(day: str) -> Response | str:
    service = calendar_service()
    holiday = _day_or_404(service, day)
    form = HolidayNamesForm(obj=holiday)
    if form.validate_on_submit():
        try:
            service.rename(holiday.day, *_names(form))
        except CalendarError as error:
            form.name_en.errors.append(str(error))
        else:
            get_session().commit()
            flash(
                _("The holiday of %(day)s was renamed.", day=format_date(holiday.day, "long")),
                "success",
            )
            return _to_list(holiday.day.year)
    return render_template("calendar/form.html", form=form, holiday=holiday, year=holiday.day.year)


@bp.route("/<day>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def remove_holiday(day: str) -> Response | str:
    """GET asks for confirmation; POST removes."""
    service = calendar_service()
    holiday = _day_or_404(service, day)
    form = RemoveForm()
    if form.validate_on_submit():
        service.remove(holiday.day)
        get_session().commit()
        flash(_("%(day)s is no longer a holiday.", day=format_date(holiday.day, "long")), "success")
        return _to_list(holiday.day.year)
    return render_template(
        "calendar/remove.html", form=form, holiday=holiday, locale=current_language()
    )


@bp.route("/seed", methods=["POST"])
@role_required(Role.ADMIN)
def seed_holidays() -> Response:
    form = SeedForm()
    if not form.validate_on_submit() or form.year.data is None:
        flash(
            _("Choose a year between %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR),
            "error",
        )
        return _to_list(_this_year())
    year = form.year.data
    added = calendar_service().seed_tunisia(year)
    get_session().commit()
    if added:
        message = ngettext(
            "%(num)d fixed holiday was added for %(year)d.",
            "%(num)d fixed holidays were added for %(year)d.",
            len(added),
            year=year,
        )
    else:
        message = _("All of Tunisia's fixed holidays for %(year)d were already there.", year=year)
    flash(message, "success")
    return _to_list(year)
