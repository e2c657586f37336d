"""The forms of the accounts pages (Flask-WTF, so each carries a CSRF token).

Limits match the columns and ``app.auth.validation``; the service checks again, because the
CLI and seeding have no form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from app.auth.models import Role
from app.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from app.auth.validation import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NATIONAL_ID_PATTERN,
    PHONE_MAX_LENGTH,
    PHONE_PATTERN,
)
from app.i18n import LANGUAGE_NAMES, LANGUAGES

ROLE_LABELS = {
    Role.CITIZEN: _l("Citizen"),
    Role.RELATIONS_AGENT: _l("Relations office agent"),
    Role.BODY_AGENT: _l("Public body agent"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
}


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=EMAIL_MAX_LENGTH),
            Email(message=_l("Enter a valid e-mail address.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l(
                    "Choose a password of %(min)d to %(max)d characters.",
                    min=PASSWORD_MIN_LENGTH,
                    max=PASSWORD_MAX_LENGTH,
                ),
            ),
        ],
        description=_l("At least %(min)d characters.", min=PASSWORD_MIN_LENGTH),
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )
    return password, confirm


def _full_name_field() -> StringField:
    return StringField(
        _l("Full name"),
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX_LENGTH},
    )


def _phone_field() -> TelField:
    return TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX_LENGTH),
            Regexp(PHONE_PATTERN, message=_l("Use digits, spaces and an optional +.")),
        ],
        render_kw={"autocomplete": "tel", "maxlength": PHONE_MAX_LENGTH},
    )


class RegisterForm(FlaskForm):
    full_name = _full_name_field()
    email = _email_field()
    phone = _phone_field()
    national_id = StringField(
        _l("National identity card number (optional)"),
        validators=[
            Optional(),
            Length(max=8),
            Regexp(NATIONAL_ID_PATTERN, message=_l("Exactly 8 digits.")),
        ],
        description=_l("8 digits, as on your CIN."),
        render_kw={"inputmode": "numeric", "maxlength": 8},
    )
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[DataRequired()],
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password", "maxlength": PASSWORD_MAX_LENGTH},
    )
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save the new password"))


class StaffForm(FlaskForm):
    """Opens a staff account; the person then gets a link to choose a password."""

    full_name = _full_name_field()
    email = _email_field()
    phone = _phone_field()
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in Role if role.is_staff],
        validators=[DataRequired()],
    )
    # Choices are the active bodies, filled by the view; 0 stands for "none" (admins only).
    body_id = SelectField(_l("Public body"), coerce=int, validators=[Optional()])
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Create the account"))
