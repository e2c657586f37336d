"""The audit log's hash chain detects modified and deleted events."""

from sqlalchemy import delete, update

from app.audit.chain import append_queued
from app.audit.models import Action, AuditEvent
from app.audit.service import AuditLog
from tests.locking import second_waits_for_first


def _three(session):
    log = AuditLog(session)
    for n in range(3):
        log.record(Action.PROCESS_DEPLOYED, target=f"p:v{n}", details={"n": n}, actor="admin@example.org")
    session.commit()
    return log


def test_intact_chain_verifies(session):
    assert _three(session).verify() == []


def test_modified_event_is_detected(session):
    log = _three(session)
    session.execute(update(AuditEvent).where(AuditEvent.target == "p:v1").values(actor="someone@else"))
    session.commit()
    assert log.verify() == ["event 2: its content was changed"]


def test_deleted_events_are_detected_in_the_middle_and_at_the_end(session):
    log = _three(session)
    session.execute(delete(AuditEvent).where(AuditEvent.target == "p:v1"))
    session.commit()
    assert log.verify() == ["event 3: the event before it was changed or deleted"]
    session.execute(delete(AuditEvent).where(AuditEvent.target == "p:v2"))
    session.commit()
    assert log.verify() == ["the last events were deleted"]


def test_cli_exits_non_zero_on_tampering(app, session):
    _three(session)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["epeople", "audit-verify"]).exit_code == 0
    session.execute(update(AuditEvent).where(AuditEvent.id == 1).values(details="{}"))
    session.commit()
    result = runner.invoke(args=["epeople", "audit-verify"])
    assert result.exit_code == 1 and "event 1" in result.output


def test_two_first_events_at_once_both_land_in_one_chain(db, session, postgres_only):
    """The very first append creates the head row: a second transaction doing the same waits,
    then chains after the first instead of failing (PostgreSQL; the load test found it).
    Events are appended at commit: the first appends before it commits, to hold the head."""

    def first_appends(first):
        AuditLog(first).record(Action.PROCESS_DEPLOYED, target="p:first")
        append_queued(first)

    lost = second_waits_for_first(
        db, first_appends, lambda second: AuditLog(second).record(Action.PROCESS_DEPLOYED, target="p:second"),
    )
    assert lost is None
    assert AuditLog(session).verify() == []
    assert [e.target for e in AuditLog(session).recent()] == ["p:second", "p:first"]
