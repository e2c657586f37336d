"""Statistics benchmark: the dashboard's latency over many petitions, against a trivial query.

Seeds N petitions by bulk INSERT (COPY on PostgreSQL) straight into ``petitions_petition``, with
plausible distributions over three years (types, channels, bodies, answer delays, ratings,
open and overdue petitions), then:

1. times a full refresh of the statistics summary (what the pages read);
2. changes 1 000 petitions (half new, half answered from last month) and times the incremental
   refresh that follows, and one more with nothing changed;
3. times the dashboard service call (unfiltered, last 12 months, one body, one channel) and the
   public page through the test client, several runs each,

and prints their median latency and their ratio to ``SELECT count(*)`` on the same table, run in
the same process.

    python -m benchmarks.stats                                     # SQLite, 20 000 petitions
    python -m benchmarks.stats --petitions 1000000 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test

The issue's target: the dashboard answers in under 200 ms with 1 M petitions.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, text

from app import create_app
from app.calendar.service import CalendarService
from app.db import Database, temporary_database
from app.models import Base
from app.petitions.models import Petition
from app.stats.cli import refresh_statistics
from app.stats.services import StatsFilters, StatsService
from benchmarks.common import median, write_result

TYPES = (("complaint", 50), ("inquiry", 25), ("guidance", 10), ("suggestion", 10), ("corruption", 5))
CHANNELS = (("web", 55), ("counter", 15), ("phone", 10), ("letter", 5), ("email", 10), ("open311", 5))
BODIES = [f"bench-body-{n}" for n in range(12)]
COLUMNS = (
    "type", "subject", "description", "details", "channel", "current_office", "competent_body",
    "status", "response_due_at", "answered_at", "closed_at", "rating", "created_at", "updated_at",
    "anonymous",
)
DAYS = 3 * 365


def _choice(weights: tuple[tuple[str, int], ...], rng: random.Random) -> Callable[[], str]:
    names, counts = zip(*weights, strict=True)
    pool = [name for name, count in zip(names, counts, strict=True) for _ in range(count)]
    return lambda: rng.choice(pool)


def generate(n: int, now: datetime, seed: int = 1) -> Iterator[tuple[Any, ...]]:
    """``n`` petition rows (values in ``COLUMNS`` order), received over the last three years."""
    rng = random.Random(seed)
    kind, channel = _choice(TYPES, rng), _choice(CHANNELS, rng)
    start = now - timedelta(days=DAYS)
    for _ in range(n):
        created = start + timedelta(seconds=rng.randrange(DAYS * 86400))
        petition_type = kind()
        body = rng.choice(BODIES)
        office = "anti-corruption-unit" if petition_type == "corruption" else body
        due = created + timedelta(days=rng.choice((14, 21, 28, 42)))
        answered = closed = None
        rating = None
        delay = timedelta(days=rng.expovariate(1 / 12), hours=rng.randrange(8))
        age = now - created
        if delay < age and rng.random() < 0.93:
            answered = created + delay
            status = "answered"
            if rng.random() < 0.8 and answered + timedelta(days=7) < now:
                closed = answered + timedelta(days=rng.randrange(1, 7))
                status = "closed"
                rating = rng.randint(1, 5) if rng.random() < 0.4 else None
        elif age > timedelta(days=90) and rng.random() < 0.7:
            closed = created + timedelta(days=rng.randrange(10, 90))
            status = rng.choice(("rejected", "abandoned"))
        else:
            status = rng.choice(("received", "under_review", "in_progress", "information_requested"))
        yield (
            petition_type, "bench", "bench", "{}", channel(), office, body, status, due, answered,
            closed, rating, created, closed or answered or created, False,
        )


def seed(db: Database, n: int, now: datetime) -> float:
    """Insert ``n`` petitions and the holidays of the years they cover; returns the seconds."""
    began = time.perf_counter()
    if db.is_postgresql:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY petitions_petition ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in generate(n, now):
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    else:
        table = Petition.__table__
        batch: list[dict[str, Any]] = []
        with db.engine.begin() as conn:
            for row in generate(n, now):
                batch.append(dict(zip(COLUMNS, row, strict=True)))
                if len(batch) == 10_000:
                    conn.execute(table.insert(), batch)
                    batch = []
            if batch:
                conn.execute(table.insert(), batch)
    with db.session() as session:
        for year in range(now.year - 3, now.year + 1):
            CalendarService(session).seed_tunisia(year)
        session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.is_postgresql else "ANALYZE"))
    return time.perf_counter() - began


def change_some(db: Database, n: int, now: datetime) -> None:
    """What a busy few minutes do: ``n // 2`` new petitions, and ``n // 2`` of last month's
    unanswered petitions answered now."""
    month_ago = now - timedelta(days=30)
    new = [dict(zip(COLUMNS, row, strict=True)) for row in generate(n // 2, now, seed=2)]
    for row in new:
        row["created_at"] = row["updated_at"] = now - timedelta(seconds=random.randrange(600))
    table = Petition.__table__
    with db.engine.begin() as conn:
        conn.execute(table.insert(), new)
        ids = conn.scalars(
            select(Petition.id)
            .where(Petition.answered_at.is_(None), Petition.created_at >= month_ago - timedelta(days=30),
                   Petition.created_at < month_ago)
            .limit(n // 2)
        ).all()
        conn.execute(
            table.update().where(table.c.id.in_(ids)).values(answered_at=now, status="answered", updated_at=now)
        )


def timed(operation: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after one warm-up call."""
    operation()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        operation()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a PostgreSQL admin URL")
    parser.add_argument("--petitions", type=int, default=20_000, help="how many petitions to seed")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each measurement")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)

    with temporary_database(args.database, "epeople_bench") as url:
        app = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": url})
        db: Database = app.extensions["db"]
        Base.metadata.create_all(db.engine)
        seconds = seed(db, args.petitions, now)
        print(f"seeded {args.petitions} petitions in {seconds:.1f} s")
        unit = app.config["CORRUPTION_UNIT"]
        refreshes = {"full": refresh_statistics(app, db, full=True)}
        change_some(db, 1000, now)
        refreshes["incremental_after_1000_changes"] = refresh_statistics(app, db)
        refreshes["incremental_nothing_changed"] = refresh_statistics(app, db)
        for name, refreshed in refreshes.items():
            print(f"{name} refresh: {refreshed}")

        def baseline() -> None:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM petitions_petition")).scalar_one()

        def service_call(filters: StatsFilters) -> Callable[[], None]:
            def call() -> None:
                # The holidays come from the app's cache in the views: load them once here too.
                with db.session() as session:
                    StatsService(session, unit, holidays).summary(filters)

            return call

        with db.session() as session:
            holidays = CalendarService(session).holidays()
        client = app.test_client()

        def page() -> None:
            response = client.get("/statistics/")
            assert response.status_code == 200

        year_ago = now - timedelta(days=365)
        last_year = StatsFilters(start=f"{year_ago.year:04d}-{year_ago.month:02d}")
        measured = {
            "baseline_count_ms": timed(baseline, args.runs),
            "service_all_ms": timed(service_call(StatsFilters()), args.runs),
            "service_last_12_months_ms": timed(service_call(last_year), args.runs),
            "service_one_body_ms": timed(service_call(StatsFilters(body=BODIES[0])), args.runs),
            "service_one_channel_ms": timed(service_call(StatsFilters(channel="web")), args.runs),
            "http_page_ms": timed(page, args.runs),
        }
        db.engine.dispose()

    database = "postgresql" if args.database != "sqlite" else "sqlite"
    base = median(measured["baseline_count_ms"])
    result: dict[str, Any] = {"petitions": args.petitions, "runs": args.runs, "seed_seconds": round(seconds, 1)}
    for name, refreshed in refreshes.items():
        result[f"refresh_{name}_seconds"] = round(refreshed.seconds, 2)
        result[f"refresh_{name}_months"] = refreshed.months
    for name, times in measured.items():
        result[name.replace("_ms", "_median_ms")] = round(median(times), 2)
        if name != "baseline_count_ms":
            result[name.replace("_ms", "_ratio_to_baseline")] = round(median(times) / base, 2)
    for key, value in result.items():
        print(f"{key:42} {value}")
    target = max(result["service_all_median_ms"], result["http_page_median_ms"]) < 200
    print(f"dashboard (service and page) under 200 ms: {'yes' if target else 'NO'}")
    print("written to", write_result("stats", database, {**result, "under_200_ms": target}))


if __name__ == "__main__":
    main()
