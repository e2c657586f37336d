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

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


def _insert_rows(table: str, part: str, columns: tuple[tuple[str, str], ...]) -> str:
    """INSERT the rows given as one JSON array of objects (parameter ``part``), each linked to
    the instance: any number of rows, always the same SQL text and a single parameter."""
    names = ", ".join(name for name, _ in columns)
    record = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    return (
        f"INSERT INTO {table} (instance_id, {names}) "
        f"SELECT inst.id, {', '.join('v.' + name for name, _ in columns)} "
        f"FROM inst, json_to_recordset(%({part})s::json) AS v ({record})"
    )


def _save_sql(instance_sql: str) -> str:
    """The whole save as one statement around the instance's INSERT or UPDATE (``inst``).

    Every part is always there, with row lists that may be empty, so each kind of save has one
    constant SQL text: psycopg then prepares it once per connection, and PostgreSQL stops
    parsing and planning these CTEs on every save. The rows travel as JSON (``json``, which is
    only their transport here) because one text parameter per table costs the driver far less
    than one array per column.
    """
    parts = (
        f"inst AS ({instance_sql})",
        "task_gone AS (DELETE FROM engine_human_task WHERE id = ANY(%(task_deletes)s::varchar[]) "
        "AND EXISTS (SELECT 1 FROM inst))",
        f"task_new AS ({_insert_rows('engine_human_task', 'task_new', TASK_COLUMNS)})",
        "timer_gone AS (DELETE FROM engine_due_timer WHERE instance_id IN (SELECT id FROM inst) "
        "AND task_id = ANY(%(timer_deletes)s::varchar[]))",
        f"timer_new AS ({_insert_rows('engine_due_timer', 'timer_new', TIMER_COLUMNS)})",
        f"incident AS ({_insert_rows('engine_incident', 'incidents', INCIDENT_COLUMNS)})",
        f"history AS ({_insert_rows('engine_instance_event', 'history', EVENT_COLUMNS)})",
    )
    return "WITH " + ", ".join(parts) + " SELECT id FROM inst"


_INSTANCE_NAMES = ", ".join(name for name, _ in INSTANCE_COLUMNS)
_INSTANCE_VALUES = ", ".join(f"%({name})s::{sql_type}" for name, sql_type in INSTANCE_COLUMNS)
_INSERT = (
    f"INSERT INTO engine_instance ({_INSTANCE_NAMES}, started_by, created_at) "
    f"SELECT {_INSTANCE_VALUES}, %(started_by)s::varchar, %(created_at)s::timestamptz"
)
_LATEST_GUARD = (
    " WHERE (SELECT id FROM engine_process_version WHERE process_id = %(latest_guard)s::varchar "
    "ORDER BY version DESC LIMIT 1) = %(version_id)s::integer"
)
_ASSIGNMENTS = ", ".join(f"{name} = %({name})s::{sql_type}" for name, sql_type in INSTANCE_COLUMNS)
_INSERT_SQL = _save_sql(f"{_INSERT} RETURNING id")
_GUARDED_INSERT_SQL = _save_sql(f"{_INSERT}{_LATEST_GUARD} RETURNING id")
_UPDATE_SQL = _save_sql(
    f"UPDATE engine_instance SET {_ASSIGNMENTS} "
    "WHERE id = %(instance_id)s::integer AND revision = %(expected_revision)s::integer RETURNING id"
)


def _json_rows(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_json_datetime)


def _json_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()  # every datetime here is timezone-aware
    raise TypeError(f"{type(value).__name__} is not a column value")


def _write_one_statement(session: Session, plan: SavePlan) -> int | None:
    params: dict[str, Any] = {name: plan.instance[name] for name, _ in INSTANCE_COLUMNS}
    if plan.instance_id == 0:
        sql = _INSERT_SQL if plan.latest_guard is None else _GUARDED_INSERT_SQL
        params.update(
            started_by=plan.instance["started_by"], created_at=plan.instance["created_at"],
            latest_guard=plan.latest_guard,
        )
    else:
        sql = _UPDATE_SQL
        params.update(instance_id=plan.instance_id, expected_revision=plan.expected_revision)
    params.update(
        task_deletes=sorted(plan.task_deletes),
        timer_deletes=sorted(plan.timer_deletes),
        task_new=_json_rows(plan.task_inserts),
        timer_new=_json_rows(plan.timer_inserts),
        incidents=_json_rows([plan.incident] if plan.incident is not None else []),
        history=_json_rows(plan.events),
    )
    # The driver's own paramstyle: the SQL is final, so SQLAlchemy has nothing to compile.
    instance_id: int | None = session.connection().exec_driver_sql(sql, params).scalar_one_or_none()
    return instance_id
