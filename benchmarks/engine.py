"""Engine benchmark: epeople's engine service against a bare INSERT+COMMIT and against naive
full-blob SpiffWorkflow persistence.

Both run in the same process, on the same database, on the same 20-node diagram; the naive side
does what a straightforward integration does (``serialize_json`` of the whole workflow, spec
included, into one row; ``deserialize_json`` on every load); the bare side INSERTs one small
row and commits, the least any operation that stores something costs. The two sides of each
ratio run in alternating chunks and the median chunk ratio is printed, so that a noisy machine
does not change the conclusion. The ceilings printed are the best ratios a start and a step
could reach if their storage cost no more than one bare INSERT+COMMIT (a start) or one bare
read by key then INSERT+COMMIT (a step, which must read the state first): the in-memory part
alone (SpiffWorkflow and the state's serialization, no database) and the bare read-then-insert
are timed against the bare side too.

    python -m benchmarks.engine                       # SQLite, quick
    python -m benchmarks.engine --database postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --rounds 300 --scale 10000,200000
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from collections.abc import Callable

from sqlalchemy import Integer, LargeBinary, Text, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Database, temporary_database
from app.engine.forms import FormRegistry
from app.engine.models import HumanTask, InstanceEvent, ProcessInstance
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from benchmarks.common import paired, rate, write_result

DATA = os.path.join(os.path.dirname(__file__), "data")
START = {"subject": "Éclairage public en panne — إنارة عمومية معطلة", "target_body": "mun-sfax", "count": 0}


class NaiveInstance(Base):
    """What a naive integration stores: the whole serialized workflow in one row."""

    __tablename__ = "bench_naive_instance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class BareRow(Base):
    """The floor under every operation: one small row INSERTed and committed."""

    __tablename__ = "bench_bare_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


def _bare_insert_commit(db: Database) -> Callable[[int], None]:
    table = BareRow.__table__

    def insert(i: int) -> None:
        with db.engine.begin() as conn:
            conn.execute(table.insert().values(payload=f"petition {i} " + "x" * 100))

    return insert


def _bare_read_then_insert(db: Database) -> Callable[[int], None]:
    """The least a step's storage costs: read one row by its key, then INSERT+COMMIT."""
    table = BareRow.__table__
    read = select(table.c.payload).where(table.c.id == 1)

    def read_then_insert(i: int) -> None:
        with db.engine.begin() as conn:
            conn.execute(read).scalar_one()
            conn.execute(table.insert().values(payload=f"petition {i} " + "x" * 100))

    return read_then_insert


class Naive:
    """Full-blob persistence with SpiffWorkflow's default serializer (spec in every row)."""

    def __init__(self, db: Database, runtime: Runtime, diagram: bytes) -> None:
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
        from SpiffWorkflow.task import TaskState

        self.db = db
        self.runtime = runtime
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        parsed = runtime.parse(diagram, "bench_process.bpmn")
        self.spec, self.subprocess_specs = parsed.spec, parsed.subprocess_specs
        self.workflow_class, self.ready = BpmnWorkflow, TaskState.READY

    def start(self, data: dict[str, Any]) -> int:
        workflow = self.workflow_class(self.spec, self.subprocess_specs, script_engine=self.runtime.script_engine)
        workflow.get_tasks(state=self.ready)[0].set_data(**data)
        workflow.do_engine_steps()
        with self.db.session() as session, session.begin():
            row = NaiveInstance(blob=self.serializer.serialize_json(workflow).encode())
            session.add(row)
            session.flush()
            return row.id

    def complete(self, instance_id: int, data: dict[str, Any]) -> None:
        with self.db.session() as session, session.begin():
            row = session.get(NaiveInstance, instance_id)
            workflow = self.serializer.deserialize_json(row.blob.decode())
            workflow.script_engine = self.runtime.script_engine
            task = workflow.get_tasks(state=self.ready, manual=True)[0]
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
            row.blob = self.serializer.serialize_json(workflow).encode()


def _ours(db: Database, runtime: Runtime):
    def start(_: int) -> int:
        with db.session() as session, session.begin():
            return EngineService(session, runtime).start("bench_process", START).id

    def complete(task_id: str) -> None:
        with db.session() as session, session.begin():
            EngineService(session, runtime).complete_task(task_id, {"note": "ok"})

    return start, complete


def _in_memory(runtime: Runtime, diagram: bytes):
    """The engine's own part of a start and of a step, with no database: SpiffWorkflow builds or
    restores the workflow, runs it to the next wait and epeople's serializer dumps its state.
    Any persistence adds its cost to these, so a start's ratio to a bare INSERT+COMMIT can at
    best be ``t_bare / (t_bare + t_in_memory)``, and a step's, which must read the state before
    writing it, ``t_bare / (t_bare_read_then_insert + t_in_memory)``: the ceilings printed."""
    parsed = runtime.parse(diagram, "bench_process.bpmn")
    specs = (parsed.spec, parsed.subprocess_specs)

    def start(_: int) -> bytes:
        workflow = runtime.new_workflow(specs, START)
        runtime.run_steps(workflow)
        return runtime.dump(workflow)

    started = start(0)

    def step(_: int) -> bytes:
        workflow = runtime.load(started, specs)
        [task_id] = runtime.ready_user_task_ids(workflow)
        runtime.complete(workflow, task_id, {"note": "ok"})
        runtime.run_steps(workflow)
        return runtime.dump(workflow)

    return start, step


def _ceiling(in_memory_vs_bare: dict[str, float], storage_vs_bare: dict[str, float] | None = None) -> float:
    """Best possible ratio to the bare INSERT+COMMIT of an operation that does the in-memory work
    plus the least storage it needs (one bare INSERT+COMMIT unless ``storage_vs_bare`` says
    otherwise): with rates r = in-memory/bare and q = storage/bare, 1 / (1/r + 1/q)."""
    storage = storage_vs_bare["ratio"] if storage_vs_bare else 1.0
    return round(1 / (1 / in_memory_vs_bare["ratio"] + 1 / storage), 2)


def _open_task_ids(db: Database, instance_ids: list[int]) -> list[str]:
    with db.session() as session:
        rows = session.execute(
            select(HumanTask.instance_id, HumanTask.id).where(HumanTask.instance_id.in_(instance_ids))
        ).all()
    by_instance = dict(rows)
    return [by_instance[i] for i in instance_ids]


def _completion_rate(db: Database, runtime: Runtime, rounds: int) -> float:
    start, complete = _ours(db, runtime)
    instance_ids = [start(i) for i in range(rounds)]
    task_ids = _open_task_ids(db, instance_ids)
    return rate(lambda i: complete(task_ids[i]), rounds)


def _fill(db: Database, total: int) -> None:
    """Copy one running instance (state, open task, history) until ``total`` instances exist."""
    with db.engine.begin() as conn:
        have = conn.execute(select(func.count()).select_from(ProcessInstance)).scalar_one()
        missing = total - have
        if missing <= 0:
            return
        uuid_sql = "gen_random_uuid()::text" if db.is_postgresql else "lower(hex(randomblob(16)))"
        series = (
            "generate_series(1, :n)" if db.is_postgresql
            else "(WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < :n) SELECT x FROM s)"
        )
        conn.execute(text(f"""
            INSERT INTO engine_instance (version_id, status, revision, serializer_version, state,
                                         started_by, created_at, updated_at)
            SELECT i.version_id, i.status, i.revision, i.serializer_version, i.state, 'filler',
                   i.created_at, i.updated_at
            FROM engine_instance i, {series} AS g
            WHERE i.id = (SELECT min(id) FROM engine_instance)"""), {"n": missing})
        conn.execute(text(f"""
            INSERT INTO engine_human_task (id, instance_id, process_id, task_name, title, lane, body,
                                           form, priority, created_at, due_at)
            SELECT {uuid_sql}, i.id, 'bench_process', 'step_1', 'Step 1', NULL, 'mun-sfax',
                   'step.json', 0, i.created_at, NULL
            FROM engine_instance i WHERE i.started_by = 'filler'
              AND NOT EXISTS (SELECT 1 FROM engine_human_task h WHERE h.instance_id = i.id)"""))
        conn.execute(text("""
            INSERT INTO engine_instance_event (instance_id, kind, created_at)
            SELECT i.id, 'started', i.created_at FROM engine_instance i
            WHERE i.started_by = 'filler'
              AND NOT EXISTS (SELECT 1 FROM engine_instance_event e WHERE e.instance_id = i.id)"""))
        if db.is_postgresql:
            conn.execute(text("ANALYZE"))


def _stored_bytes(db: Database, naive: Naive, runtime: Runtime) -> dict[str, float]:
    """Bytes per instance after all 8 user tasks were completed, both ways."""
    start, complete = _ours(db, runtime)
    ours_id = start(0)
    naive_id = naive.start(START)
    for _ in range(8):
        [task_id] = _open_task_ids(db, [ours_id])
        complete(task_id)
        naive.complete(naive_id, {"note": "ok"})
    with db.session() as session:
        state = session.scalar(select(func.length(ProcessInstance.state)).where(ProcessInstance.id == ours_id))
        history = session.scalar(
            select(func.coalesce(func.sum(func.length(func.coalesce(InstanceEvent.data_diff, "")) + 64), 0))
            .where(InstanceEvent.instance_id == ours_id)
        )
        blob = session.scalar(select(func.length(NaiveInstance.blob)).where(NaiveInstance.id == naive_id))
    return {"ours_state": state, "ours_state_and_history": state + history, "naive_blob": blob}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a PostgreSQL admin URL")
    parser.add_argument("--rounds", type=int, default=200, help="operations per measurement")
    parser.add_argument("--scale", default="1000,10000", help="two instance counts for the flatness check")
    args = parser.parse_args()
    small, large = (int(x) for x in args.scale.split(","))
    with open(os.path.join(DATA, "bench_process.bpmn"), "rb") as handle:
        diagram = handle.read()

    with temporary_database(args.database, "epeople_bench") as url:
        db = Database(url)
        Base.metadata.create_all(db.engine)
        runtime = Runtime(FormRegistry(os.path.join(DATA, "forms")))
        with db.session() as session, session.begin():
            EngineService(session, runtime).deploy(diagram, "bench_process.bpmn", "bench")
        naive = Naive(db, runtime, diagram)
        start, complete = _ours(db, runtime)

        # Warm both paths (spec cache, connection pool) before measuring.
        bare = _bare_insert_commit(db)
        for i in range(20):
            start(i)
            naive.start(START)
            bare(i)
        start_vs_bare = paired(start, bare, args.rounds)
        naive_ids: list[int] = []
        start_vs_naive = paired(start, lambda i: naive_ids.append(naive.start(START)), args.rounds)
        tasks = _open_task_ids(db, [start(i) for i in range(2 * args.rounds)])
        complete_vs_bare = paired(lambda i: complete(tasks[i]), bare, args.rounds)
        complete_vs_naive = paired(lambda i: complete(tasks[args.rounds + i]),
                                   lambda i: naive.complete(naive_ids[i], {"note": "ok"}), args.rounds)
        sizes = _stored_bytes(db, naive, runtime)
        start_in_memory, step_in_memory = _in_memory(runtime, diagram)
        start_ceiling = _ceiling(paired(start_in_memory, bare, args.rounds))
        step_ceiling = _ceiling(paired(step_in_memory, bare, args.rounds),
                                paired(_bare_read_then_insert(db), bare, args.rounds))

        began = time.perf_counter()
        _fill(db, small)
        at_small = _completion_rate(db, runtime, args.rounds)
        _fill(db, large)
        at_large = _completion_rate(db, runtime, args.rounds)
        fill_seconds = time.perf_counter() - began
        db.engine.dispose()

    database = "postgresql" if args.database != "sqlite" else "sqlite"
    result = {
        "rounds": args.rounds,
        "start_vs_bare_insert_commit": start_vs_bare,
        "step_vs_bare_insert_commit": complete_vs_bare,
        "start_ceiling_vs_bare": start_ceiling,
        "step_ceiling_vs_bare": step_ceiling,
        "start_vs_naive": start_vs_naive,
        "step_vs_naive": complete_vs_naive,
        "bytes_per_instance_after_8_tasks": {
            **sizes,
            "state_ratio": round(sizes["ours_state"] / sizes["naive_blob"], 3),
            "state_and_history_ratio": round(sizes["ours_state_and_history"] / sizes["naive_blob"], 3),
        },
        "completion_flatness": {f"{small}_instances_per_s": round(at_small),
                                f"{large}_instances_per_s": round(at_large),
                                "ratio_large_to_small": round(at_large / at_small, 2),
                                "seed_seconds": round(fill_seconds, 1)},
    }
    path = write_result("engine", database, result)
    print(
        f"engine/{database}: start {start_vs_bare['ratio']}x a bare INSERT+COMMIT ({start_vs_bare['per_s']}/s vs "
        f"{start_vs_bare['baseline_per_s']}/s; ceiling {start_ceiling}x), {start_vs_naive['ratio']}x naive; "
        f"step (load, complete, save) {complete_vs_bare['ratio']}x bare ({complete_vs_bare['per_s']}/s vs "
        f"{complete_vs_bare['baseline_per_s']}/s; ceiling {step_ceiling}x), {complete_vs_naive['ratio']}x naive; "
        f"bytes {result['bytes_per_instance_after_8_tasks']['state_ratio']:.0%} of naive "
        f"({sizes['ours_state']} vs {sizes['naive_blob']} B; with history "
        f"{result['bytes_per_instance_after_8_tasks']['state_and_history_ratio']:.0%}); "
        f"completion at {large} vs {small} instances: {result['completion_flatness']['ratio_large_to_small']}x"
        f" -> {path}"
    )


if __name__ == "__main__":
    main()
