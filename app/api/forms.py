"""Forms of the API key pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

NAME_MAX_LENGTH = 200  # api_client.name is String(200)
EMAIL_MAX_LENGTH = 254


def _printable(_form: FlaskForm, field: Field) -> None:
    if any(ord(char) < 32 for char in field.data or ""):
        raise ValidationError(_l("Use letters, digits and punctuation only."))


class ApiClientForm(FlaskForm):
    name = StringField(
        _l("Client name"),
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH), _printable],
        description=_l("The application or partner, e.g. “Sfax municipality app”."),
        render_kw={"maxlength": NAME_MAX_LENGTH},
    )
    contact_email = EmailField(
        _l("Technical contact e-mail"),
        validators=[
            DataRequired(),
            Email(check_deliverability=False),
            Length(max=EMAIL_MAX_LENGTH),
        ],
        description=_l("Who to warn before the key is revoked or the API changes."),
        render_kw={"maxlength": EMAIL_MAX_LENGTH, "dir": "ltr"},
    )
    submit = SubmitField(_l("Issue a key"))


class RevokeForm(FlaskForm):
    """Only the CSRF token: the client is in the URL."""
