"""Backups as README.md describes them: ``pg_dump -Fc`` of a live database, ``pg_restore`` into a
new one, and a new app on the copy carries on the workflows where they stopped: the next task
is completed and a pending timer fires.

The diagrams' specs, every workflow's state, the open tasks and the waiting timers are rows of
the database, so the dump is all the engine needs (attachments are files: UPLOAD_DIR is backed
up beside it).
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import create_app
from app.db import temporary_database
from app.engine.models import DueTimer, HumanTask
from app.engine.timers import TimerWorker
from app.petitions.models import Petition
from tests.factories import DEFAULT_PASSWORD
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401  (fixtures)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
PG_DUMP, PG_RESTORE = "/usr/bin/pg_dump", "/usr/bin/pg_restore"


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as the PostgreSQL tools take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tasks(session, petition: Petition) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(HumanTask.task_name).where(HumanTask.instance_id == petition.instance_id)))


def test_a_restored_dump_carries_on_the_workflows(
    app, session, database_url, postgres_only, person, open_task, petition_of, tmp_path
):
    with time_machine.travel(T0, tick=False):
        citizen, citizen_client = person("citizen")
        agent, bcrc = person("relations_agent", "bcrc")
        waiting_at_task = petition_of(submit(citizen_client, subject="Broken bench"))
        waiting_for_reply = petition_of(submit(citizen_client, subject="Noise at night"))
        asked = bcrc.post(f"/tasks/{open_task(waiting_for_reply, 'qualify')}/complete",
                          data={"decision": "request_info", "question": "Which street?"})
        assert asked.status_code == 302
    session.expire_all()
    reply_timer = session.scalars(select(DueTimer).where(DueTimer.instance_id == waiting_for_reply.instance_id)).one()

    dump = tmp_path / "epeople.dump"
    subprocess.run([PG_DUMP, "-Fc", "-f", str(dump), _libpq(database_url)], check=True, timeout=120)
    admin_url = os.environ["EPEOPLE_TEST_DATABASE"]
    with temporary_database(admin_url, "epeople_restore") as restored_url:
        subprocess.run([PG_RESTORE, "--no-owner", "-d", _libpq(restored_url), str(dump)], check=True, timeout=120)
        restored = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": restored_url,
                               "UPLOAD_DIR": app.config["UPLOAD_DIR"]})
        try:
            copy = restored.extensions["db"]
            with copy.session() as copied:
                task_id = copied.scalar(select(HumanTask.id).where(HumanTask.instance_id == waiting_at_task.instance_id))
            with time_machine.travel(T0 + timedelta(hours=1), tick=False):
                agent_client = restored.test_client()
                login = agent_client.post("/login", data={"email": agent.email, "password": DEFAULT_PASSWORD})
                assert login.status_code == 302
                done = agent_client.post(f"/tasks/{task_id}/complete",
                                         data={"decision": "accept", "competent_body": "mun-sfax"})
            assert done.status_code == 302 and done.location == "/tasks/", done.location

            with time_machine.travel(reply_timer.due_at + timedelta(days=1), tick=False):
                report = TimerWorker(copy, restored.extensions["engine"], owner="restore-test").run_once()
                citizen_page = restored.test_client()
                citizen_page.post("/login", data={"email": citizen.email, "password": DEFAULT_PASSWORD})
                page = citizen_page.get(f"/petitions/{waiting_for_reply.tracking_number}").get_data(as_text=True)
            assert report.fired >= 1 and not report.failed  # (the drafting deadline may be due too)
            assert "Closed without your reply" in page
            with copy.session() as copied:
                moved_on = list(copied.scalars(
                    select(HumanTask.task_name).where(HumanTask.instance_id == waiting_at_task.instance_id)
                ))
                statuses = dict(copied.execute(select(Petition.tracking_number, Petition.status)).all())
            assert "draft_answer" in moved_on and "qualify" not in moved_on
            assert statuses[waiting_for_reply.tracking_number] == "abandoned"
        finally:
            restored.extensions["db"].engine.dispose()
    # The original database went on untouched: the copy was a copy.
    assert _tasks(session, waiting_at_task) == ["qualify"]
    assert petition_of(waiting_for_reply.tracking_number).status != "abandoned"
