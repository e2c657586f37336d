"""How a save reaches the database: what to write, then one statement (PostgreSQL) or several.

A save is computed first as a ``SavePlan``: the instance row, the projection rows to delete and
insert, the incident and the history rows. On PostgreSQL the whole plan is one statement: the
instance INSERT or conditional UPDATE is a data-modifying CTE whose RETURNING row every other
part selects from (or checks with EXISTS), so if the UPDATE matched nothing (another transaction
saved first) nothing else is written either, exactly as when the statements ran one by one.
The network round trip per step, not Python, is what a save costs on a busy server.
On SQLite (no DML in CTEs) the plan runs statement by statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.engine.models import DueTimer, HumanTask, Incident, InstanceEvent, ProcessInstance

INSTANCE = ProcessInstance.__table__
TASK = HumanTask.__table__
TIMER = DueTimer.__table__
EVENT = InstanceEvent.__table__
INCIDENT = Incident.__table__

TASK_COLUMNS = (
    ("id", "varchar"), ("process_id", "varchar"), ("task_name", "varchar"), ("title", "varchar"),
    ("lane", "varchar"), ("body", "varchar"), ("form", "varchar"), ("assignee", "varchar"),
    ("priority", "integer"), ("created_at", "timestamptz"), ("due_at", "timestamptz"),
)
TIMER_COLUMNS = (
    ("task_id", "varchar"), ("name", "varchar"), ("due_at", "timestamptz"),
    ("lease_owner", "varchar"), ("lease_expires_at", "timestamptz"),
)
EVENT_COLUMNS = (
    ("kind", "varchar"), ("task_id", "varchar"), ("task_name", "varchar"), ("title", "varchar"),
    ("actor", "varchar"), ("data_diff", "text"), ("created_at", "timestamptz"),
)
INCIDENT_COLUMNS = (
    ("task_id", "varchar"), ("task_name", "varchar"), ("error_type", "varchar"), ("message", "text"),
    ("line_number", "integer"), ("created_at", "timestamptz"), ("resolved_at", "timestamptz"),
)
INSTANCE_COLUMNS = (
    ("version_id", "integer"), ("state", "bytea"), ("status", "varchar"), ("revision", "integer"),
    ("serializer_version", "varchar"), ("updated_at", "timestamptz"), ("completed_at", "timestamptz"),
)


class OutdatedVersion(Exception):
    """The version a new instance was started on is no longer the latest (a cached lookup)."""


@dataclass
class SavePlan:
    instance_id: int  # 0: INSERT a new instance
    expected_revision: int  # the UPDATE's condition (ignored for an INSERT)
    instance: dict[str, Any]  # INSTANCE_COLUMNS, plus started_by and created_at for an INSERT
    # A new instance is INSERTed only while its version is the latest of this process id.
    latest_guard: str | None = None
    task_deletes: set[str] = field(default_factory=set)
    task_inserts: list[dict[str, Any]] = field(default_factory=list)
    timer_deletes: set[str] = field(default_factory=set)  # task ids
    timer_inserts: list[dict[str, Any]] = field(default_factory=list)
    incident: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


def one_statement_saves(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def write(session: Session, plan: SavePlan) -> int | None:
    """Apply ``plan``; the instance id, or None when the conditional UPDATE (or the INSERT's
    latest-version guard) matched nothing."""
    if one_statement_saves(session):
        return _write_one_statement(session, plan)
    return _write_each(session, plan)


def _write_each(session: Session, plan: SavePlan) -> int | None:
    instance_id = plan.instance_id
    if instance_id == 0:
        if plan.latest_guard is not None:
            raise ValueError("a latest-version guard needs the one-statement save")
        instance_id = session.execute(
            INSTANCE.insert().values(**plan.instance).returning(INSTANCE.c.id)
        ).scalar_one()
    else:
        result = session.execute(
            INSTANCE.update()
            .where(INSTANCE.c.id == instance_id, INSTANCE.c.revision == plan.expected_revision)
            .values(**plan.instance)
        )
        if result.rowcount != 1:
            return None
    if plan.task_deletes:
        session.execute(TASK.delete().where(TASK.c.id.in_(plan.task_deletes)))
    if plan.task_inserts:
        session.execute(TASK.insert(), [{**row, "instance_id": instance_id} for row in plan.task_inserts])
    if plan.timer_deletes:
        session.execute(
            TIMER.delete().where(TIMER.c.instance_id == instance_id, TIMER.c.task_id.in_(plan.timer_deletes))
        )
    if plan.timer_inserts:
        session.execute(TIMER.insert(), [{**row, "instance_id": instance_id} for row in plan.timer_inserts])
    if plan.incident is not None:
        session.execute(INCIDENT.insert().values(instance_id=instance_id, **plan.incident))
    if plan.events:
        session.execute(EVENT.insert(), [{**row, "instance_id": instance_id} for row in plan.events])
    return instance_id


class _Statement:
    """Collects bind parameters, each cast to its column's type (NULLs have no type of their own)."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any, sql_type: str) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"CAST(:{name} AS {sql_type})"

    def values(self, rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
        tuples = ", ".join(
            "(" + ", ".join(self.bind(row[name], sql_type) for name, sql_type in columns) + ")" for row in rows
        )
        names = ", ".join(name for name, _ in columns)
        return f"(VALUES {tuples}) AS v ({names})"

    def insert_rows(self, table: str, rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
        names = ", ".join(name for name, _ in columns)
        return (
            f"INSERT INTO {table} (instance_id, {names}) "
            f"SELECT inst.id, {', '.join('v.' + name for name, _ in columns)} FROM inst, {self.values(rows, columns)}"
        )


def _write_one_statement(session: Session, plan: SavePlan) -> int | None:
    stmt = _Statement()
    columns = ", ".join(name for name, _ in INSTANCE_COLUMNS)
    if plan.instance_id == 0:
        values = ", ".join(stmt.bind(plan.instance[name], sql_type) for name, sql_type in INSTANCE_COLUMNS)
        guard = ""
        if plan.latest_guard is not None:
            guard = (
                " WHERE (SELECT id FROM engine_process_version WHERE process_id = "
                f"{stmt.bind(plan.latest_guard, 'varchar')} ORDER BY version DESC LIMIT 1) = "
                f"{stmt.bind(plan.instance['version_id'], 'integer')}"
            )
        instance_sql = (
            f"INSERT INTO engine_instance ({columns}, started_by, created_at) SELECT {values}, "
            f"{stmt.bind(plan.instance['started_by'], 'varchar')}, "
            f"{stmt.bind(plan.instance['created_at'], 'timestamptz')}{guard} RETURNING id"
        )
    else:
        assignments = ", ".join(
            f"{name} = {stmt.bind(plan.instance[name], sql_type)}" for name, sql_type in INSTANCE_COLUMNS
        )
        instance_sql = (
            f"UPDATE engine_instance SET {assignments} WHERE id = {stmt.bind(plan.instance_id, 'integer')} "
            f"AND revision = {stmt.bind(plan.expected_revision, 'integer')} RETURNING id"
        )
    parts = [f"inst AS ({instance_sql})"]
    if plan.task_deletes:
        ids = ", ".join(stmt.bind(task_id, "varchar") for task_id in sorted(plan.task_deletes))
        parts.append(f"task_gone AS (DELETE FROM engine_human_task WHERE id IN ({ids}) "
                     "AND EXISTS (SELECT 1 FROM inst))")
    if plan.task_inserts:
        parts.append(f"task_new AS ({stmt.insert_rows('engine_human_task', plan.task_inserts, TASK_COLUMNS)})")
    if plan.timer_deletes:
        ids = ", ".join(stmt.bind(task_id, "varchar") for task_id in sorted(plan.timer_deletes))
        parts.append(f"timer_gone AS (DELETE FROM engine_due_timer WHERE instance_id IN (SELECT id FROM inst) "
                     f"AND task_id IN ({ids}))")
    if plan.timer_inserts:
        parts.append(f"timer_new AS ({stmt.insert_rows('engine_due_timer', plan.timer_inserts, TIMER_COLUMNS)})")
    if plan.incident is not None:
        parts.append(f"incident AS ({stmt.insert_rows('engine_incident', [plan.incident], INCIDENT_COLUMNS)})")
    if plan.events:
        parts.append(f"history AS ({stmt.insert_rows('engine_instance_event', plan.events, EVENT_COLUMNS)})")
    sql = "WITH " + ", ".join(parts) + " SELECT id FROM inst"
    instance_id: int | None = session.execute(text(sql), stmt.params).scalar_one_or_none()
    return instance_id
