"""Events are appended to the chain when their transaction commits, and only then."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.audit.service import AuditLog


def _targets(session):
    return list(session.scalars(select(AuditEvent.target).order_by(AuditEvent.id)))


def test_events_are_written_at_commit_in_the_order_recorded(session):
    log = AuditLog(session)
    for n in range(3):
        log.record(Action.PROCESS_DEPLOYED, target=f"p:v{n}")
    assert _targets(session) == []
    session.commit()

    assert _targets(session) == ["p:v0", "p:v1", "p:v2"]
    assert log.verify() == []


def test_a_rolled_back_transaction_leaves_no_event(session):
    AuditLog(session).record(Action.PROCESS_DEPLOYED, target="p:dropped")
    session.rollback()
    AuditLog(session).record(Action.PROCESS_DEPLOYED, target="p:kept")
    session.commit()

    assert _targets(session) == ["p:kept"]


def test_a_savepoint_rollback_drops_only_the_events_inside_it(session):
    log = AuditLog(session)
    log.record(Action.PROCESS_DEPLOYED, target="p:before")
    savepoint = session.begin_nested()
    log.record(Action.PROCESS_DEPLOYED, target="p:inside")
    savepoint.rollback()
    log.record(Action.PROCESS_DEPLOYED, target="p:after")
    session.commit()

    assert _targets(session) == ["p:before", "p:after"]
    assert log.verify() == []


def test_a_closed_session_forgets_what_it_did_not_commit(db):
    session = db.sessionmaker()
    AuditLog(session).record(Action.PROCESS_DEPLOYED, target="p:dropped")
    session.close()
    session.commit()  # the session is reused: nothing left over to append

    assert _targets(session) == []
    session.close()


def test_successive_transactions_extend_one_chain(session):
    log = AuditLog(session)
    for n in range(3):
        log.record(Action.PROCESS_DEPLOYED, target=f"p:v{n}")
        session.commit()

    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert log.verify() == []


def test_a_session_the_app_did_not_make_refuses_to_audit(db):
    with Session(db.engine) as foreign, pytest.raises(RuntimeError, match="not made by the app"):
        AuditLog(foreign).record(Action.PROCESS_DEPLOYED, target="p:lost")


def test_an_open_transaction_does_not_hold_the_head_until_it_commits(db, session, postgres_only):
    """The head is locked only while appending at commit: another transaction's audited change
    does not wait for this one's (it would wait, and time out here, if recording locked it)."""
    AuditLog(session).record(Action.PROCESS_DEPLOYED, target="p:open")
    session.flush()
    with db.session() as other:
        other.execute(text("SET LOCAL lock_timeout = '2s'"))
        AuditLog(other).record(Action.PROCESS_DEPLOYED, target="p:other")
        other.commit()
    session.commit()

    assert _targets(session) == ["p:other", "p:open"]
    assert AuditLog(session).verify() == []
