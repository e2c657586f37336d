"""Forms of the holiday pages; limits match ``app.calendar.models`` and ``CalendarService``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from app.calendar.service import MAX_WORKING_DAYS

NAME_MAX_LENGTH = 200  # calendar_holiday.name_* are String(200); CalendarService checks it too
# The years CalendarService.seed_tunisia accepts; other dates are typing mistakes, not holidays.
MIN_YEAR = 1900
MAX_YEAR = 2200


def _name_field(label: object, **render_kw: str | int) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
        render_kw={"maxlength": NAME_MAX_LENGTH, **render_kw},
    )


def _plausible_year(_form: Any, field: DateField) -> None:
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(
            _l("Give a date between %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR)
        )


class HolidayNamesForm(FlaskForm):
    """The three names of a holiday: what renaming changes."""

    name_ar = _name_field(_l("Name in Arabic"), dir="rtl", lang="ar")
    name_fr = _name_field(_l("Name in French"), dir="ltr", lang="fr")
    name_en = _name_field(_l("Name in English"), dir="ltr", lang="en")
    submit = SubmitField(_l("Save"))


class HolidayForm(HolidayNamesForm):
    """A new holiday: its date and names."""

    # InputRequired, not DataRequired: a date that does not parse keeps its own message
    # ("Not a valid date value") instead of "This field is required".
    day = DateField(
        _l("Date"),
        validators=[InputRequired(), _plausible_year],
        description=_l("Islamic holidays move every year: enter the date announced for this year."),
        render_kw={"min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31"},
    )
    submit = SubmitField(_l("Add the holiday"))


class SeedForm(FlaskForm):
    """The "add Tunisia's fixed holidays" button; the year comes from the page shown."""

    year = IntegerField(
        _l("Year"),
        validators=[InputRequired(), NumberRange(min=MIN_YEAR, max=MAX_YEAR)],
        widget=HiddenInput(),
    )


class RemoveForm(FlaskForm):
    """Only the CSRF token: the date is in the URL."""


class WorkingDaysForm(FlaskForm):
    """The working-days preview, sent with GET (so no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    days = IntegerField(
        _l("Working days"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_WORKING_DAYS)],
        render_kw={"min": 0, "max": MAX_WORKING_DAYS, "inputmode": "numeric"},
    )
    start = DateField(_l("After"), validators=[InputRequired(), _plausible_year])
