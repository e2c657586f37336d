"""Process administration over HTTP: permissions, deploy and validation, drafts, diff,
migration with a dry run, incidents and suspension, form editing; all audited."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.engine.models import Incident, ProcessVersion
from app.engine.service import EngineService

from tests.admin.layout import with_di

DATA = os.path.join(os.path.dirname(__file__), "data")
with open(os.path.join(DATA, "mini.bpmn"), "rb") as _handle:
    MINI = _handle.read()
EXTRA = b"""<bpmn:userTask id="extra" name="Extra step">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="escalation.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2b" sourceRef="extra" targetRef="second" />"""
# v2: an extra step between the two; v3: the second step deleted.
MINI_V2 = (MINI.replace(b'<bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />',
                        b'<bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="extra" />' + EXTRA)
           .replace(b"<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
                    b"<bpmn:incoming>f2b</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>"))
MINI_V3 = (MINI.replace(b'targetRef="second" />', b'targetRef="tally" />')
           .replace(b'<bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="tally" />', b"")
           .replace(b"<bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>",
                    b"<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>"))
MINI_V3 = MINI_V3[: MINI_V3.index(b'<bpmn:userTask id="second"')] + MINI_V3[
    MINI_V3.index(b"</bpmn:userTask>", MINI_V3.index(b'<bpmn:userTask id="second"')) + 16:]

GET_ROUTES = ["/admin/processes", "/admin/forms", "/admin/forms.json", "/admin/processes/new/edit",
              "/admin/processes/new.bpmn"]
POST_ROUTES = ["/admin/processes/validate", "/admin/processes/deploy", "/admin/processes/draft",
               "/admin/instances/1/retry", "/admin/instances/1/suspend"]


def deploy(client, xml: bytes, filename: str = "mini.bpmn", layout: bool = True):
    return client.post(f"/admin/processes/deploy?filename={filename}", data=with_di(xml) if layout else xml,
                       content_type="application/xml")


@pytest.fixture
def admin(login_as):
    return login_as("admin")


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
def test_anonymous_is_sent_to_login_and_staff_are_forbidden(app, path, session):
    from tests.factories import make_user

    anonymous = app.test_client()
    call = anonymous.post if path in POST_ROUTES else anonymous.get
    assert call(path).status_code == 302
    for role in ("citizen", "relations_agent", "coordinator"):
        user = make_user(session, role=role)
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
        call = client.post if path in POST_ROUTES else client.get
        assert call(path).status_code == 403, (role, path)


@pytest.mark.parametrize("path", GET_ROUTES)
def test_admin_opens_every_page(client, admin, path):
    assert client.get(path).status_code == 200


def test_deploying_the_same_content_twice_keeps_one_version_and_is_audited(client, admin, session):
    first = deploy(client, MINI).get_json()
    second = deploy(client, MINI).get_json()
    assert (first["version"], first["created"], second["version"], second["created"]) == (1, True, 1, False)
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 1
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["process:version:deployed"]
    page = client.get(first["url"]).get_data(as_text=True)
    assert "Two steps" in page and "v1" in page


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((b"</bpmn:process>", b"</bpmn:proces>"), "not well-formed"),
        ((b'<?xml version="1.0" encoding="UTF-8"?>',
          b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), "DTD"),
        ((b'<?xml version="1.0" encoding="UTF-8"?>',
          b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'), "DTD"),
        ((b'value="escalation.json" />\n        <spiffworkflow:property name="body" value="\'bcrc\'" />\n      </spiffworkflow:properties></bpmn:extensionElements>\n      <bpmn:incoming>f2',
          b'value="missing.json" />\n        <spiffworkflow:property name="body" value="\'bcrc\'" />\n      </spiffworkflow:properties></bpmn:extensionElements>\n      <bpmn:incoming>f2'), "second"),
        ((b"<bpmn:script>steps = 2</bpmn:script>", b"<bpmn:script>import os</bpmn:script>"), "tally"),
    ],
    ids=["bad-xml", "external-entity", "xml-bomb", "missing-form", "forbidden-script"],
)
def test_bad_diagrams_are_rejected_with_the_reason_and_nothing_is_stored(client, admin, session, change, expected):
    response = deploy(client, MINI.replace(*change), layout=change[1].startswith(b"value") or b"script" in change[1])
    assert response.status_code == 422
    text = json.dumps(response.get_json())
    assert expected in text
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 0


def test_gateway_without_condition_and_forbidden_condition_name_the_flow(client, admin):
    gateway = (b'<bpmn:exclusiveGateway id="gw" default="f4" />'
               b'<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="first">'
               b"<bpmn:conditionExpression>__import__('os')</bpmn:conditionExpression></bpmn:sequenceFlow>")
    xml = (MINI.replace(b'sourceRef="tally" targetRef="end"', b'sourceRef="gw" targetRef="end"')
           .replace(b"<bpmn:outgoing>f4</bpmn:outgoing>", b"<bpmn:outgoing>f4x</bpmn:outgoing>")
           .replace(b"</bpmn:process>", gateway + b'<bpmn:sequenceFlow id="f4x" sourceRef="tally" targetRef="gw" /></bpmn:process>'))
    errors = client.post("/admin/processes/validate", data=with_di(xml), content_type="application/xml").get_json()["errors"]
    assert [e["element_id"] for e in errors] == ["f_back"]
    no_default = xml.replace(b' default="f4"', b"").replace(b"__import__('os')", b"steps == 2")
    errors = client.post("/admin/processes/validate", data=with_di(no_default), content_type="application/xml").get_json()["errors"]
    assert [e["element_id"] for e in errors] == ["f4"] and "no condition" in errors[0]["message"]


def test_draft_is_saved_reopened_and_dropped_on_deploy(client, admin):
    assert client.post("/admin/processes/draft", data=MINI_V2, content_type="application/xml").status_code == 200
    assert client.get("/admin/processes/mini/draft.bpmn").data == MINI_V2
    assert "Continue the draft" in client.get("/admin/processes").get_data(as_text=True)
    deploy(client, MINI_V2)
    assert client.get("/admin/processes/mini/draft.bpmn").status_code == 404


def test_diff_page_lists_added_and_removed_elements(client, admin):
    for xml in (MINI, MINI_V2, MINI_V3):
        deploy(client, xml)
    page = client.get("/admin/processes/mini/diff?from=1&to=2").get_data(as_text=True)
    assert "<code>extra</code>" in page
    page = client.get("/admin/processes/mini/diff?from=1&to=3").get_data(as_text=True)
    assert "<code>second</code>" in page


def test_dry_run_then_execute_moves_only_the_petitions_that_can(client, admin, app, session):
    for xml in (MINI, MINI_V3):
        deploy(client, xml)
    engine = EngineService(session, app.extensions["engine"])
    at_first = engine.start("mini", {}, version=1)
    at_second = engine.complete_task(engine.start("mini", {}, version=1).ready_tasks[0].id, {"note": "done"})
    session.commit()
    page = client.get("/admin/processes/mini/migrate?from=1&to=2").get_data(as_text=True)
    assert "1 of 2 running petitions can move." in page and "Second step" in page
    response = client.post("/admin/processes/mini/migrate", data={
        "from": 1, "to": 2, "instance_id": [at_first.id, at_second.id]}, headers={"Accept": "application/json"})
    results = {r["instance_id"]: r for r in response.get_json()["results"]}
    assert results[at_first.id]["moved"] and not results[at_second.id]["moved"]
    session.expire_all()
    assert engine.instance(at_first.id).version == 2
    assert engine.instance(at_second.id).version == 1
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("petition:%"))).all() == [
        "petition:instance:migrated"]
    after = engine.complete_task(engine.instance(at_first.id).ready_tasks[0].id, {"note": "ok"})
    assert after.status == "completed"


def test_incident_is_listed_retried_and_petitions_suspended_and_resumed(client, admin, app, session):
    deploy(client, MINI.replace(b"steps = 2", b"steps = undefined_name + 1"))
    engine = EngineService(session, app.extensions["engine"])
    info = engine.start("mini", {})
    info = engine.complete_task(info.ready_tasks[0].id, {"note": "a"})
    info = engine.complete_task(info.ready_tasks[0].id, {"note": "b"})
    session.commit()
    assert info.status == "error"
    page = client.get("/admin/processes/mini/v1").get_data(as_text=True)
    assert "undefined_name" in page and "Retry" in page
    assert client.post(f"/admin/instances/{info.id}/retry", data={"back": "/admin/processes/mini/v1"}).status_code == 302
    assert session.scalar(select(func.count()).select_from(Incident)) == 2  # failed again: a new incident

    other = engine.start("mini", {})
    session.commit()
    client.post(f"/admin/instances/{other.id}/suspend")
    session.expire_all()
    assert engine.instance(other.id).status == "suspended"
    client.post(f"/admin/instances/{other.id}/resume")
    session.expire_all()
    assert engine.instance(other.id).status == "running"
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["petition:instance:retried", "petition:instance:suspended", "petition:instance:resumed"]


@pytest.fixture
def forms_copy(app, tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    shutil.copytree(app.config["FORMS_DIR"], folder)
    monkeypatch.setitem(app.config, "FORMS_DIR", str(folder))
    monkeypatch.setattr(app.extensions["engine"].forms, "forms_dir", str(folder))
    return folder


def test_form_schema_is_validated_previewed_and_saved(client, admin, forms_copy):
    bad = client.post("/admin/forms/escalation.json", data={"schema": '{"type": "object", "properties": {"x": {"type": "nope"}}}'})
    assert bad.status_code == 400 and "Not a valid JSON Schema" in bad.get_data(as_text=True)
    assert json.loads((forms_copy / "escalation.json").read_text())["required"] == ["note"]
    schema = {"type": "object", "properties": {"note": {"type": "string", "title": "Remarque", "maxLength": 50}}}
    preview = client.post("/admin/forms/escalation.json", data={"schema": json.dumps(schema), "action": "preview"})
    assert "Remarque" in preview.get_data(as_text=True)
    saved = client.post("/admin/forms/escalation.json", data={"schema": json.dumps(schema), "action": "save"})
    assert saved.status_code == 302
    assert json.loads((forms_copy / "escalation.json").read_text()) == schema
