"""Fast seeding of many complete petitions (PostgreSQL): real instances, cloned with COPY.

A handful of *template* petitions go through the real services (submit, then tasks completed
one by one), so each is a genuine petition with its workflow state, open task, timers, history
and timeline at a given stage. Each template is then cloned with ``COPY``: new ids, new task
UUIDs (rewritten inside the workflow state too, so every clone can be loaded and worked on),
a new tracking number, and for closed petitions dates moved back over three years. Going
through the HTTP path would take hours for a million petitions; this takes minutes.

What is seeded models a national archive with a working backlog: ``--open`` petitions are
open (at qualification, drafting or validation, in the Sfax municipality so its staff see them)
and the rest are closed. The backlog is what an office works on; it does not grow with the
archive, which is what the scale benchmark checks.

    python -m benchmarks.seed --database postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --petitions 100000 --open 2000      # keeps the database and prints its URL
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask
from sqlalchemy import Table, create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.cli import load_demo_people
from app.auth.models import User
from app.cli import deploy_default_processes, upgrade_database
from app.db import database, get_session
from app.models import Base
from app.petitions import petition_service
from app.petitions.models import Petition

BODY = "mun-sfax"
CITIZEN = "citizen.amira@example.org"
# What each task of the petition diagram is completed with to move a template on.
ANSWERS: dict[str, dict[str, Any]] = {
    "qualify": {"decision": "accept", "competent_body": BODY},
    "draft_answer": {"decision": "submit", "answer": "Les travaux sont programmés pour la semaine prochaine."},
    "validate_answer": {"decision": "approve"},
    "survey": {"rating": 4, "comment": "Merci"},
}
OPEN_STAGES = ("qualify", "draft_answer", "validate_answer")
UUID_OR_PETITION = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|\"petition_id\":(\d+)"
)
EVENT_VALUE = re.compile(r'"event_value":"([^"]+)"')
# Parents before children (foreign keys), with the column that ties a row to its petition.
TABLES = (
    ("engine_instance", "id"),
    ("petitions_petition", "instance_id"),
    ("petitions_timeline", "petition_id"),
    ("engine_human_task", "instance_id"),
    ("engine_due_timer", "instance_id"),
    ("engine_instance_event", "instance_id"),
)


def bench_app(url: str, **overrides: Any) -> Flask:
    """The app with production settings on ``url``, rate limits off (in-process seeding)."""
    os.environ.setdefault("SECRET_KEY", "benchmark-only")  # production refuses to start without
    return create_app({
        "ENVIRONMENT": "production", "DATABASE_URL": url, "SECRET_KEY": "benchmark-only",
        "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False, "PREFERRED_URL_SCHEME": "http",
        **overrides,
    })


def prepare(app: Flask) -> None:
    """Schema, default diagrams, demo bodies and accounts: what a fresh deployment has."""
    with app.app_context():
        upgrade_database(app.config["DATABASE_URL"])
        deploy_default_processes()
        load_demo_people()
        get_session().commit()


def make_template(app: Flask, stage: str) -> Petition:
    """Submit a complaint and complete its tasks until ``stage`` is open (or it is closed)."""
    with app.app_context():
        session = get_session()
        citizen = session.scalar(select(User).where(User.email == CITIZEN))
        service = petition_service()
        petition = service.submit(
            "complaint",
            {"subject": "Éclairage public en panne — إنارة عمومية معطلة",
             "description": "Trois lampadaires sont éteints depuis deux semaines, rue de Tunis.",
             "target_body": BODY},
            [], citizen_id=citizen.id, contact_email=citizen.email,
        ).petition
        while True:
            info = service.engine.instance(petition.instance_id)
            staff = [t for t in info.ready_tasks if t.name in ANSWERS]
            if info.status == "completed" or (staff and staff[0].name == stage):
                break
            service.complete_task(petition, staff[0], ANSWERS[staff[0].name], citizen.id)
        session.commit()
        return petition


@dataclass
class Template:
    """A template petition's rows, ready to be cloned."""

    rows: dict[str, list[dict[str, Any]]]
    state_parts: list[Any]  # text, or ("uuid", old) / ("petition",) placeholders
    closed: bool


def load_template(app: Flask, petition_id: int, due_at: datetime | None = None) -> Template:
    """Read the template's rows; ``due_at`` moves its waiting timers (state and projection)."""
    tables = Base.metadata.tables
    with app.app_context():
        conn = get_session().connection()
        instance_id = conn.execute(select(tables["petitions_petition"].c.instance_id)
                                   .where(tables["petitions_petition"].c.id == petition_id)).scalar_one()
        keys = {"engine_instance": instance_id, "petitions_petition": instance_id,
                "petitions_timeline": petition_id}
        rows = {}
        for name, column in TABLES:
            table = tables[name]
            key = keys.get(name, instance_id)
            result = conn.execute(select(table).where(table.c[column] == key).order_by(*table.primary_key))
            rows[name] = [dict(r._mapping) for r in result]
    instance = rows["engine_instance"][0]
    state = gzip.decompress(instance["state"]).decode("utf-8")
    if due_at is not None:
        state = EVENT_VALUE.sub(f'"event_value":"{due_at.isoformat()}"', state)
        for timer in rows["engine_due_timer"]:
            timer["due_at"] = due_at
    parts: list[Any] = []
    position = 0
    for match in UUID_OR_PETITION.finditer(state):
        parts.append(state[position:match.start()])
        parts.append(("uuid", match.group(1)) if match.group(1) else ("petition",))
        position = match.end()
    parts.append(state[position:])
    return Template(rows, parts, closed=instance["status"] == "completed")


class Cloner:
    """Writes clones of templates with COPY, allocating ids past what the tables hold."""

    def __init__(self, app: Flask, seed: int = 1) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.tables: dict[str, Table] = {name: Base.metadata.tables[name] for name, _ in TABLES}
        with app.app_context():
            conn = get_session().connection()
            self.next_id = {
                name: (conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar_one() + 1)
                for name, _ in TABLES if name != "engine_human_task"
            }

    def _take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def _state(self, template: Template, uuids: dict[str, str], petition_id: int) -> bytes:
        out = []
        for part in template.state_parts:
            if isinstance(part, str):
                out.append(part)
            elif part[0] == "uuid":
                out.append(uuids.setdefault(part[1], str(uuid.uuid4())))
            else:
                out.append(f'"petition_id":{petition_id}')
        return gzip.compress("".join(out).encode("utf-8"), compresslevel=1)

    def _clone(self, template: Template) -> dict[str, list[dict[str, Any]]]:
        uuids: dict[str, str] = {}
        instance_id = self._take("engine_instance")
        petition_id = self._take("petitions_petition")
        # Closed petitions are history: spread over three years. Open ones keep their dates,
        # which their timers (inside the state) were computed from.
        shift = timedelta(seconds=self.rng.randrange(30 * 86400, 3 * 365 * 86400)) if template.closed else None
        out: dict[str, list[dict[str, Any]]] = {}
        for name, rows in template.rows.items():
            copies = []
            for row in rows:
                new = dict(row)
                if shift is not None:
                    for key, value in new.items():
                        if isinstance(value, datetime):
                            new[key] = value - shift
                if name == "engine_human_task":
                    new["id"] = uuids.setdefault(row["id"], str(uuid.uuid4()))
                elif name == "engine_instance":
                    new["id"] = instance_id
                elif name == "petitions_petition":
                    new["id"] = petition_id
                else:
                    new["id"] = self._take(name)
                if "instance_id" in new:
                    new["instance_id"] = instance_id
                if "petition_id" in new:
                    new["petition_id"] = petition_id
                if new.get("task_id"):
                    new["task_id"] = uuids.setdefault(row["task_id"], str(uuid.uuid4()))
                copies.append(new)
            out[name] = copies
        petition = out["petitions_petition"][0]
        petition["tracking_number"] = f"TN-{petition['created_at'].year}-{petition_id:07d}"
        out["engine_instance"][0]["state"] = self._state(template, uuids, petition_id)
        return out

    def write(self, plan: Iterator[Template], chunk: int = 5000) -> int:
        """Clone each template of ``plan`` once, ``chunk`` petitions per transaction."""
        written = 0
        done = False
        while not done:
            batch: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in TABLES}
            for _ in range(chunk):
                template = next(plan, None)
                if template is None:
                    done = True
                    break
                for name, rows in self._clone(template).items():
                    batch[name].extend(rows)
                written += 1
            self._copy(batch)
        self._reset_sequences()
        return written

    def _copy(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        with self.app.app_context():
            connection = database().engine.raw_connection()
            try:
                pg = connection.driver_connection
                with pg.cursor() as cursor:
                    for name, rows in batch.items():
                        if not rows:
                            continue
                        columns = [c.name for c in self.tables[name].columns]
                        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row([row[c] for c in columns])
                pg.commit()
            finally:
                connection.close()

    def _reset_sequences(self) -> None:
        with self.app.app_context():
            session = get_session()
            for name, _ in TABLES:
                if name != "engine_human_task":
                    session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    ))
            session.commit()


def seed(app: Flask, petitions: int, open_petitions: int, due_timers: int = 0,
         stages: tuple[str, ...] = OPEN_STAGES, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Add about ``petitions`` petitions: ``open_petitions`` open at ``stages`` in turn
    (``due_timers`` of them at qualification with their deadline already passed), the rest
    closed. The templates themselves count among them."""
    began = time.perf_counter()
    templates = {stage: load_template(app, make_template(app, stage).id) for stage in (*stages, "closed")}
    overdue = None
    if due_timers:
        past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
        overdue = load_template(app, make_template(app, "qualify").id, due_at=past)
    open_petitions = min(open_petitions, petitions)
    due_timers = min(due_timers, open_petitions)

    def plan() -> Iterator[Template]:
        """The archive first, then the backlog: open petitions are the newest, as in life."""
        clones = petitions - len(templates) - (1 if due_timers else 0)
        for i in range(clones):
            left = clones - i  # the last ``open_petitions`` are open, overdue ones last of all
            if left <= due_timers and overdue is not None:
                yield overdue
            elif left <= open_petitions:
                yield templates[stages[left % len(stages)]]
            else:
                yield templates["closed"]

    cloner = Cloner(app)
    written = cloner.write(plan())
    with app.app_context():
        get_session().execute(text("ANALYZE"))
        get_session().commit()
    seconds = time.perf_counter() - began
    progress(f"seeded {written + len(templates) + (1 if due_timers else 0)} petitions in {seconds:.1f} s")
    return {"petitions": petitions, "open": open_petitions, "due_timers": due_timers,
            "seed_seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL admin URL")
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=2_000, help="open petitions among them")
    args = parser.parse_args()
    url = new_database(args.database, "epeople_seed")
    app = bench_app(url)
    prepare(app)
    seed(app, args.petitions, args.open)
    print(f"kept {url} (drop it when done)")


def new_database(admin_url: str, prefix: str) -> str:
    """Create an empty database that outlives this process; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
