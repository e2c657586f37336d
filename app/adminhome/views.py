"""``/admin/``: the administrators' landing page."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from app.adminhome import bp
from app.adminhome.services import admin_counts
from app.auth.models import Role
from app.auth.permissions import role_required
from app.db import get_session
from app.petitions.labels import STATUSES

# The citizen-facing labels speak to the citizen ("from you"); staff read these instead.
STATUS_LABELS = {
    **STATUSES,
    "information_requested": _l("Waiting for the citizen's information"),
    "abandoned": _l("Closed: the citizen did not reply"),
}


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template(
        "adminhome/index.html", counts=admin_counts(get_session()), status_labels=STATUS_LABELS
    )
