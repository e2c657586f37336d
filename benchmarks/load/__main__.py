"""Load test: gunicorn on PostgreSQL under locust, then the database is checked for losses.

    python -m benchmarks.load [--seconds 60] [--users 20] [--database ADMIN_URL] [--workers N]

It creates a scratch PostgreSQL database, upgrades it and loads the demo data
(``init-db --demo``), adds one account per simulated user (citizens and BCRC relations
agents), starts gunicorn on 127.0.0.1 with the production settings, and runs
``benchmarks.load.scenario`` headless for the given time. Then it checks that every petition
the server confirmed is in the database and no other (none lost, none invented), that every
completed task was recorded, and that no request failed; it writes
``benchmarks/results/<label>-postgresql.json`` and prints one line with p50/p95 per request
type, as a ratio to the home page (the baseline, measured in the same run).

Rate limits are set far above the load for the run (``EPEOPLE_*_RATE_LIMIT``), counted in
memory per worker; the secure cookie flag is off because gunicorn serves plain HTTP here.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import write_result

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "load-test-password"
NO_LIMIT = "1000000 per minute"


def _settings(database_url: str, upload_dir: str) -> dict[str, str]:
    """The environment of every process of the run: production, with the load's allowances."""
    return {
        "EPEOPLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": database_url,
        "EPEOPLE_SESSION_COOKIE_SECURE": "false",
        "EPEOPLE_RATELIMIT_STORAGE_URI": "memory://",
        "EPEOPLE_LOGIN_RATE_LIMIT": NO_LIMIT,
        "EPEOPLE_SUBMIT_RATE_LIMIT": NO_LIMIT,
        "EPEOPLE_LOOKUP_RATE_LIMIT": NO_LIMIT,
        "EPEOPLE_UPLOAD_DIR": upload_dir,
    }


def _prepare(users: int) -> dict[str, Any]:
    """Schema, default diagrams, demo data, and ``users`` citizens and agents (one hash shared:
    the password is the same, and argon2 at production cost takes a while per hash)."""
    from app import create_app
    from app.auth.models import Role, User
    from app.db import database
    from app.org.models import Body

    app = create_app()
    result = app.test_cli_runner().invoke(args=["epeople", "init-db", "--demo"])
    if result.exit_code != 0:
        raise RuntimeError(f"init-db failed: {result.output}")
    with app.app_context():
        password_hash = app.extensions["passwords"].hash(PASSWORD)
        with database().session() as session:
            bcrc = session.scalars(select(Body).where(Body.code == app.config["CENTRAL_OFFICE"])).one()
            accounts: dict[str, Any] = {"password": PASSWORD, "citizens": [], "agents": []}
            for n in range(users):
                for kind, role, body in (("citizens", Role.CITIZEN, None), ("agents", Role.RELATIONS_AGENT, bcrc)):
                    email = f"load.{kind[:-1]}{n}@example.org"
                    session.add(User(email=email, full_name=f"Load {kind[:-1]} {n}", role=role, body=body,
                                     password_hash=password_hash, is_active=True, preferred_language="en"))
                    accounts[kind].append(email)
            session.commit()
    app.extensions["db"].engine.dispose()
    return accounts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(env: dict[str, str], workers: int) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"],
        cwd=ROOT, env=env,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(host + "/login", timeout=10):
                    break
            except OSError:  # refused, reset or timed out: not up yet
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield host
    finally:
        server.terminate()
        server.wait(timeout=30)


def _load(host: str, accounts: dict[str, Any], seconds: float, users: int, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="epeople-load-") as folder:
        accounts_path, output = os.path.join(folder, "accounts.json"), os.path.join(folder, "out.json")
        with open(accounts_path, "w", encoding="utf-8") as handle:
            json.dump(accounts, handle)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.load.scenario", host, accounts_path, str(seconds), str(users), output],
            cwd=ROOT, env=env, check=True, timeout=seconds + 180,
        )
        with open(output, encoding="utf-8") as handle:
            loaded: dict[str, Any] = json.load(handle)
            return loaded


def _count(database_url: str, load: dict[str, Any]) -> dict[str, Any]:
    """What the database holds of the load: the load citizens' petitions, the tasks the agents
    completed (audited), compared with what the server confirmed."""
    from app.audit.models import Action, AuditEvent
    from app.auth.models import User
    from app.db import Database
    from app.petitions.models import Petition

    db = Database(database_url)
    with db.session() as session:
        citizens = select(User.id).where(User.email.like("load.citizen%"))
        agents = select(User.id).where(User.email.like("load.agent%"))
        stored = set(session.scalars(select(Petition.tracking_number).where(Petition.citizen_id.in_(citizens))))
        completions = session.scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == Action.TASK_COMPLETED, AuditEvent.actor_id.in_(agents)
            )
        )
    db.engine.dispose()
    confirmed = set(load["submitted"])
    return {
        "petitions_confirmed": len(load["submitted"]),
        "petitions_in_database": len(stored),
        "petitions_lost": len(confirmed - stored),
        "petitions_unconfirmed_in_database": len(stored - confirmed),
        "tasks_completed_confirmed": len(load["completed"]),
        "tasks_completed_in_audit": completions,
    }


def run(seconds: float, users: int, admin_url: str, workers: int, label: str) -> dict[str, Any]:
    from app.db import temporary_database

    with temporary_database(admin_url, "epeople_load") as database_url, \
            tempfile.TemporaryDirectory(prefix="epeople-load-uploads-") as upload_dir:
        env = {**os.environ, **_settings(database_url, upload_dir)}
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)  # create_app() in this process reads the same settings
        try:
            accounts = _prepare(users)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        with _gunicorn(env, workers) as host:
            load = _load(host, accounts, seconds, users, env)
        counts = _count(database_url, load)
    failures = load["total"]["failures"] + load["exceptions"]
    result = {
        "seconds": seconds, "users": users, "gunicorn_workers": workers,
        "requests": load["requests"], "total": load["total"], "errors": load["errors"],
        "failures": failures, "claim_conflicts": load["claim_conflicts"], **counts,
        "ok": failures == 0 and counts["petitions_lost"] == 0
        and counts["petitions_unconfirmed_in_database"] == 0
        and counts["tasks_completed_confirmed"] == counts["tasks_completed_in_audit"],
    }
    result["path"] = write_result(label, "postgresql", result)
    return result


def summary(result: dict[str, Any]) -> str:
    requests = result["requests"]
    baseline = requests.get("home page", {}).get("p50_ms") or 1
    parts = [
        f"{name} p50 {entry['p50_ms']} ms p95 {entry['p95_ms']} ms (x{entry['p50_ms'] / baseline:.1f})"
        for name, entry in requests.items()
    ]
    total = result["total"]
    return (
        f"load {'OK' if result['ok'] else 'FAILED'}: {result['seconds']:g} s, {result['users']} users, "
        f"{total['requests']} requests ({total['per_second']}/s), {result['failures']} failures; "
        f"petitions {result['petitions_confirmed']} confirmed = {result['petitions_in_database']} in database "
        f"({result['petitions_lost']} lost); tasks completed {result['tasks_completed_confirmed']} = "
        f"{result['tasks_completed_in_audit']} audited ({result['claim_conflicts']} claim conflicts); "
        + "; ".join(parts)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--database", default=DEFAULT_ADMIN_URL, help="PostgreSQL URL allowed to create databases")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--label", default="load", help="result file name: benchmarks/results/LABEL-postgresql.json")
    args = parser.parse_args()
    result = run(args.seconds, args.users, args.database, args.workers, args.label)
    print(summary(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
