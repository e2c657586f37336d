"""The task page when the task moves on while the page is being built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.engine.service import EngineService
from app.engine.types import TaskNotReady
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401  (fixtures)


def test_a_task_completed_by_a_colleague_while_its_page_is_read_is_not_found(
    person: Callable[..., Any], open_task: Callable[..., str], petition_of: Callable[[str], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _citizen, citizen = person("citizen")
    task_id = open_task(petition_of(submit(citizen)), "qualify")
    _agent, agent = person("relations_agent", "bcrc")
    assert agent.get(f"/tasks/{task_id}").status_code == 200

    def completed_meanwhile(self: EngineService, task_id: str) -> dict[str, Any]:
        raise TaskNotReady("this task has already been completed")

    monkeypatch.setattr(EngineService, "task_data", completed_meanwhile)
    assert agent.get(f"/tasks/{task_id}").status_code == 404  # as a moment later: no 409 on a GET
