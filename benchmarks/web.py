"""HTTP benchmark: the real submit and task-completion endpoints against a bare Flask endpoint.

Both apps run under gunicorn with the same settings (``config/gunicorn.py``; workers and
threads from the arguments) on the same scratch PostgreSQL database, one after the other in
alternating rounds, loaded by the same client (``benchmarks.httpload``). epeople runs with
its production settings: CSRF on, argon2 logins, rate limits counted in Redis (raised so the
benchmark is not refused: ``EPEOPLE_SUBMIT_RATE_LIMIT`` and ``EPEOPLE_LOGIN_RATE_LIMIT``).

- ``submit``: signed-in citizens POST the complaint start form (CSRF, validation, petition
  record, engine start, timeline, outbox, audit, commit); the baseline INSERTs one row.
- ``complete``: body agents POST the drafting form of their open tasks (a seeded backlog).

    python -m benchmarks.web --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m benchmarks.web --seconds 20 --rounds 3 --clients 8 --workers 4 --threads 2
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from sqlalchemy import select

from app.db import get_session, temporary_database
from app.engine.models import HumanTask
from benchmarks.bare_app import create_table
from benchmarks.common import write_result
from benchmarks.httpload import Action, Load, User, drive, gunicorn
from benchmarks.seed import BODY, bench_app, prepare, seed

APP_PORT, BARE_PORT = 18091, 18092
CITIZEN = ("citizen.amira@example.org", "demo-password-9")
AGENT = ("sfax.agent@example.org", "demo-password-7")
FORM = {
    "subject": "Éclairage public en panne — إنارة عمومية معطلة",
    "description": "Trois lampadaires sont éteints depuis deux semaines, rue de Tunis.",
}
DRAFT = {"decision": "submit", "answer": "Les travaux sont programmés pour la semaine prochaine."}


def _server_env(url: str) -> dict[str, str]:
    return {
        "EPEOPLE_ENV": "production",
        "DATABASE_URL": url,
        "BARE_DATABASE_URL": url,
        "SECRET_KEY": "benchmark-only",
        "EPEOPLE_SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "EPEOPLE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/9",
        "EPEOPLE_SUBMIT_RATE_LIMIT": "10000000 per hour",
        "EPEOPLE_LOGIN_RATE_LIMIT": "10000000 per hour",
    }


def _citizens(count: int) -> tuple[list[User], list[Action]]:
    users = []
    for _ in range(count):
        user = User(APP_PORT)
        user.login(*CITIZEN)
        user.fetch_csrf("/petitions/new/complaint")
        users.append(user)

    def submit(user: User) -> int:
        form = {**FORM, "target_body": BODY}
        return user.request("POST", "/petitions/new/complaint", form, follows_redirect=True)[0]

    return users, [submit] * count


def _agents(count: int, task_ids: list[str]) -> tuple[list[User], list[Action]]:
    users, actions = [], []
    for n in range(count):
        user = User(APP_PORT)
        user.login(*AGENT)
        user.fetch_csrf("/tasks/")
        queue = iter(task_ids[n::count])  # each agent its own tasks: no claims collide

        def complete(user: User, queue: Any = queue) -> int:
            return user.request("POST", f"/tasks/{next(queue)}/complete", DRAFT, follows_redirect=True)[0]

        users.append(user)
        actions.append(complete)
    return users, actions


def _bare(count: int) -> tuple[list[User], list[Action]]:
    def insert(user: User) -> int:
        return user.request("POST", "/insert", FORM)[0]

    return [User(BARE_PORT) for _ in range(count)], [insert] * count


def _summary(load: Load) -> dict[str, Any]:
    return {"per_s": round(load.per_second, 1), "requests": load.done, "failed": load.failed,
            "statuses": load.statuses, "p50_ms": round(load.percentile(0.5), 1),
            "p95_ms": round(load.percentile(0.95), 1)}


def measure(scenario: str, url: str, args: argparse.Namespace, task_ids: list[str]) -> dict[str, Any]:
    """Alternate bare and epeople rounds; the ratio is of their summed throughputs."""
    env = _server_env(url)
    size = dict(workers=args.workers, threads=args.threads)
    ours, bare = Load(), Load()
    with gunicorn("app:create_app()", APP_PORT, env, **size), \
            gunicorn("benchmarks.bare_app:create_app()", BARE_PORT, env, **size):
        users, actions = _citizens(args.clients) if scenario == "submit" else _agents(args.clients, task_ids)
        bare_users, bare_actions = _bare(args.clients)
        drive(bare_users, bare_actions, 201, args.warmup)  # every worker: imports, pool, spec cache
        drive(users, actions, 302, args.warmup)
        client_cpu = time.process_time()
        for _ in range(args.rounds):
            bare.add(drive(bare_users, bare_actions, 201, args.seconds))
            ours.add(drive(users, actions, 302, args.seconds))
        client_cpu = time.process_time() - client_cpu
    return {
        "epeople": _summary(ours), "bare": _summary(bare),
        "ratio": round(ours.per_second / bare.per_second, 3) if bare.per_second else None,
        "client_cpu_share": round(client_cpu / (ours.seconds + bare.seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--scenario", choices=("submit", "complete", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one measured round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side, alternating")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=8, help="concurrent users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (both apps)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--tasks", type=int, default=6000, help="drafting tasks seeded for 'complete'")
    args = parser.parse_args()
    scenarios = ("submit", "complete") if args.scenario == "both" else (args.scenario,)
    result: dict[str, Any] = {"settings": {k: v for k, v in vars(args).items() if k != "database"},
                              "load_average_before": os.getloadavg()[0]}
    with temporary_database(args.database, "epeople_bench_web") as url:
        app = bench_app(url)
        prepare(app)
        task_ids: list[str] = []
        if "complete" in scenarios:
            seed(app, args.tasks, args.tasks, stages=("draft_answer",))
            with app.app_context():
                task_ids = list(get_session().scalars(
                    select(HumanTask.id).where(HumanTask.task_name == "draft_answer").order_by(HumanTask.id)
                ))
        app.extensions["db"].engine.dispose()
        create_table(url)
        for scenario in scenarios:
            result[scenario] = measure(scenario, url, args, task_ids)
    result["load_average_after"] = os.getloadavg()[0]
    path = write_result("web", "postgresql", result)
    parts = [
        f"{name} {result[name]['ratio']}x bare ({result[name]['epeople']['per_s']}/s vs "
        f"{result[name]['bare']['per_s']}/s, p95 {result[name]['epeople']['p95_ms']} ms)"
        for name in scenarios
    ]
    print(f"web/postgresql ({args.workers} workers x {args.threads} threads): " + "; ".join(parts) + f" -> {path}")


if __name__ == "__main__":
    main()
