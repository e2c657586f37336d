"""The outbox worker against a real SMTP server: retries, backoff, failure, leases."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import time_machine

from app.notifications.delivery import OutboxWorker, RetryPolicy, retry_failed
from app.notifications.mail import MemoryMailer, SmtpMailer
from app.notifications.models import Channel
from app.notifications.outbox import OutboxMailer, new_message
from app.notifications.sms import MemorySmsSender
from tests.notifications.conftest import free_port

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def queue(session, count=1, channel=Channel.EMAIL, recipient="amira@example.org"):
    for n in range(count):
        session.add(new_message(channel, "received", recipient, f"Body {n}", subject=f"Subject {n}"))
    session.commit()


def test_refused_message_is_retried_with_backoff_and_delivered_exactly_once(session, worker, inbox, outbox_rows):
    inbox.refuse = 2
    with time_machine.travel(T0, tick=False) as clock:
        queue(session)
        first = worker.run_once()
        (row,) = outbox_rows()
        assert (first.retried, row.attempts, row.next_attempt_at) == (1, 1, T0 + timedelta(seconds=60))
        assert "451" in row.last_error and row.lease_owner is None
        assert worker.run_once().claimed == 0  # not due yet
        clock.move_to(T0 + timedelta(seconds=60))
        assert worker.run_once().retried == 1
        assert outbox_rows()[0].next_attempt_at == T0 + timedelta(seconds=180)  # then 120 s
        clock.move_to(T0 + timedelta(seconds=180))
        assert worker.run_once().sent == 1
        clock.move_to(T0 + timedelta(days=1))
        assert worker.run_once().claimed == 0

    (row,) = outbox_rows()
    assert (row.attempts, row.sent_at, row.next_attempt_at, row.last_error) == (3, T0 + timedelta(seconds=180), None, None)
    assert inbox.attempts == 3
    assert [(m.recipients, m.subject, m.body) for m in inbox.received] == [(["amira@example.org"], "Subject 0", "Body 0\n")]


def test_message_is_kept_as_failed_after_the_last_attempt_and_can_be_queued_again(
    session, db, worker, inbox, outbox_rows
):
    inbox.refuse = 100
    with time_machine.travel(T0, tick=False) as clock:
        queue(session)
        for _ in range(4):  # the fixture's policy: 4 attempts
            worker.run_once()
            clock.shift(timedelta(hours=1))
        (row,) = outbox_rows()
        assert (row.attempts, row.sent_at, row.next_attempt_at) == (4, None, None)
        assert row.failed_at is not None and "451" in row.last_error
        assert worker.run_once().claimed == 0

        inbox.refuse = 0
        assert retry_failed(db) == 1
        assert worker.run_once().sent == 1
    assert len(inbox.received) == 1 and outbox_rows()[0].failed_at is None


def test_permanent_refusal_fails_at_once(session, worker, inbox, outbox_rows):
    inbox.refuse, inbox.refuse_reply = 1, "550 5.1.1 No such mailbox"
    queue(session)
    report = worker.run_once()

    (row,) = outbox_rows()
    assert (report.failed, row.attempts) == (1, 1)
    assert row.failed_at is not None and "550" in row.last_error


def test_unreachable_server_delays_the_mail_and_loses_nothing(app, db, session, smtp_server, outbox_rows):
    down = OutboxWorker(db, SmtpMailer(smtp_server.settings(port=free_port())), app.extensions["sms"], "w")
    queue(session, 3)
    report = down.run_once()

    assert (report.claimed, report.retried, report.sent) == (3, 3, 0)
    assert all(row.next_attempt_at is not None and row.attempts == 1 for row in outbox_rows())


def test_two_workers_at_once_send_each_message_once(app, db, session, smtp_server, inbox, outbox_rows):
    queue(session, 30)
    workers = [
        OutboxWorker(db, SmtpMailer(smtp_server.settings()), app.extensions["sms"], f"w{n}", batch_size=10)
        for n in range(3)
    ]

    def drain(worker):
        while worker.run_once().claimed:
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(m.body for m in inbox.received) == sorted(f"Body {n}\n" for n in range(30))
    assert all(row.sent_at is not None and row.attempts == 1 for row in outbox_rows())


def test_lease_of_a_stalled_worker_is_taken_over_without_sending_twice(app, db, session, smtp_server, inbox):
    def make(owner):
        return OutboxWorker(db, SmtpMailer(smtp_server.settings()), app.extensions["sms"], owner, lease_seconds=60)

    stalled, alive = make("stalled"), make("alive")
    with time_machine.travel(T0, tick=False) as clock:
        queue(session)
        claimed = stalled.claim()  # ... and the worker stalls before sending
        assert alive.run_once().claimed == 0  # the lease holds
        clock.shift(timedelta(seconds=61))
        assert alive.run_once().sent == 1
        late = stalled.deliver(claimed)  # it wakes up: the message is no longer its own

    assert (late.claimed, late.sent) == (1, 0)
    assert len(inbox.received) == 1


def test_texts_go_to_the_sms_sender(db, session):
    sms = MemorySmsSender()
    worker = OutboxWorker(db, MemoryMailer(), sms, "w")
    queue(session, channel=Channel.SMS, recipient="+216 20 000 001")

    assert worker.run_once().sent == 1
    assert [(s.to, s.text) for s in sms.outbox] == [("+216 20 000 001", "Body 0")]


def test_outbox_mailer_queues_in_the_callers_transaction(session, outbox_rows):
    mailer = OutboxMailer(session, kind="password_reset")
    mailer.send("amira@example.org", "Reset", "Rolled back")
    session.rollback()
    mailer.send("amira@example.org", "Reset", "Open the link")
    session.commit()

    (row,) = outbox_rows("password_reset")
    assert (row.channel, row.recipient, row.body, row.attempts) == ("email", "amira@example.org", "Open the link", 0)


def test_backoff_doubles_up_to_its_ceiling():
    policy = RetryPolicy(max_attempts=10, retry_seconds=60, retry_max_seconds=3600)
    assert [policy.delay(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
