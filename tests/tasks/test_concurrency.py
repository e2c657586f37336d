"""Many agents of one office claiming, or completing, the same task at once over HTTP: exactly
one wins, every other gets 409 Conflict, and the petition is left consistent.

Real concurrent transactions need PostgreSQL (SQLite serializes writers). Each run draws the
number of agents and a small start delay per agent from a seed printed on failure, so the
interleavings differ from run to run and a failing one can be replayed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.engine.models import HumanTask, InstanceEvent, ProcessInstance
from app.petitions.models import Petition
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("postgres_only")
SEED = random.randrange(1_000_000)


def _race(clients: list[FlaskClient], path: str, data: dict[str, str], seed: int) -> list[int]:
    """POST ``path`` from every client at (nearly) the same moment; the status codes, in order."""
    jitter = random.Random(seed)
    delays = [jitter.uniform(0, 0.005) for _ in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def attempt(n: int) -> None:
        barrier.wait()
        time.sleep(delays[n])
        statuses[n] = clients[n].post(path, data=data).status_code

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def agents(person: Callable[..., Any]) -> list[tuple[Any, FlaskClient]]:
    """Between 4 and 10 relations agents of the BCRC, each logged in on their own client."""
    count = random.Random(SEED).randint(4, 10)
    return [person("relations_agent", "bcrc") for _ in range(count)]


@pytest.fixture
def qualify(person: Callable[..., Any], open_task: Callable[..., str], petition_of: Callable[[str], Petition]) -> tuple[Petition, str]:
    """A new petition waiting at the BCRC's qualification task."""
    _citizen, client = person("citizen")
    petition = petition_of(submit(client))
    return petition, open_task(petition, "qualify")


def test_many_agents_claiming_one_task_have_exactly_one_winner(agents, qualify, session: Session) -> None:
    petition, task_id = qualify
    statuses = _race([client for _user, client in agents], f"/tasks/{task_id}/claim", {}, SEED)
    assert sorted(statuses) == [302] + [409] * (len(agents) - 1), f"seed {SEED}: {statuses}"
    winner = agents[statuses.index(302)][0]
    session.expire_all()
    assert session.get(HumanTask, task_id).assignee == str(winner.id)
    claims = session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == Action.TASK_CLAIMED))
    assert list(claims) == [winner.id]


def test_many_agents_completing_one_task_have_exactly_one_winner(agents, qualify, session: Session) -> None:
    petition, task_id = qualify
    decision = {"decision": "accept", "competent_body": "mun-sfax"}
    statuses = _race([client for _user, client in agents], f"/tasks/{task_id}/complete", decision, SEED)
    assert sorted(statuses) == [302] + [409] * (len(agents) - 1), f"seed {SEED}: {statuses}"
    session.expire_all()
    completed = session.scalar(
        select(func.count()).select_from(InstanceEvent).where(
            InstanceEvent.instance_id == petition.instance_id, InstanceEvent.kind == "task_completed"
        )
    )
    assert completed == 1
    assert session.get(HumanTask, task_id) is None
    open_now = session.scalars(select(HumanTask.task_name).where(HumanTask.instance_id == petition.instance_id))
    assert list(open_now) == ["draft_answer"]  # the petition moved on once, to the competent body
    assert session.get(ProcessInstance, petition.instance_id).revision == 2
