"""``/api/v1``: petition types with their start forms, and the public status of one petition."""

from __future__ import annotations

import json

import pytest

from app.petitions import labels
from app.petitions.models import Status
from tests.api.conftest import label


def _form(name: str) -> dict:
    with open(f"forms/{name}_start.json", encoding="utf-8") as handle:
        return json.load(handle)


class TestPetitionTypes:
    def test_every_type_with_its_start_form(self, app, client, portal):
        types = client.get("/api/v1/services").get_json()
        assert [t["code"] for t in types] == [
            "complaint",
            "inquiry",
            "guidance",
            "suggestion",
            "corruption",
        ]
        for kind in types:
            assert set(kind) == {"code", "name", "description", "open311", "start_form"}
            assert kind["start_form"] == _form(kind["code"])
            assert kind["name"] == label(app, labels.TYPES, kind["code"], "en")
            assert kind["description"] == label(app, labels.TYPE_DESCRIPTIONS, kind["code"], "en")
            assert kind["open311"] is (kind["code"] != "corruption")

    def test_names_follow_the_locale(self, app, client, portal):
        types = client.get("/api/v1/services?locale=ar").get_json()
        assert types[0]["name"] == label(app, labels.TYPES, "complaint", "ar")


class TestPetitionStatus:
    def test_shows_what_the_track_page_shows_to_the_holder_of_number_and_email(
        self, client, other_channel, set_petition
    ):
        number = other_channel(email="Amira@example.org")
        set_petition(number, extension_reason="Site visit needed")
        found = client.get(f"/api/v1/petitions/{number.lower()}?email=amira@EXAMPLE.org").get_json()
        assert found["tracking_number"] == number
        assert (found["type"], found["type_name"]) == ("complaint", "Complaint")
        assert (found["status"], found["status_label"], found["final"]) == (
            "under_review",
            "Under review",
            False,
        )
        assert found["handled_by"] == {
            "code": "bcrc",
            "name": "Central Office for Relations with Citizens",
        }
        assert found["response_due_at"] and found["overdue"] is False
        assert found["extension_reason"] == "Site visit needed"
        assert [(e["kind"], e["body"]) for e in found["timeline"]] == [("received", "bcrc")]
        assert found["timeline"][0]["label"] == "Received by"
        for private in ("contact_email", "answer", "details", "reporter_identity", "description"):
            assert private not in found

    def test_the_status_says_when_it_is_final(self, client, other_channel, set_petition):
        number = other_channel()
        set_petition(number, status=Status.ABANDONED)
        assert (
            client.get(f"/api/v1/petitions/{number}?email=counter@example.org").get_json()["final"]
            is True
        )

    @pytest.mark.parametrize("email", ["other@example.org", "counter@example.or"])
    def test_a_wrong_email_is_the_same_404_as_an_unknown_number(self, client, other_channel, email):
        number = other_channel()
        wrong = client.get(f"/api/v1/petitions/{number}", query_string={"email": email})
        unknown = client.get(
            "/api/v1/petitions/TN-1999-000001", query_string={"email": "counter@example.org"}
        )
        assert wrong.status_code == unknown.status_code == 404
        assert (
            wrong.get_json() == unknown.get_json() == {"error": "not_found", "message": "not found"}
        )

    @pytest.mark.parametrize("query", [{}, {"email": ""}, {"email": "a" * 255}])
    def test_the_email_is_required(self, client, portal, query):
        response = client.get("/api/v1/petitions/TN-2026-000001", query_string=query)
        assert response.status_code == 400
        assert response.get_json()["errors"] == {
            "email": "give the e-mail address used with the petition"
        }

    @pytest.mark.parametrize(
        ("number", "email"), [("TN-2026-000001\x00", "a@example.org"), ("TN-1", "a\x00@b.c")]
    )
    def test_a_nul_character_matches_nothing(self, client, portal, number, email):
        assert (
            client.get(f"/api/v1/petitions/{number}", query_string={"email": email}).status_code
            == 404
        )

    def test_an_anonymous_corruption_report_cannot_be_looked_up(self, client, other_channel):
        number = other_channel("corruption", email=None)
        assert (
            client.get(f"/api/v1/petitions/{number}", query_string={"email": "None"}).status_code
            == 404
        )

    def test_lookups_are_rate_limited(self, database_url, app, portal):
        from app import create_app

        limited = create_app(
            {
                "ENVIRONMENT": "testing",
                "DATABASE_URL": database_url,
                "RATELIMIT_ENABLED": True,
                "LOOKUP_RATE_LIMIT": "2 per minute",
            }
        )
        try:
            client = limited.test_client()
            codes = [client.get("/api/v1/petitions/TN-1?email=a@b.c").status_code for _ in range(3)]
            assert codes == [404, 404, 429]
            assert (
                client.get("/api/v1/petitions/TN-1?email=a@b.c").get_json()["error"]
                == "too_many_requests"
            )
        finally:
            limited.extensions["db"].engine.dispose()
