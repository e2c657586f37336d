"""Administrators' pages for staff accounts: the list, and opening a new account."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.auth import bp
from app.auth.errors import InvalidAccountData
from app.auth.forms import ROLE_LABELS, StaffForm
from app.auth.models import Role
from app.auth.permissions import role_required
from app.auth.views import users
from app.db import get_session
from app.i18n import current_language
from app.org.services import BodyNotFound, BodyService

NO_BODY = 0


@bp.route("/admin/users")
@role_required(Role.ADMIN)
def list_staff() -> str:
    return render_template(
        "auth/staff_list.html",
        staff=users().list_staff(),
        role_labels=ROLE_LABELS,
        locale=current_language(),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_staff() -> Response | str:
    bodies = BodyService(get_session())
    form = StaffForm()
    locale = current_language()
    form.body_id.choices = [SelectChoice(NO_BODY, _("— None (administrators only) —"))] + [
        SelectChoice(body.id, body.display_name(locale)) for body in bodies.list()
    ]
    if form.validate_on_submit():
        try:
            body = bodies.get(form.body_id.data) if form.body_id.data else None
            user = users().create_staff(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=form.role.data or "",
                body=body,
                phone=form.phone.data,
                preferred_language=form.preferred_language.data or "",
            )
        except BodyNotFound:
            form.body_id.errors.append(_("Choose a body from the list."))
        except InvalidAccountData as error:
            field = error.field if error.field in form else "email"
            form[field].errors.append(str(error))
        else:
            flash(
                _(
                    "Account created for %(email)s; a link to choose a password was sent.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.list_staff"))
    return render_template("auth/staff_form.html", form=form)
