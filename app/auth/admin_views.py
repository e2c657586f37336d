"""Administrators' pages for accounts: the staff list, opening a staff account, and merging
two citizen accounts of the same person."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.auth import bp
from app.auth.errors import InvalidAccountData
from app.auth.forms import ROLE_LABELS, StaffForm
from app.auth.merge import AccountMerger, MergeRefused
from app.auth.models import Role
from app.auth.passwords import passwords
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


@bp.route("/admin/users/merge", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def merge_accounts() -> Response:
    """Two steps: the addresses give a summary of what moves; only the confirmed form merges."""
    merger = AccountMerger(get_session(), passwords())
    keep, drop = request.form.get("keep", ""), request.form.get("drop", "")
    plan, error = None, None
    if request.method == "POST":
        try:
            if request.form.get("confirm") == "yes":
                done = merger.merge(keep, drop, current_user)
                get_session().commit()
                flash(_("Account %(drop)s was merged into %(keep)s and closed.", drop=drop, keep=done.keep.email), "success")
                return redirect(url_for("auth.merge_accounts"))
            plan = merger.plan(keep, drop)
        except MergeRefused as refused:
            get_session().rollback()
            error = str(refused)
    page = render_template("auth/merge.html", plan=plan, error=error, keep=keep, drop=drop)
    return make_response(page, 400 if error else 200)
