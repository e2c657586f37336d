"""``/admin/api-clients``: administrators issue and revoke the keys of Open311 clients.

A new key is rendered once, in the response to the POST that created it (never in a URL, a
flash message or a log): after that only its first characters are shown.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.api import admin_bp, api_clients
from app.api.forms import ApiClientForm, RevokeForm
from app.api.keys import ApiClientNotFound
from app.api.models import ApiClient
from app.auth.models import Role
from app.auth.permissions import role_required
from app.db import get_session


def _client_or_404(client_id: int) -> ApiClient:
    try:
        return api_clients().get(client_id)
    except ApiClientNotFound:
        abort(404)


@admin_bp.route("")
@role_required(Role.ADMIN)
def list_clients() -> str:
    return render_template("api/clients.html", clients=api_clients().list())


@admin_bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_client() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = ApiClientForm()
    if form.validate_on_submit():
        issued = api_clients().issue(
            form.name.data or "", form.contact_email.data or "", current_user.id
        )
        get_session().commit()
        page = render_template("api/created.html", client=issued.client, key=issued.key)
        # The only copy of the key: no cache (browser or proxy) may keep it.
        return page, 200, {"Cache-Control": "no-store"}
    return render_template("api/form.html", form=form), 400 if form.errors else 200


@admin_bp.route("/<int:client_id>/revoke", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def revoke_client(client_id: int) -> Response | str:
    """GET asks for confirmation; POST revokes."""
    client = _client_or_404(client_id)
    form = RevokeForm()
    if form.validate_on_submit():
        api_clients().revoke(client.id)
        get_session().commit()
        flash(_("The key of %(name)s was revoked.", name=client.name), "success")
        return redirect(url_for("api_admin.list_clients"))
    return render_template("api/revoke.html", client=client, form=form)
