"""The database going away mid-request: a friendly 503, logged, and nothing half-written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.engine.models import HumanTask
from app.petitions.models import Petition, TimelineEntry
from tests.petitions.conftest import submit

FORM = {"subject": "Water cut in El Menzah 6", "description": "No running water since Monday."}


def _lost_connection() -> OperationalError:
    return OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"),
                            connection_invalidated=True)


@pytest.fixture
def failing_commit(app: Flask) -> Iterator[Callable[[Exception], None]]:
    """``failing_commit(error)``: the next request's commit raises ``error`` (once)."""
    maker = app.extensions["db"].sessionmaker
    listeners: list[Any] = []

    def arm(error: Exception) -> None:
        def fail(_session: Any) -> None:
            event.remove(maker, "before_commit", fail)
            listeners.remove(fail)
            raise error

        listeners.append(fail)
        event.listen(maker, "before_commit", fail)

    yield arm
    for listener in listeners:
        event.remove(maker, "before_commit", listener)


def _counts(session: Any) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Petition, TimelineEntry, HumanTask))  # type: ignore[return-value]


def test_lost_connection_on_commit_gives_503_and_stores_nothing(person, session, failing_commit, caplog):
    _, client = person("citizen")
    before = _counts(session)
    failing_commit(_lost_connection())
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        response = client.post("/petitions/new/complaint", data=FORM)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Service temporarily unavailable" in response.get_data(as_text=True)
    assert "database unavailable during POST /petitions/new/complaint" in caplog.text
    assert _counts(session) == before
    # The next request works: the failed one left nothing behind in the pool or the session.
    submit(client)
    assert _counts(session)[0] == before[0] + 1


def test_lost_connection_answers_json_to_json_clients(person, failing_commit, session, open_task, petition_of):
    citizen, client = person("citizen")
    number = submit(client)
    _, bcrc = person("relations_agent", "bcrc")
    task = open_task(petition_of(number), "qualify")
    failing_commit(_lost_connection())
    response = bcrc.post(f"/tasks/{task}/claim", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.get_json()["error"] == "service_unavailable"
    session.expire_all()
    assert session.get(HumanTask, task).assignee is None


def test_other_database_errors_stay_server_errors(person, failing_commit, session):
    _, client = person("citizen")
    before = _counts(session)
    failing_commit(IntegrityError("INSERT", {}, Exception("duplicate key")))
    with pytest.raises(IntegrityError):  # TESTING propagates; in production it is a 500
        client.post("/petitions/new/complaint", data=FORM)
    assert _counts(session) == before


def test_backend_terminated_mid_request_gives_503_and_stores_nothing(app, db, postgres_only, person, session):
    """PostgreSQL: kill the request's own server process after its first flush."""
    _, client = person("citizen")
    before = _counts(session)
    maker = app.extensions["db"].sessionmaker

    def terminate(request_session: Any, _context: Any) -> None:
        event.remove(maker, "after_flush", terminate)
        pid = request_session.connection().connection.dbapi_connection.info.backend_pid
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()

    event.listen(maker, "after_flush", terminate)
    try:
        response = client.post("/petitions/new/complaint", data=FORM)
    finally:
        if event.contains(maker, "after_flush", terminate):
            event.remove(maker, "after_flush", terminate)
    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.get_data(as_text=True)
    assert _counts(session) == before
    submit(client)
    assert _counts(session)[0] == before[0] + 1
