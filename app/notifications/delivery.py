"""The outbox worker: claims due messages under a lease, sends each, records the outcome.

Claiming is the timer worker's statement (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED)``), so two workers never take the same row; on SQLite, where writers are serialized,
the statement is atomic without the locking clause. Each message is then:

1. re-checked and its lease renewed (a slow batch must not outlive its lease while another
   worker takes the row over),
2. handed to the mailer or SMS sender, outside any transaction,
3. marked sent in a transaction of its own, right away.

A failure increments ``attempts`` and schedules the next try after an exponential backoff
(``retry_seconds × 2^(attempts-1)``, at most ``retry_max_seconds``); after ``max_attempts``, or at
once for a permanent refusal, the row is marked failed and kept. A worker that dies between
steps 2 and 3 is the only way a message goes out twice: its lease expires and another worker
sends it again. That window is one UPDATE long; an SMTP outbox cannot close it entirely.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update

from app.db import Database, utcnow
from app.notifications.mail import DeliveryError, Mailer
from app.notifications.models import Channel, OutboxMessage
from app.notifications.sms import SmsSender

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 15
    retry_seconds: float = 60
    retry_max_seconds: float = 3600

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failure (1 → ``retry_seconds``, then doubling)."""
        seconds = self.retry_seconds * 2 ** min(max(attempts - 1, 0), 30)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    attempts: int


class OutboxWorker:
    def __init__(
        self, db: Database, mailer: Mailer, sms: SmsSender, owner: str, *, batch_size: int = 50,
        lease_seconds: int = 300, policy: RetryPolicy | None = None,
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.sms = sms
        self.owner = owner
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.policy = policy or RetryPolicy()

    def claim(self) -> list[int]:
        """Lease up to ``batch_size`` due messages, oldest due first; returns their ids."""
        now = utcnow()
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_expires_at.is_(None), OutboxMessage.lease_expires_at < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        with self.db.session() as session, session.begin():
            ids = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(due.scalar_subquery()))
                .values(lease_owner=self.owner, lease_expires_at=now + self.lease)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            ).scalars()
            return sorted(ids)

    def run_once(self) -> DeliveryReport:
        """Claim what is due and deliver it."""
        return self.deliver(self.claim())

    def deliver(self, ids: list[int]) -> DeliveryReport:
        """Send the claimed messages ``ids``, skipping any this worker no longer holds."""
        report = DeliveryReport(claimed=len(ids))
        for message_id in ids:
            message = self._renew(message_id)
            if message is None:
                continue  # taken over by another worker after our lease ran out, or done
            try:
                self._send(message)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                permanent = isinstance(error, DeliveryError) and error.permanent
                if self._record_failure(message, error, permanent):
                    report.failed += 1
                else:
                    report.retried += 1
            else:
                self._mark_sent(message.id)
                report.sent += 1
        return report

    def _send(self, message: _Claimed) -> None:
        if message.channel == Channel.SMS:
            self.sms.send(message.recipient, message.body)
        else:
            self.mailer.send(message.recipient, message.subject, message.body)

    def _renew(self, message_id: int) -> _Claimed | None:
        now = utcnow()
        with self.db.session() as session, session.begin():
            row = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.lease_owner == self.owner,
                    OutboxMessage.next_attempt_at.is_not(None),
                )
                .values(lease_expires_at=now + self.lease)
                .returning(
                    OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient,
                    OutboxMessage.subject, OutboxMessage.body, OutboxMessage.attempts,
                )
                .execution_options(synchronize_session=False)
            ).one_or_none()
        return _Claimed(*row) if row is not None else None

    def _mark_sent(self, message_id: int) -> None:
        with self.db.session() as session, session.begin():
            session.execute(
                update(OutboxMessage)
                # Not conditional on the lease: if another worker took the row over meanwhile,
                # this makes its re-check (``_renew``) skip it instead of sending it again.
                .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
                .values(
                    sent_at=utcnow(), next_attempt_at=None, lease_owner=None, lease_expires_at=None,
                    attempts=OutboxMessage.attempts + 1, last_error=None,
                )
                .execution_options(synchronize_session=False)
            )

    def _record_failure(self, message: _Claimed, error: Exception, permanent: bool) -> bool:
        """Schedule the next attempt or give up; returns True when the message is now failed."""
        attempts = message.attempts + 1
        now = utcnow()
        failed = permanent or attempts >= self.policy.max_attempts
        next_attempt: datetime | None = None if failed else now + self.policy.delay(attempts)
        text = f"{type(error).__name__}: {error}"[:2000]
        log.warning("%s %s to %s, attempt %d: %s", "giving up on" if failed else "will retry",
                    message.channel, message.recipient, attempts, text)
        with self.db.session() as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.lease_owner == self.owner)
                .values(
                    attempts=attempts, last_error=text, next_attempt_at=next_attempt,
                    failed_at=now if failed else None, lease_owner=None, lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )
        return failed


def retry_failed(db: Database) -> int:
    """Queue every failed message again, from scratch (after an operator fixed the cause)."""
    with db.session() as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None), OutboxMessage.sent_at.is_(None))
            .values(failed_at=None, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(cast("CursorResult[Any]", result).rowcount)
