"""Routing diagrams: list, a version, export, the editor and its JSON endpoints, import, diff."""

from __future__ import annotations

import os
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin import bp, process_admin
from app.admin.views import admin_required
from app.db import get_session
from app.engine.types import DiagramError, InvalidDiagram, NotFound

BLANK_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_new" targetNamespace="http://epeople.example/bpmn">
  <bpmn:process id="new_process" name="New process" isExecutable="true">
    <bpmn:startEvent id="start_event" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_new">
    <bpmndi:BPMNPlane id="plane_new" bpmnElement="new_process">
      <bpmndi:BPMNShape id="start_event_di" bpmnElement="start_event">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _errors_json(errors: list[DiagramError]) -> list[dict[str, Any]]:
    return [
        {"message": e.message, "line": e.line, "element_id": e.element_id, "filename": e.filename}
        for e in errors
    ]


def _request_xml() -> bytes:
    limit = current_app.config["MAX_BPMN_BYTES"]
    data = request.get_data(cache=False)
    if len(data) > limit:
        abort(413)
    return data


@bp.route("/processes")
@admin_required
def processes() -> str:
    return render_template("admin/processes.html", processes=process_admin().processes())


@bp.route("/processes/<process_id>/v<int:version>")
@admin_required
def version(process_id: str, version: int) -> str:
    service = process_admin()
    info = service.engine.version(process_id, version)
    previous = version - 1 if version > 1 else None
    return render_template(
        "admin/version.html", info=info, previous=previous,
        counts=service.task_counts(info.id), incidents=service.incidents(info.id),
        instances=service.instances(info.id),
    )


@bp.route("/processes/<process_id>/v<int:version>.bpmn")
@admin_required
def version_xml(process_id: str, version: int) -> Response:
    xml = process_admin().version_xml(process_id, version)
    response = current_app.response_class(xml, mimetype="application/xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{process_id}-v{version}.bpmn"'
    return response


@bp.route("/processes/<process_id>/draft.bpmn")
@admin_required
def draft_xml(process_id: str) -> Response:
    return current_app.response_class(process_admin().draft(process_id).bpmn_xml, mimetype="application/xml")


@bp.route("/processes/new/edit")
@bp.route("/processes/<process_id>/edit")
@admin_required
def editor(process_id: str | None = None) -> str:
    source = request.args.get("from", "latest")
    if process_id is None:
        xml_url = url_for("admin.blank_xml")
    elif source == "draft":
        xml_url = url_for("admin.draft_xml", process_id=process_id)
    else:
        number = process_admin().engine.version(process_id, None if source == "latest" else int(source)).version
        xml_url = url_for("admin.version_xml", process_id=process_id, version=number)
    return render_template(
        "admin/editor.html", process_id=process_id,
        title=_("New routing diagram") if process_id is None else _("Edit %(p)s", p=process_id),
        xml_url=xml_url, validate_url=url_for("admin.validate"), draft_url=url_for("admin.save_draft"),
        deploy_url=url_for("admin.deploy"), forms_url=url_for("admin.forms_json"),
    )


@bp.route("/processes/new.bpmn")
@admin_required
def blank_xml() -> Response:
    return current_app.response_class(BLANK_DIAGRAM, mimetype="application/xml")


@bp.route("/processes/validate", methods=["POST"])
@admin_required
def validate() -> Response:
    errors = process_admin().validate(_request_xml(), request.args.get("filename", "diagram.bpmn"))
    return jsonify(ok=not errors, errors=_errors_json(errors))


@bp.route("/processes/draft", methods=["POST"])
@admin_required
def save_draft() -> Response | tuple[Response, int]:
    try:
        draft = process_admin().save_draft(_request_xml(), current_user.id, current_app.config["MAX_BPMN_BYTES"])
        get_session().commit()
    except InvalidDiagram as error:
        get_session().rollback()
        return jsonify(errors=_errors_json(error.errors)), 422
    return jsonify(saved_at=draft.saved_at.isoformat(), process_id=draft.process_id)


@bp.route("/processes/deploy", methods=["POST"])
@admin_required
def deploy() -> Response | tuple[Response, int]:
    filename = os.path.basename(request.args.get("filename", "diagram.bpmn"))[:200] or "diagram.bpmn"
    try:
        info = process_admin().deploy(_request_xml(), filename, current_user.id, current_user.email)
        get_session().commit()
    except InvalidDiagram as error:
        get_session().rollback()
        return jsonify(errors=_errors_json(error.errors)), 422
    url = url_for("admin.version", process_id=info.process_id, version=info.version)
    return jsonify(process_id=info.process_id, version=info.version, created=info.created, url=url)


@bp.route("/processes/import", methods=["POST"])
@admin_required
def import_bpmn() -> Response | tuple[str, int]:
    upload = request.files.get("bpmn")
    if upload is None or not upload.filename:
        flash(_("Choose a .bpmn file to import."), "error")
        return redirect(url_for("admin.processes"))
    data = upload.stream.read(current_app.config["MAX_BPMN_BYTES"] + 1)
    filename = os.path.basename(upload.filename)
    try:
        info = process_admin().deploy(data, filename, current_user.id, current_user.email)
        get_session().commit()
    except InvalidDiagram as error:
        get_session().rollback()
        page = render_template("admin/processes.html", processes=process_admin().processes(),
                               import_errors=error.errors, import_name=filename)
        return page, 422
    if info.created:
        flash(_("Deployed %(p)s version %(v)d.", p=info.process_id, v=info.version), "success")
    else:
        flash(_("This diagram is identical to version %(v)d; nothing was deployed.", v=info.version), "warning")
    return redirect(url_for("admin.version", process_id=info.process_id, version=info.version))


@bp.route("/processes/<process_id>/diff")
@admin_required
def diff(process_id: str) -> str:
    service = process_admin()
    try:
        old = service.engine.version(process_id, request.args.get("from", type=int))
        new = service.engine.version(process_id, request.args.get("to", type=int))
    except NotFound:
        abort(404)
    changes = service.migrator.version_diff(old.id, new.id)
    return render_template("admin/diff.html", old=old, new=new, changes=changes)
