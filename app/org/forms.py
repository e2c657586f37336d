"""The body form of the admin pages; limits match ``app.org.services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.org.models import BodyKind
from app.org.services import CODE_MAX_LENGTH, CODE_PATTERN, NAME_MAX_LENGTH

KIND_LABELS = {
    BodyKind.CENTRAL_OFFICE: _l("Central office (BCRC)"),
    BodyKind.MINISTRY: _l("Ministry"),
    BodyKind.GOVERNORATE: _l("Governorate"),
    BodyKind.MUNICIPALITY: _l("Municipality"),
    BodyKind.AGENCY: _l("Agency or unit"),
    BodyKind.SERVICE_HOUSE: _l("Digital service house"),
}


def _name_field(label: object, **render_kw: str | int) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
        render_kw={"maxlength": NAME_MAX_LENGTH, **render_kw},
    )


class BodyForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=CODE_MAX_LENGTH),
            Regexp(CODE_PATTERN, message=_l("Lower-case letters, digits and single hyphens.")),
        ],
        description=_l("A short identifier such as min-health or mun-sfax."),
        render_kw={"maxlength": CODE_MAX_LENGTH, "dir": "ltr", "autocapitalize": "none"},
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in BodyKind]
    )
    name_ar = _name_field(_l("Name in Arabic"), dir="rtl", lang="ar")
    name_fr = _name_field(_l("Name in French"), dir="ltr", lang="fr")
    name_en = _name_field(_l("Name in English"), dir="ltr", lang="en")
    # Choices are the other bodies, filled by the view; "" means no parent.
    parent_code = SelectField(_l("Part of"), validators=[Optional()])
    submit = SubmitField(_l("Save"))
