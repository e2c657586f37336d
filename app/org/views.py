"""Administrators' pages for public bodies: list, create, edit, deactivate and reactivate.

POSTs are checked for their CSRF token by ``CSRFProtect`` (set up in ``app.auth``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.auth.models import Role
from app.auth.permissions import role_required
from app.db import get_session
from app.i18n import current_language
from app.org import bp
from app.org.forms import KIND_LABELS, BodyForm
from app.org.models import Body
from app.org.services import BodyData, BodyNotFound, BodyService, InvalidBody


def bodies() -> BodyService:
    return BodyService(get_session())


def _body_or_404(service: BodyService, code: str) -> Body:
    try:
        return service.get_by_code(code)
    except BodyNotFound:
        abort(404)


def _parent_choices(service: BodyService, editing: Body | None) -> list[SelectChoice]:
    locale = current_language()
    return [SelectChoice("", _("— None —"))] + [
        SelectChoice(body.code, body.display_name(locale))
        for body in service.list()
        if editing is None or body.id != editing.id
    ]


def _data(form: BodyForm) -> BodyData:
    return BodyData(
        code=form.code.data or "",
        kind=form.kind.data or "",
        name_en=form.name_en.data or "",
        name_fr=form.name_fr.data or "",
        name_ar=form.name_ar.data or "",
        parent_code=form.parent_code.data or None,
    )


@bp.route("")
@role_required(Role.ADMIN)
def list_bodies() -> str:
    return render_template(
        "org/list.html",
        bodies=bodies().list(include_inactive=True),
        kind_labels=KIND_LABELS,
        locale=current_language(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_body() -> Response | str:
    service = bodies()
    form = BodyForm()
    form.parent_code.choices = _parent_choices(service, None)
    if form.validate_on_submit():
        try:
            body = service.create(_data(form))
        except InvalidBody as error:
            form.code.errors.append(str(error))
        else:
            flash(_("The body %(code)s was created.", code=body.code), "success")
            return redirect(url_for("org.list_bodies"))
    return render_template("org/form.html", form=form, body=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_body(code: str) -> Response | str:
    service = bodies()
    body = _body_or_404(service, code)
    form = BodyForm(
        obj=body, parent_code=body.parent.code if body.parent else "", kind=body.kind.value
    )
    form.parent_code.choices = _parent_choices(service, body)
    if form.validate_on_submit():
        try:
            service.update(body, _data(form))
        except InvalidBody as error:
            form.code.errors.append(str(error))
        else:
            flash(_("The body %(code)s was saved.", code=body.code), "success")
            return redirect(url_for("org.list_bodies"))
    return render_template("org/form.html", form=form, body=body)


@bp.route("/<code>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_body(code: str) -> Response:
    service = bodies()
    body = _body_or_404(service, code)
    service.deactivate(body)
    flash(_("The body %(code)s was deactivated.", code=body.code), "success")
    return redirect(url_for("org.list_bodies"))


@bp.route("/<code>/activate", methods=["POST"])
@role_required(Role.ADMIN)
def activate_body(code: str) -> Response:
    service = bodies()
    body = _body_or_404(service, code)
    service.activate(body)
    flash(_("The body %(code)s was reactivated.", code=body.code), "success")
    return redirect(url_for("org.list_bodies"))
