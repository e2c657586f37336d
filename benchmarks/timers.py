"""Timer benchmark: how fast workers fire a burst of due timers, and that none fires twice.

Seeds N petitions waiting at qualification whose response deadline (a boundary timer) passed
an hour ago, then runs the timer worker of ``flask epeople worker`` (``TimerWorker``) in
separate processes: first one worker alone for ``--solo`` seconds, then two in parallel until
nothing is due. Each firing is a real step (load, fire, escalation task, save, the petition's
listener, notification), batched as the worker does (a transaction per 50 instances, a
savepoint each). Checked afterwards: every timer fired exactly once (one ``timer_fired``
history row per timer, one escalation task per petition, no timer left). The ratio printed is
two workers' rate over one worker's.

    python -m benchmarks.timers                      # 5 000 timers
    python -m benchmarks.timers --timers 100000
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from typing import Any

from sqlalchemy import func, select, text

from app.db import database, get_session, temporary_database
from app.engine.models import DueTimer, HumanTask, InstanceEvent
from app.engine.timers import TimerWorker
from benchmarks.common import write_result
from benchmarks.seed import bench_app, prepare, seed


def _work(url: str, owner: str, seconds: float, start: Any, results: Any) -> None:
    """A worker process: once every worker is ready, fire due timers until none is left or
    ``seconds`` passed; reports (fired, began, ended) in ``time.time()`` seconds."""
    app = bench_app(url)
    with app.app_context():
        worker = TimerWorker(database(), app.extensions["engine"], owner=owner, batch_size=100)
        start.wait()  # process start-up is not timed
        began = time.time()
        fired = 0
        while time.time() - began < seconds:
            report = worker.run_once()
            fired += report.fired
            if report.claimed == 0:
                break
        results.put((fired, began, time.time()))
        database().engine.dispose()


def _run(url: str, workers: int, seconds: float) -> tuple[int, float]:
    spawn = multiprocessing.get_context("spawn")  # each worker builds its own app, like the CLI
    start, results = spawn.Barrier(workers), spawn.Queue()
    processes = [
        spawn.Process(target=_work, args=(url, f"bench-{workers}-{n}", seconds, start, results))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    reports = [results.get() for _ in processes]
    for process in processes:
        process.join()
    fired = sum(r[0] for r in reports)
    return fired, max(r[2] for r in reports) - min(r[1] for r in reports)


def _check(app: Any) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        fired_twice = session.scalar(text(
            "SELECT count(*) FROM (SELECT task_id FROM engine_instance_event WHERE kind = 'timer_fired' "
            "GROUP BY instance_id, task_id HAVING count(*) > 1) AS twice"
        ))
        return {
            "timer_fired_events": session.scalar(
                select(func.count()).select_from(InstanceEvent).where(InstanceEvent.kind == "timer_fired")),
            "fired_twice": fired_twice,
            "escalation_tasks": session.scalar(
                select(func.count()).select_from(HumanTask).where(HumanTask.task_name == "escalate_qualify")),
            "still_due": session.scalar(
                select(func.count()).select_from(DueTimer).where(DueTimer.due_at <= func.now())),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--timers", type=int, default=5000, help="due timers, all at once")
    parser.add_argument("--solo", type=float, default=10.0, help="seconds of one worker alone first")
    args = parser.parse_args()
    with temporary_database(args.database, "epeople_bench_timers") as url:
        app = bench_app(url)
        prepare(app)
        seed(app, args.timers + 5, args.timers, due_timers=args.timers)
        due = _check(app)["still_due"]  # the clones and their template
        app.extensions["db"].engine.dispose()
        solo_fired, solo_seconds = _run(url, 1, args.solo)
        pair_fired, pair_seconds = _run(url, 2, 24 * 3600)
        checks = _check(app)
        app.extensions["db"].engine.dispose()
    solo_rate, pair_rate = solo_fired / solo_seconds, pair_fired / pair_seconds
    result = {
        "timers": due,
        "one_worker": {"fired": solo_fired, "seconds": round(solo_seconds, 1), "per_s": round(solo_rate, 1)},
        "two_workers": {"fired": pair_fired, "seconds": round(pair_seconds, 1), "per_s": round(pair_rate, 1)},
        "ratio_two_to_one": round(pair_rate / solo_rate, 2),
        "checks": checks,
        "load_average": os.getloadavg()[0],
    }
    path = write_result("timers", "postgresql", result)
    print(
        f"timers/postgresql: {result['timers']} due; two workers {pair_rate:.0f}/s, one worker {solo_rate:.0f}/s "
        f"({result['ratio_two_to_one']}x); fired twice: {checks['fired_twice']}, still due: {checks['still_due']}, "
        f"fired {checks['timer_fired_events']} -> {path}"
    )


if __name__ == "__main__":
    main()
