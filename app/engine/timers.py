"""The timer worker: claims due timers under a lease and fires each instance in its own
transaction.

Claiming is one statement (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``), so two
workers never take the same row; on SQLite, where writers are serialized, the same statement
is atomic without the locking clause. A worker that dies leaves its lease to expire and another
worker takes the timer over. Firing saves with optimistic locking and deletes the timer row in
the same transaction, so a timer is never fired twice and never lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update

from app.db import Database, utcnow
from app.engine.models import DueTimer
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.types import Conflict, NotFound

log = logging.getLogger(__name__)


@dataclass
class FireReport:
    claimed: int = 0
    fired: int = 0
    conflicts: int = 0
    failed: list[int] = field(default_factory=list)


class TimerWorker:
    def __init__(
        self, db: Database, runtime: Runtime, owner: str, batch_size: int = 100, lease_seconds: int = 60
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.owner = owner
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)

    def claim(self) -> list[int]:
        """Lease up to ``batch_size`` due timers; returns the instance ids to fire."""
        now = utcnow()
        due = (
            select(DueTimer.id)
            .where(
                DueTimer.due_at <= now,
                or_(DueTimer.lease_expires_at.is_(None), DueTimer.lease_expires_at < now),
            )
            .order_by(DueTimer.due_at)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        with self.db.session() as session, session.begin():
            rows = session.execute(
                update(DueTimer)
                .where(DueTimer.id.in_(due.scalar_subquery()))
                .values(lease_owner=self.owner, lease_expires_at=now + self.lease)
                .returning(DueTimer.instance_id)
                .execution_options(synchronize_session=False)
            ).scalars()
            return sorted(set(rows))

    def _release(self, instance_id: int) -> None:
        with self.db.session() as session, session.begin():
            session.execute(
                update(DueTimer)
                .where(DueTimer.instance_id == instance_id, DueTimer.lease_owner == self.owner)
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )

    def run_once(self) -> FireReport:
        report = FireReport()
        instance_ids = self.claim()
        report.claimed = len(instance_ids)
        for instance_id in instance_ids:
            try:
                with self.db.session() as session, session.begin():
                    report.fired += EngineService(session, self.runtime).fire_timers(instance_id)
            except Conflict:
                # Someone saved the instance meanwhile (or it is suspended): try again later.
                report.conflicts += 1
                self._release(instance_id)
            except NotFound:
                report.failed.append(instance_id)
            except Exception:
                log.exception("firing timers of instance %s failed", instance_id)
                report.failed.append(instance_id)
        return report

    def run_forever(self, poll_seconds: float, stop_after: int | None = None) -> None:
        rounds = 0
        while stop_after is None or rounds < stop_after:
            report = self.run_once()
            if report.claimed:
                log.info("timers: %s", report)
            rounds += 1
            if report.claimed < self.batch_size:
                time.sleep(poll_seconds)
