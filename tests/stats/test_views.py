"""The statistics pages, the open-data downloads and who may see the staff dashboard."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.petitions.models import Petition
from tests.stats.conftest import EXPECTED, MARKERS, UNIT, WORKING_DAYS


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_public_page_shows_tables_and_chart_canvases(client: FlaskClient, petitions: dict[str, Petition]) -> None:
    html = client.get("/statistics/").get_data(as_text=True)
    assert html.count("<canvas") == 5
    assert "data-chart=" in html
    assert "<caption>Petitions by type</caption>" in html
    assert "<th scope=\"row\">Request for information</th><td>3</td>" in html
    assert "57.1%" in html  # 4 of 7 answered within the deadline
    assert "<script>" not in html  # the CSP forbids inline scripts


def test_nav_links_to_the_statistics_for_everyone(client: FlaskClient) -> None:
    assert 'href="/statistics/"' in client.get("/statistics/").get_data(as_text=True)


def test_json_download_matches_the_hand_computed_numbers(client: FlaskClient, petitions: dict[str, Petition]) -> None:
    data = client.get("/statistics/data.json").get_json()
    as_of = datetime.fromisoformat(data.pop("figures_as_of"))
    assert data == {"filters": {}, **EXPECTED}
    assert abs(datetime.now(timezone.utc) - as_of) < timedelta(minutes=5)  # the fixture's refresh


def test_json_download_applies_the_filters(client: FlaskClient, petitions: dict[str, Petition]) -> None:
    data = client.get("/statistics/data.json?from=2026-03&to=2026-04&type=complaint&body=ministry-a").get_json()
    assert data["filters"] == {"from": "2026-03", "to": "2026-04", "type": "complaint", "body": "ministry-a"}
    assert data["received"] == 3  # P1, P2, P7
    assert data["overdue_now"] == 1  # P7


def test_csv_download_matches_the_json(client: FlaskClient, petitions: dict[str, Petition]) -> None:
    rows = _csv(client, "/statistics/data.csv")
    values = {(row["section"], row["key"]): row["value"] for row in rows}
    assert values[("summary", "received")] == "12"
    assert values[("summary", "within_deadline_share")] == str(EXPECTED["within_deadline_share"])
    assert values[("answer_working_days", "median")] == "3.0"
    assert values[("answer_working_days", "p90")] == "9.2"
    assert values[("by_body", UNIT)] == "1"
    for month, count in EXPECTED["received_by_month"].items():
        assert values[("received_by_month", month)] == str(count)


def test_bad_filter_is_a_bad_request(client: FlaskClient) -> None:
    assert client.get("/statistics/data.json?from=2026-99").status_code == 400


class TestAnonymisedPetitions:
    def test_lists_each_petition_with_its_working_days(self, client: FlaskClient, petitions: dict[str, Petition]) -> None:
        rows = _csv(client, "/statistics/petitions.csv")
        assert len(rows) == 12
        got = {r["tracking_number"][3:]: int(r["working_days_to_answer"]) for r in rows if r["working_days_to_answer"]}
        assert got == WORKING_DAYS
        first = next(r for r in rows if r["tracking_number"] == "EP-P1")
        assert first == {
            "tracking_number": "EP-P1", "type": "complaint", "channel": "web", "body": "ministry-a",
            "status": "closed", "created_month": "2026-03", "answered_on": "2026-03-05",
            "closed_on": "2026-03-06", "working_days_to_answer": "3", "within_deadline": "1", "rating": "5",
        }

    def test_contains_no_personal_data_or_free_text(self, client: FlaskClient, petitions: dict[str, Petition]) -> None:
        text = client.get("/statistics/petitions.csv").get_data(as_text=True)
        for marker in MARKERS.values():
            assert marker not in text
        assert "email-marker" not in text.lower()

    def test_corruption_reports_name_only_the_receiving_unit(self, client: FlaskClient, petitions: dict[str, Petition]) -> None:
        rows = _csv(client, "/statistics/petitions.csv?type=corruption")
        assert len(rows) == 1
        assert rows[0]["body"] == UNIT
        assert "ministry-b" not in json.dumps(rows)

    def test_applies_the_filters(self, client: FlaskClient, petitions: dict[str, Petition]) -> None:
        rows = _csv(client, "/statistics/petitions.csv?from=2026-02&to=2026-02")
        assert [r["tracking_number"] for r in rows] == ["EP-P11"]


class TestStaffDashboard:
    def test_anonymous_visitors_are_sent_to_log_in(self, client: FlaskClient) -> None:
        response = client.get("/statistics/staff")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]

    def test_citizens_are_refused(self, client: FlaskClient, login_as: Callable[..., Any]) -> None:
        login_as("citizen")
        assert client.get("/statistics/staff").status_code == 403

    @pytest.mark.parametrize("role", ["relations_agent", "admin"])
    def test_staff_see_overdue_petitions_by_body(
        self, client: FlaskClient, login_as: Callable[..., Any], petitions: dict[str, Petition], role: str
    ) -> None:
        login_as(role)
        response = client.get("/statistics/staff")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Overdue now, by body" in html
        assert f'<th scope="row">{UNIT}</th><td>1</td>' in html


@pytest.mark.parametrize("path", ["/statistics/data.json", "/statistics/data.csv", "/statistics/petitions.csv"])
def test_downloads_are_rate_limited(database_url: str, app: Any, path: str) -> None:
    limited = create_app({
        "ENVIRONMENT": "testing", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
        "LOOKUP_RATE_LIMIT": "2 per minute",
    })
    try:
        client = limited.test_client()
        assert [client.get(path).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        limited.extensions["db"].engine.dispose()


def test_channel_filter_is_offered_and_applied(client: FlaskClient, petitions: dict[str, Petition]) -> None:
    html = client.get("/statistics/?channel=web").get_data(as_text=True)
    assert '<option value="web" selected>' in html
    assert "Figures as of" in html
    data = client.get("/statistics/data.json?channel=web").get_json()
    assert data["filters"] == {"channel": "web"}
    assert data["received"] == EXPECTED["by_channel"]["web"]
    assert client.get("/statistics/data.json?channel=pigeon").status_code == 400
    rows = _csv(client, "/statistics/petitions.csv?channel=letter")
    assert [r["tracking_number"] for r in rows] == ["EP-P9"]
