"""Messages are queued with the step's transaction: a rolled-back step queues nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.db import utcnow
from app.engine.types import InvalidTaskData
from app.notifications import notify_timeline
from app.petitions.models import TimelineEntry
from app.petitions.services import PetitionService
from tests.petitions.conftest import submit
from tests.petitions.test_journeys import complete


def test_step_that_fails_after_logging_queues_nothing(person, open_task, petition_of, outbox_rows, monkeypatch):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client)

    def fail(self, petition, info):
        raise InvalidTaskData({"": "the routing diagram refused"})

    # The transfer is logged (and its mail requested), then the step fails and is rolled back.
    monkeypatch.setattr(PetitionService, "_apply", fail)
    response = complete(bcrc, open_task(petition_of(number), "qualify"), decision="transfer",
                        competent_body="min-health", reason="Not ours")
    monkeypatch.undo()
    # A later step in a fresh request commits: the failed step's mail must not ride along.
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="reject", reason="Out of scope")

    assert response.status_code == 400
    assert [row.kind for row in outbox_rows()] == ["received", "rejected"]


def test_rollback_in_the_same_session_drops_the_queued_mail(person, petition_of, session, outbox_rows):
    _, citizen_client = person("citizen")
    petition = petition_of(submit(citizen_client))
    entry = TimelineEntry(kind="answered", text="Dropped", public=True, created_at=utcnow())
    petition.timeline.append(entry)
    notify_timeline(session, petition, entry)
    session.rollback()
    session.commit()

    assert [row.kind for row in outbox_rows()] == ["received"]


def test_savepoint_rollback_drops_only_the_steps_inside_it(person, petition_of, session, outbox_rows):
    _, citizen_client = person("citizen")
    petition = petition_of(submit(citizen_client))
    kept = TimelineEntry(kind="closed", public=True, created_at=utcnow())
    petition.timeline.append(kept)
    notify_timeline(session, petition, kept)
    savepoint = session.begin_nested()
    dropped = TimelineEntry(kind="answered", text="Dropped", public=True, created_at=utcnow())
    petition.timeline.append(dropped)
    notify_timeline(session, petition, dropped)
    savepoint.rollback()
    session.commit()

    assert [row.kind for row in outbox_rows()] == ["received", "closed"]


def test_internal_entries_send_nothing(person, open_task, petition_of, outbox_rows):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client)
    bcrc.post(f"/tasks/{open_task(petition_of(number), 'qualify')}/comment", data={"comment": "between us"})

    assert [row.kind for row in outbox_rows()] == ["received"]


def test_a_session_the_app_did_not_make_refuses_to_queue(db, person, petition_of):
    _, citizen_client = person("citizen")
    petition = petition_of(submit(citizen_client))
    with Session(db.engine) as foreign, pytest.raises(RuntimeError, match="not made by the app"):
        notify_timeline(foreign, petition, TimelineEntry(kind="closed", public=True))
