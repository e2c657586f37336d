"""User-task forms: list them, edit a JSON Schema with validation and a live preview."""

from __future__ import annotations

import json
import os
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from werkzeug.wrappers import Response

from app import schemaforms
from app.admin import bp
from app.admin.views import admin_required
from app.audit import Action, audit
from app.db import get_session
from app.engine import runtime
from app.engine.forms import FORM_NAME
from app.i18n import current_language

MAX_FORM_BYTES = 200_000


def _form_names() -> list[str]:
    folder = current_app.config["FORMS_DIR"]
    return sorted(n for n in os.listdir(folder) if FORM_NAME.match(n))


@bp.route("/forms.json")
@admin_required
def forms_json() -> Response:
    forms = runtime().forms
    return jsonify([{"name": n, "title": forms.schema(n).get("title", n)} for n in _form_names()])


@bp.route("/forms")
@admin_required
def forms() -> str:
    return render_template("admin/forms.html", names=_form_names())


def _check(text: str) -> tuple[dict[str, Any] | None, str | None]:
    if len(text.encode()) > MAX_FORM_BYTES:
        return None, _("The schema is larger than %(n)d bytes.", n=MAX_FORM_BYTES)
    try:
        schema = json.loads(text)
    except ValueError as error:
        return None, _("Not valid JSON: %(e)s", e=str(error))
    if not isinstance(schema, dict) or schema.get("type") != "object" or "properties" not in schema:
        return None, _("A form schema is an object with \"type\": \"object\" and \"properties\".")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return None, _("Not a valid JSON Schema: %(e)s", e=error.message)
    return schema, None


@bp.route("/forms/new")
@admin_required
def form_new() -> Response:
    name = request.args.get("name", "").strip()
    if not FORM_NAME.match(name):
        flash(_("A form file name looks like review.json (letters, digits, - _ .)."), "error")
        return redirect(url_for("admin.forms"))
    return redirect(url_for("admin.form_edit", name=name, new=1))


@bp.route("/forms/<name>", methods=["GET", "POST"])
@admin_required
def form_edit(name: str) -> str | Response | tuple[str, int]:
    if not FORM_NAME.match(name):
        abort(404)
    path = runtime().forms.path(name)
    creating = not os.path.exists(path)
    if request.method == "GET":
        if creating and not request.args.get("new"):
            abort(404)
        text = "{}"
        if not creating:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        schema, problem = _check(text)
        return render_template("admin/form_edit.html", name=name, text=text, problem=None,
                               fields=schemaforms.fields(schema, current_language()) if schema else [])
    text = request.form.get("schema", "")
    schema, problem = _check(text)
    if schema is None:
        page = render_template("admin/form_edit.html", name=name, text=text, problem=problem, fields=[])
        return page, 400
    if request.form.get("action") == "preview":
        return render_template("admin/form_edit.html", name=name, text=text, problem=None,
                               fields=schemaforms.fields(schema, current_language()))
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(schema, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(tmp, path)  # atomic: a task never reads half a file
    audit(Action.FORM_SAVED, target=name, created=creating)
    get_session().commit()
    flash(_("Form %(n)s saved.", n=name), "success")
    return redirect(url_for("admin.form_edit", name=name))
