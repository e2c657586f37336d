"""A citizen's own data: download it, close the account; and the retention rule that blanks
closed petitions' personal data after ``RETENTION_YEARS``."""

from __future__ import annotations

import gzip
import io
import json
import os
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select, update

from app.audit.models import Action, AuditEvent
from app.audit.service import AuditLog
from app.auth.models import User
from app.engine.models import ProcessInstance
from app.notifications.models import Channel, OutboxMessage
from app.notifications.outbox import new_message
from app.petitions.models import Attachment, Petition
from app.petitions.retention import REMOVED
from tests.factories import DEFAULT_PASSWORD
from tests.petitions.conftest import submit
from tests.security.conftest import BODY_X

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _events(session, action):
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def test_citizen_downloads_their_account_and_petitions_without_internal_notes(person, session, open_task, petition_of):
    citizen, client = person("citizen", phone="+216 20 000 000")
    _, other = person("citizen")
    _, office = person("relations_agent", BODY_X)
    number = submit(client, target_body=BODY_X, attachments=(io.BytesIO(b"%PDF-1.4 x"), "bill.pdf"))
    submit(other, subject="Someone else's")
    task = open_task(petition_of(number), "qualify")
    assert office.post(f"/tasks/{task}/comment", data={"comment": "internal: caller seemed upset"}).status_code == 302

    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == citizen.email and data["account"]["phone"] == "+216 20 000 000"
    assert [p["tracking_number"] for p in data["petitions"]] == [number]
    petition = data["petitions"][0]
    assert petition["subject"] == "Water cut in El Menzah 6"
    assert petition["attachments"][0]["name"] == "bill.pdf"
    assert "internal" not in json.dumps(data) and "password" not in json.dumps(data)
    assert [e["kind"] for e in petition["timeline"]] == ["received"]
    [event] = _events(session, Action.ACCOUNT_DATA_EXPORTED)
    assert (event.actor_id, event.actor, event.ip) == (citizen.id, None, None)


def test_my_data_page_links_the_download_and_the_closing(person):
    _, client = person("citizen")
    page = client.get("/account/data").get_data(as_text=True)
    assert "/account/data.json" in page and "/account/close" in page
    _, agent = person("body_agent", BODY_X)
    assert "/account/close" not in agent.get("/account/data").get_data(as_text=True)


def test_closing_needs_the_password_and_changes_nothing_without_it(person, session):
    citizen, client = person("citizen")
    response = client.post("/account/close", data={"password": "wrong-password"})
    assert response.status_code == 400 and "The password is not correct." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, citizen.id).is_active
    assert _events(session, Action.ACCOUNT_CLOSED) == []


def test_closing_anonymises_the_account_ends_sessions_and_detaches_the_petitions(
    app, person, session, open_task, petition_of
):
    citizen, client = person("citizen", phone="+216 20 000 000", national_id="01234567")
    email = citizen.email
    second_device = app.test_client()
    assert second_device.post("/login", data={"email": email, "password": DEFAULT_PASSWORD}).status_code == 302
    _, office = person("relations_agent", BODY_X)
    number = submit(client, target_body=BODY_X, attachments=(io.BytesIO(b"%PDF-1.4 x"), "bill.pdf"))
    petition = petition_of(number)
    stored = app.config["UPLOAD_DIR"] + "/" + petition.attachments[0].stored_name
    assert os.path.exists(stored)
    petitions_before = session.scalar(select(func.count()).select_from(Petition))

    response = client.post("/account/close", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 302

    session.expire_all()
    user = session.get(User, citizen.id)
    assert (user.email, user.full_name, user.phone, user.national_id, user.is_active) == (
        f"closed-{citizen.id}@invalid", "", None, None, False)
    for device in (client, second_device):
        assert device.get("/petitions/mine").status_code == 302  # to the login page
    assert app.test_client().post("/login", data={"email": email, "password": DEFAULT_PASSWORD}).status_code == 200

    petition = petition_of(number)
    assert session.scalar(select(func.count()).select_from(Petition)) == petitions_before
    assert (petition.subject, petition.description, petition.citizen_id, petition.contact_email) == (
        REMOVED, REMOVED, None, None)
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not os.path.exists(stored)
    # The administration still handles it.
    task_page = office.get(f"/tasks/{open_task(petition, 'qualify')}").get_data(as_text=True)
    assert REMOVED in task_page and "Water cut" not in task_page
    [event] = _events(session, Action.ACCOUNT_CLOSED)
    assert event.target == f"user:{citizen.id}" and email not in (event.actor or "") + event.details
    assert AuditLog(session).verify() == []


def _state_text(session, instance_id):
    """The stored workflow state as text (gzipped JSON), to look for what must be gone."""
    session.expire_all()
    state = session.get(ProcessInstance, instance_id).state
    return gzip.decompress(state).decode("utf-8") if state[:2] == b"\x1f\x8b" else state.decode("utf-8")


def test_closing_blanks_the_workflow_history_and_the_outbox_and_the_petition_goes_on(
    app, person, session, open_task, petition_of
):
    citizen, client = person("citizen", phone="+216 20 111 222")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(client, subject="Leak at 7 Rue de Marseille", description="Neighbour Samir K. floods us")
    petition = petition_of(number)
    asked = bcrc.post(f"/tasks/{open_task(petition, 'qualify')}/complete",
                      data={"decision": "request_info", "question": "Which floor?"})
    assert asked.status_code == 302
    assert client.post(f"/petitions/{number}/reply", data={"text": "Third floor, flat 12"}).status_code == 302
    state = _state_text(session, petition.instance_id)
    assert all(text in state for text in ("7 Rue de Marseille", "Samir K.", "Third floor, flat 12"))
    to_citizen = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == citizen.email)
    assert session.scalar(to_citizen) > 0  # the "received" and "information requested" mails
    session.execute(update(OutboxMessage).where(OutboxMessage.recipient == citizen.email)
                    .values(sent_at=T0, next_attempt_at=None).where(OutboxMessage.kind == "received"))
    session.commit()
    revision = session.get(ProcessInstance, petition.instance_id).revision

    assert client.post("/account/close", data={"password": DEFAULT_PASSWORD}).status_code == 302

    state = _state_text(session, petition.instance_id)
    assert not any(text in state for text in ("7 Rue de Marseille", "Samir K.", "Third floor, flat 12"))
    assert REMOVED in state and "Which floor?" in state  # the office's own words stay
    assert session.get(ProcessInstance, petition.instance_id).revision == revision + 1
    session.expire_all()
    messages = list(session.scalars(select(OutboxMessage)))
    assert not [m for m in messages if citizen.email in (m.recipient, m.body) or "Marseille" in m.body + m.subject]
    assert [m.kind for m in messages if m.recipient == REMOVED] == ["received"]  # sent: kept, blanked
    # The administration carries on with the petition: the next task opens and completes.
    examine = bcrc.post(f"/tasks/{open_task(petition_of(number), 'qualify')}/complete",
                        data={"decision": "accept", "competent_body": "mun-sfax"})
    assert examine.status_code == 302


def _rejected_petition(person, open_task, petition_of, **fields):
    _, client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(client, attachments=(io.BytesIO(b"%PDF-1.4 x"), "old.pdf"), **fields)
    task = open_task(petition_of(number), "qualify")
    assert bcrc.post(f"/tasks/{task}/complete", data={"decision": "reject", "reason": "Private matter"}).status_code == 302
    return number


def test_retention_blanks_closed_petitions_after_the_period_once_and_audited(app, person, session, open_task, petition_of):
    with time_machine.travel(T0, tick=False):
        old = _rejected_petition(person, open_task, petition_of)
        _, client = person("citizen")
        still_open = submit(client, subject="Still open")
    stored = app.config["UPLOAD_DIR"] + "/" + petition_of(old).attachments[0].stored_name
    runner = app.test_cli_runner()

    with time_machine.travel(T0 + timedelta(days=5 * 365), tick=False):  # a day short of 5 years (2028 is leap)
        result = runner.invoke(args=["epeople", "purge-personal-data"])
        assert result.exit_code == 0 and "0 petition(s) blanked" in result.output

    with time_machine.travel(T0 + timedelta(days=5 * 365 + 2), tick=False):
        dry = runner.invoke(args=["epeople", "purge-personal-data", "--dry-run"])
        assert dry.exit_code == 0 and f"would blank {old}" in dry.output and still_open not in dry.output
        assert petition_of(old).subject != REMOVED and _events(session, Action.PERSONAL_DATA_PURGED) == []

        result = runner.invoke(args=["epeople", "purge-personal-data"])
        assert result.exit_code == 0 and f"blanked {old}" in result.output and "1 petition(s) blanked" in result.output
        again = runner.invoke(args=["epeople", "purge-personal-data"])
        assert "0 petition(s) blanked" in again.output

    petition = petition_of(old)
    assert (petition.subject, petition.description, petition.contact_email, petition.citizen_id) == (
        REMOVED, REMOVED, None, None)
    assert petition.status == "rejected" and petition.attachments == [] and not os.path.exists(stored)
    assert "Water cut" not in _state_text(session, petition.instance_id)  # nor in its workflow
    assert petition_of(still_open).subject == "Still open"
    [event] = _events(session, Action.PERSONAL_DATA_PURGED)
    assert event.target == f"petition:{old}"
    assert AuditLog(session).verify() == []


def test_retention_period_comes_from_the_setting(app, person, session, open_task, petition_of):
    with time_machine.travel(T0, tick=False):
        old = _rejected_petition(person, open_task, petition_of)
    app.config["RETENTION_YEARS"] = 1
    try:
        with time_machine.travel(T0 + timedelta(days=367), tick=False):
            result = app.test_cli_runner().invoke(args=["epeople", "purge-personal-data"])
    finally:
        app.config["RETENTION_YEARS"] = 5
    assert f"blanked {old}" in result.output


def test_the_daily_purge_deletes_outbox_messages_finished_long_ago_and_keeps_the_rest(app, session):
    def message(recipient: str, **state: object) -> OutboxMessage:
        row = new_message(Channel.EMAIL, "received", recipient, "Dear Amira, your petition …", now=T0)
        for name, value in state.items():
            setattr(row, name, value)
        return row

    session.add_all([
        message("sent-long-ago@example.org", sent_at=T0, next_attempt_at=None),
        message("failed-long-ago@example.org", failed_at=T0, next_attempt_at=None),
        message("sent-recently@example.org", sent_at=T0 + timedelta(days=25), next_attempt_at=None),
        message("still-pending@example.org"),
    ])
    session.commit()

    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        result = app.test_cli_runner().invoke(args=["epeople", "purge-personal-data"])

    assert result.exit_code == 0 and "2 outbox message(s) deleted" in result.output
    session.expire_all()
    assert sorted(session.scalars(select(OutboxMessage.recipient))) == [
        "sent-recently@example.org", "still-pending@example.org"]
