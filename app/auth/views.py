"""Citizen-facing account pages: register, log in and out, forgotten and reset password, and
one's own data (download it, close the account)."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.audit.models import Action
from app.auth import bp, oidc
from app.auth.errors import InvalidAccountData, InvalidCredentials, InvalidResetToken
from app.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.auth.models import Role, User
from app.auth.navigation import landing_url
from app.auth.passwords import passwords
from app.auth.permissions import safe_next
from app.auth.privacy import PrivacyService, citizen_event
from app.auth.services import UserService
from app.db import get_session
from app.i18n import current_language
from app.notifications import mailer
from app.security import rate_limited


def users() -> UserService:
    """The account service bound to this request's session and the app's mailer."""
    return UserService(get_session(), mailer())


def _fresh_session() -> None:
    """Drop everything kept in the session but the chosen language, at login and logout."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session (password and e-ID sign-in alike)."""
    _fresh_session()
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
@rate_limited("SUBMIT_RATE_LIMIT")
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_language.data = current_language()
    if form.validate_on_submit():
        try:
            user = users().register(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                phone=form.phone.data,
                national_id=form.national_id.data,
                preferred_language=form.preferred_language.data or "",
            )
        except InvalidAccountData as error:
            getattr(form, error.field, form.email).errors.append(str(error))
        else:
            start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(landing_url(user))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("LOGIN_RATE_LIMIT")
@rate_limited("LOGIN_RATE_LIMIT", per="account")
def login() -> Response | str:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or landing_url(current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = users().authenticate(form.email.data or "", form.password.data or "")
        except InvalidCredentials:
            # One message for unknown e-mail, wrong password and disabled account alike.
            error = _("Invalid e-mail address or password.")
        else:
            start_session(user)
            flash(_("You are logged in."), "success")
            return redirect(next_url or landing_url(user))
    return render_template(
        "auth/login.html", form=form, next_url=next_url, error=error,
        oidc_label=current_app.config["OIDC_LABEL"] if oidc.enabled() else None,
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """POST only, and CSRFProtect checks its token: a link or an image cannot log anyone out."""
    logout_user()
    _fresh_session()
    flash(_("You are logged out."), "success")
    return redirect(landing_url(None))


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limited("LOGIN_RATE_LIMIT")
def forgot_password() -> Response | str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        users().request_password_reset(form.email.data or "")
        # Same words whether or not the address has an account.
        flash(
            _(
                "If an account uses this address, we have sent it a link to choose a new "
                "password. The link works once, for one hour."
            ),
            "info",
        )
        return redirect(request.path)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    service = users()
    form = ResetPasswordForm()
    try:
        service.user_for_reset_token(token)
        if form.validate_on_submit():
            user = service.reset_password(token, form.password.data or "")
            citizen_event(get_session(), Action.PASSWORD_RESET, user.id, f"user:{user.id}")
            get_session().commit()
            flash(_("Your password was changed. You can log in with it now."), "success")
            return _no_referrer(redirect(url_for("auth.login")))
    except InvalidResetToken as error:
        page = render_template("auth/reset_password.html", form=None, error=str(error))
        return _no_referrer(page, 400)
    except InvalidAccountData as error:
        form.password.errors.append(str(error))
    return _no_referrer(render_template("auth/reset_password.html", form=form, error=None))


def _no_referrer(response: Response | str, status: int = 200) -> Response:
    """The token is in the URL: keep it out of Referer headers sent from this page."""
    made = make_response(response, status) if isinstance(response, str) else response
    made.headers["Referrer-Policy"] = "no-referrer"
    return made


def privacy() -> PrivacyService:
    from app.petitions import petition_service

    return PrivacyService(get_session(), petition_service(), passwords())


@bp.route("/account/data")
@login_required
def my_data() -> str:
    return render_template("auth/my_data.html", can_close=current_user.role == Role.CITIZEN)


@bp.route("/account/data.json")
@login_required
def my_data_json() -> Response:
    response = jsonify(privacy().export(current_user))
    response.headers["Content-Disposition"] = "attachment; filename=epeople-my-data.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
@rate_limited("LOGIN_RATE_LIMIT")
def close_account() -> Response:
    """Citizens only: staff accounts are closed by an administrator (their work stays theirs)."""
    if current_user.role != Role.CITIZEN:
        abort(403)
    error = None
    if request.method == "POST":
        try:
            privacy().close(current_user._get_current_object(), request.form.get("password", ""))
        except InvalidCredentials:
            error = _("The password is not correct.")
        else:
            logout_user()
            _fresh_session()
            flash(_("Your account is closed and your personal data removed."), "success")
            return redirect(landing_url(None))
    page = render_template("auth/close_account.html", error=error)
    return make_response(page, 400 if error else 200)
