"""Citizen-side and staff-side changes leave audit events, and the chain stays intact."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import Action, AuditEvent
from app.audit.service import AuditLog
from tests.petitions.conftest import submit


def _actions(session):
    session.expire_all()
    return [(e.action, e.target, e.actor_id) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_submission_and_task_handling_are_audited(person, session, open_task, petition_of):
    citizen, client = person("citizen")
    officer, bcrc = person("relations_agent", "bcrc")
    colleague, colleague_client = person("relations_agent", "bcrc")
    number = submit(client)
    task = open_task(petition_of(number), "qualify")
    assert bcrc.post(f"/tasks/{task}/claim").status_code == 302
    assert bcrc.post(f"/tasks/{task}/unclaim").status_code == 302
    assert bcrc.post(f"/tasks/{task}/reassign", data={"user_id": colleague.id}).status_code == 302
    assert colleague_client.post(f"/tasks/{task}/complete", data={"decision": "reject", "reason": "Private"}).status_code == 302

    target = f"task:{task}"
    assert _actions(session) == [
        (Action.PETITION_SUBMITTED, f"petition:{number}", citizen.id),
        (Action.TASK_CLAIMED, target, officer.id),
        (Action.TASK_UNCLAIMED, target, officer.id),
        (Action.TASK_REASSIGNED, target, officer.id),
        (Action.TASK_COMPLETED, target, colleague.id),
    ]
    submitted = session.scalars(select(AuditEvent)).first()
    assert (submitted.actor, submitted.ip) == (None, None)  # citizens are audited by id only
    assert AuditLog(session).verify() == []


def test_anonymous_report_leaves_no_trace_of_its_reporter(app, person, session):
    citizen, client = person("citizen")
    response = client.post("/petitions/new/corruption", data={
        "subject": "Bribe", "facts": "Asked for 200 TND.", "anonymous": "true"})
    assert response.status_code == 200
    [event] = session.scalars(select(AuditEvent)).all()
    assert event.action == Action.PETITION_SUBMITTED
    assert (event.actor_id, event.actor, event.ip) == (None, None, None)


def test_password_reset_is_audited(client, session, outbox):
    from tests.factories import make_user

    user = make_user(session)
    client.post("/password/forgot", data={"email": user.email})
    link = re.search(r"http\S+/password/reset/\S+", outbox[-1].body).group(0)
    path = link.split("localhost", 1)[-1]
    response = client.post(path, data={"password": "a-new-strong-password", "confirm": "a-new-strong-password"})
    assert response.status_code == 302
    assert _actions(session) == [(Action.PASSWORD_RESET, f"user:{user.id}", user.id)]
