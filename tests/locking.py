"""Two open transactions on PostgreSQL, the second waiting for the first's lock: how the tests
check that a lost race is refused cleanly instead of overwriting or failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import Database


def a_lock_is_awaited(db: Database) -> bool:
    """Whether a session of this database (not of another test run's) waits for a lock."""
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar())


def wait_until_a_lock_is_awaited(db: Database, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if a_lock_is_awaited(db):
            return
        time.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


def second_waits_for_first(
    db: Database, first: Callable[[Session], object], second: Callable[[Session], object]
) -> BaseException | None:
    """Run ``first`` in one transaction and, while it is open, ``second`` in another on a
    thread; commit the first once the second waits on its lock. Returns what the second raised
    (its transaction rolled back), or None when it committed."""
    first_session, second_session = db.sessionmaker(), db.sessionmaker()
    outcome: list[BaseException | None] = []

    def run_second() -> None:
        try:
            second(second_session)
            second_session.commit()
            outcome.append(None)
        except Exception as error:  # handed to the test, which says what it expected
            second_session.rollback()
            outcome.append(error)

    try:
        first(first_session)
        thread = threading.Thread(target=run_second)
        thread.start()
        wait_until_a_lock_is_awaited(db)
        first_session.commit()
        thread.join(timeout=30)
    finally:
        first_session.close()
        second_session.close()
    assert outcome, "the second transaction did not finish"
    return outcome[0]
