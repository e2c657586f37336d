"""Publishing an answer: chosen by the office when validating, visible to others only once the
petition is closed, and learned by the next model (labelled with the body that answered)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app import create_app

from app.routing.model import RoutingModel
from app.routing.services import RoutingService
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401


def answer(person: Callable, open_task: Callable, petition_of: Callable,  # noqa: F811
           citizen_client: FlaskClient, **validation: str) -> str:
    number = submit(citizen_client, subject="Urgences saturées à Sfax",
                    description="Sept heures d'attente aux urgences de l'hôpital Habib Bourguiba")
    _, bcrc = person("relations_agent", "bcrc")
    _, agent = person("body_agent", "min-health")
    petition = petition_of(number)
    bcrc.post(f"/tasks/{open_task(petition, 'qualify')}/complete",
              data={"decision": "accept", "competent_body": "min-health"})
    agent.post(f"/tasks/{open_task(petition, 'draft_answer')}/complete",
               data={"decision": "submit", "answer": "Un second poste de triage ouvre le 1er avril."})
    response = bcrc.post(f"/tasks/{open_task(petition, 'validate_answer')}/complete",
                         data={"decision": "approve", **validation})
    assert response.status_code == 302
    return number


def test_published_answer_is_shown_to_others_only_once_closed_and_is_learned(
    client: FlaskClient, routing: RoutingService, person: Callable, open_task: Callable,  # noqa: F811
    petition_of: Callable,  # noqa: F811
) -> None:
    _, citizen_client = person("citizen")
    number = answer(person, open_task, petition_of, citizen_client, publish="on")
    assert petition_of(number).answer_public is True
    assert client.get(f"/answers/{number}").status_code == 404  # answered, survey still open
    assert citizen_client.post(f"/petitions/{number}/rate", data={"rating": "5"}).status_code == 302

    page = client.get(f"/answers/{number}").get_data(as_text=True)
    assert "Un second poste de triage" in page and "Urgences saturées" in page
    assert "Sept heures" not in page  # the description may hold personal details: never shown
    row = routing.train()
    routing.session.commit()
    assert row is not None and RoutingModel.from_bytes(row.blob).bodies == ["min-health"]
    similar = client.get("/petitions/similar", query_string={"type": "complaint", "q": "attente urgences Sfax"})
    assert [r["url"] for r in similar.get_json()["results"]] == [f"/answers/{number}"]
    assert set(similar.get_json()["results"][0]) == {"subject", "url", "score"}


def test_unpublished_answer_is_never_shown(
    client: FlaskClient, routing: RoutingService, person: Callable, open_task: Callable,  # noqa: F811
    petition_of: Callable,  # noqa: F811
) -> None:
    _, citizen_client = person("citizen")
    number = answer(person, open_task, petition_of, citizen_client)
    citizen_client.post(f"/petitions/{number}/rate", data={"rating": "3"})
    assert petition_of(number).answer_public is False
    assert client.get(f"/answers/{number}").status_code == 404
    routing.train()
    routing.session.commit()
    similar = client.get("/petitions/similar", query_string={"type": "complaint", "q": "attente urgences Sfax"})
    assert similar.get_json() == {"results": []}


def test_similar_endpoint_returns_nothing_for_corruption_reports_or_unknown_types(client: FlaskClient) -> None:
    for kind in ("corruption", "nonsense", ""):
        assert client.get("/petitions/similar", query_string={"type": kind, "q": "رشوة"}).get_json() == {"results": []}


def test_similar_endpoint_is_rate_limited(database_url: str, app: Flask) -> None:
    limited = create_app({
        "ENVIRONMENT": "testing", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
        "SIMILAR_RATE_LIMIT": "2 per minute",
    })
    try:
        client = limited.test_client()
        codes = [client.get("/petitions/similar", query_string={"type": "complaint", "q": "eau"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
    finally:
        limited.extensions["db"].engine.dispose()
