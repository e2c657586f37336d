"""The routing assistant on the qualification page, and merging a duplicate through the workflow."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.models import OutboxMessage
from app.petitions.models import Petition, Status
from app.routing.services import RoutingService
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401

WATER = {"subject": "Coupure d'eau potable à Sakiet Ezzit",
         "description": "Pas d'eau au robinet depuis lundi à Sakiet Ezzit, la SONEDE ne répond pas"}


def test_qualify_page_suggests_bodies_and_merges_a_duplicate_through_the_workflow(
    app: Flask, session: Session, routing: RoutingService, answered: list[Petition],
    person: Callable, open_task: Callable, petition_of: Callable,  # noqa: F811
) -> None:
    routing.train()
    session.commit()
    citizen, citizen_client = person("citizen")
    first = submit(citizen_client, **WATER)
    again = submit(citizen_client, subject="Toujours pas d'eau à Sakiet Ezzit", description=WATER["description"])
    _, office = person("relations_agent", "bcrc")
    task_id = open_task(petition_of(again), "qualify")

    page = office.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Routing assistant" in page
    assert '<option value="gov-sfax" selected' in page  # the best suggestion is preselected
    assert first in page and "same citizen" in page

    response = office.post(f"/tasks/{task_id}/complete", data={"decision": "duplicate", "duplicate_of": first})
    assert response.status_code == 302
    merged, kept = petition_of(again), petition_of(first)
    assert merged.status == Status.CLOSED and merged.merged_into_id == kept.id
    assert [e.text for e in merged.timeline if e.kind == "merged"] == [first]
    assert kept.status == Status.UNDER_REVIEW
    kinds = session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == citizen.email)).all()
    assert "merged" in kinds


def test_merging_into_an_unknown_or_the_same_petition_is_refused(
    app: Flask, session: Session, person: Callable, open_task: Callable, petition_of: Callable,  # noqa: F811
) -> None:
    _, citizen_client = person("citizen")
    number = submit(citizen_client, **WATER)
    _, office = person("relations_agent", "bcrc")
    task_id = open_task(petition_of(number), "qualify")
    for target in ("TN-2026-999999", number):
        response = office.post(f"/tasks/{task_id}/complete", data={"decision": "duplicate", "duplicate_of": target})
        assert response.status_code == 400
    assert petition_of(number).status == Status.UNDER_REVIEW


def test_qualify_page_works_without_a_model(
    app: Flask, person: Callable, open_task: Callable, petition_of: Callable,  # noqa: F811
) -> None:
    _, citizen_client = person("citizen")
    number = submit(citizen_client, **WATER)
    _, office = person("relations_agent", "bcrc")
    response = office.get(f"/tasks/{open_task(petition_of(number), 'qualify')}")
    assert response.status_code == 200
    assert "Routing assistant" not in response.get_data(as_text=True)
