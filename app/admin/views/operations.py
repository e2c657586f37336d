"""Operations on running petitions: retry a failed step, suspend, resume."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.admin import bp, process_admin
from app.admin.views import actor, admin_required
from app.db import get_session


def _back() -> Response:
    target = request.form.get("back", "")
    return redirect(target if target.startswith("/admin/") else url_for("admin.processes"))


@bp.route("/instances/<int:instance_id>/retry", methods=["POST"])
@admin_required
def retry(instance_id: int) -> Response:
    process_admin().retry(instance_id, actor())
    get_session().commit()
    flash(_("The failed step was run again."), "success")
    return _back()


@bp.route("/instances/<int:instance_id>/suspend", methods=["POST"])
@admin_required
def suspend(instance_id: int) -> Response:
    process_admin().suspend(instance_id, actor())
    get_session().commit()
    flash(_("The petition is suspended: no step runs until it is resumed."), "success")
    return _back()


@bp.route("/instances/<int:instance_id>/resume", methods=["POST"])
@admin_required
def resume(instance_id: int) -> Response:
    process_admin().resume(instance_id, actor())
    get_session().commit()
    flash(_("The petition is running again."), "success")
    return _back()
