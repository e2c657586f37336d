"""``flask epeople worker`` delivers the outbox; ``flask epeople outbox`` reports and requeues."""

from __future__ import annotations

from app.db import utcnow
from app.notifications.models import Channel
from app.notifications.outbox import new_message


def test_worker_once_fires_timers_then_delivers_the_outbox(app, session, outbox):
    session.add(new_message(Channel.EMAIL, "received", "amira@example.org", "Body", subject="Hello"))
    session.commit()

    result = app.test_cli_runner().invoke(args=["epeople", "worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "DeliveryReport(claimed=1, sent=1, retried=0, failed=0)" in result.output
    assert [(m.to, m.subject) for m in outbox] == [("amira@example.org", "Hello")]


def test_outbox_command_counts_and_queues_failed_messages_again(app, session, outbox_rows):
    failed = new_message(Channel.EMAIL, "received", "amira@example.org", "Body")
    failed.next_attempt_at, failed.failed_at, failed.attempts = None, utcnow(), 15
    session.add_all([failed, new_message(Channel.SMS, "received", "+216 20 000 001", "Text")])
    session.commit()
    runner = app.test_cli_runner()

    assert runner.invoke(args=["epeople", "outbox"]).output == "pending 1, sent 0, failed 1\n"
    result = runner.invoke(args=["epeople", "outbox", "--retry-failed"])

    assert result.output == "1 failed message(s) queued again\npending 2, sent 0, failed 0\n"
    assert all(row.attempts == 0 and row.next_attempt_at is not None for row in outbox_rows())
