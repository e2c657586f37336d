"""The timer worker: claims due timers under a lease and fires a batch of instances in one
transaction, each in a savepoint of its own.

Claiming is one statement (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``), so two
workers never take the same row; on SQLite, where writers are serialized, the same statement
is atomic without the locking clause. A worker that dies leaves its lease to expire and another
worker takes the timer over. Firing saves with optimistic locking and deletes the timer row in
the same transaction, so a timer is never fired twice and never lost.

The batch commits once (every ``SAVEPOINTS_PER_COMMIT`` instances): a commit waits for the
write-ahead log to reach the disk, and that wait was the largest single cost of a fired timer
when each instance committed alone. An instance
that fails rolls back to its savepoint only, so the others still fire; a crash before the commit
loses the whole batch's work and leases, never a timer, and the leases expire for another
worker. The batch holds its instances' rows until it commits, so ``batch_size`` also bounds how
long a user saving one of them may wait (that save then loses the race, as it would anyway).
On SQLite (development) pysqlite commits whenever the outermost savepoint is released, so there
each instance commits alone, with the same guarantees.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.db import Database, utcnow
from app.engine.models import DueTimer
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.types import Conflict, NotFound

log = logging.getLogger(__name__)

# Each instance's savepoint is a subtransaction. PostgreSQL keeps up to 64 of them per
# transaction in shared memory; past that, every snapshot in every session has to look them up
# in pg_subtrans, which slows the whole database down. So a claimed batch commits every 50.
SAVEPOINTS_PER_COMMIT = 50


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

    def run_once(self) -> FireReport:
        report = FireReport()
        instance_ids = self.claim()
        report.claimed = len(instance_ids)
        for start in range(0, len(instance_ids), SAVEPOINTS_PER_COMMIT):
            self._fire(instance_ids[start : start + SAVEPOINTS_PER_COMMIT], report)
        return report

    def _fire(self, instance_ids: list[int], report: FireReport) -> None:
        """Fire these instances in one transaction; adds what landed to ``report``."""
        fired = 0
        conflicts: list[int] = []
        failed: list[int] = []
        try:
            with self.db.session() as session, session.begin():
                engine = EngineService(session, self.runtime)
                engine.store.prefetch(instance_ids)
                for prefetch in self.runtime.step_prefetchers:
                    prefetch(session, instance_ids)
                for instance_id in instance_ids:
                    try:
                        with session.begin_nested():
                            fired += engine.fire_timers(instance_id)
                    except Conflict:
                        # Someone saved the instance meanwhile (or it is suspended): try again later.
                        conflicts.append(instance_id)
                    except NotFound:
                        failed.append(instance_id)
                    except Exception:
                        log.exception("firing timers of instance %s failed", instance_id)
                        failed.append(instance_id)
                self._release(session, conflicts)
        except Exception:
            # Nothing of this transaction landed; the leases expire and the timers fire later.
            log.exception("committing fired timers of instances %s failed", instance_ids)
            report.failed += instance_ids
            return
        report.fired += fired
        report.conflicts += len(conflicts)
        report.failed += failed

    def _release(self, session: Session, instance_ids: list[int]) -> None:
        if instance_ids:
            session.execute(
                update(DueTimer)
                .where(DueTimer.instance_id.in_(instance_ids), DueTimer.lease_owner == self.owner)
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )

    def run_forever(self, poll_seconds: float, stop_after: int | None = None) -> None:
        rounds = 0
        while stop_after is None or rounds < stop_after:
            report = self.run_once()
            if report.claimed:
                log.info("timers: %s", report)
            rounds += 1
            if report.claimed < self.batch_size:
                time.sleep(poll_seconds)
