"""POST Service Request: a petition like any other, on the open311 channel; and every refusal."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from app.api.models import ApiClient
from app.engine.models import HumanTask
from app.petitions.models import Petition
from tests.api.conftest import WSGI_ADAPTER_WARNING
from tests.api.open311_client import Open311ApiError, Open311Client, parse_xml

pytestmark = pytest.mark.filterwarnings(WSGI_ADAPTER_WARNING)

URL = "http://epeople.test/open311/v2/requests"
WATER = {"subject": "Water cut in El Menzah 6"}


def _petition(session, tracking_number: str) -> Petition:
    session.expire_all()
    return session.scalars(
        select(Petition).where(Petition.tracking_number == tracking_number)
    ).one()


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Petition))


def _refused(call) -> Open311ApiError:
    with pytest.raises(Open311ApiError) as refused:
        call()
    return refused.value


class TestCreated:
    def test_creates_a_petition_in_the_bcrc_tasklist(
        self, open311: Open311Client, portal, api_key, session
    ):
        created = open311.create(
            api_key,
            "complaint",
            WATER,
            description="No running water since Monday.",
            email="Amira@Example.org",
            lat="36.8412",
            long="10.1659",
            address_string="Rue 8012, El Menzah 6",
            first_name="Amira",
            last_name="Ben Salah",
            phone="+216 71 000 000",
        )
        assert set(created) == {"service_request_id", "service_notice", "account_id"}
        assert re.fullmatch(r"TN-\d{4}-\d{6}", created["service_request_id"])
        assert created["account_id"] is None
        assert created["service_notice"].startswith(
            "Received by Central Office for Relations with Citizens."
        )

        petition = _petition(session, created["service_request_id"])
        assert (petition.type, petition.channel, petition.status) == (
            "complaint",
            "open311",
            "under_review",
        )
        assert (petition.subject, petition.description) == (
            WATER["subject"],
            "No running water since Monday.",
        )
        assert petition.contact_email == "amira@example.org" and petition.citizen_id is None
        assert json.loads(petition.details) == {
            "lat": 36.8412,
            "long": 10.1659,
            "address": "Rue 8012, El Menzah 6",
            "contact_first_name": "Amira",
            "contact_last_name": "Ben Salah",
            "contact_phone": "+216 71 000 000",
            "api_client": "Sfax city app",
        }
        task = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == petition.instance_id)
        ).one()
        assert (task.task_name, task.lane, task.body) == ("qualify", "relations_office", "bcrc")
        assert task.due_at is not None and petition.response_due_at is not None
        assert petition.response_due_at.date().isoformat() in created["service_notice"]

    def test_xml_answer_has_the_spec_elements(self, http, portal, api_key):
        response = http.post(
            f"{URL}.xml",
            data={
                "api_key": api_key,
                "service_code": "suggestion",
                "email": "a@example.org",
                "description": "Open the office on Saturday mornings.",
                "attribute[subject]": "Saturday opening",
                "attribute[proposal_benefit]": "Workers could come without taking leave.",
            },
        )
        assert response.status_code == 200
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == ["service_request_id", "service_notice", "account_id"]
        assert root[0].find("account_id").text is None
        assert parse_xml(response.content)[0]["service_request_id"].startswith("TN-")

    def test_attributes_reach_the_form_and_route_to_the_chosen_body(
        self, open311, portal, api_key, session
    ):
        created = open311.create(
            api_key,
            "complaint",
            {
                **WATER,
                "target_body": "min-health",
                "incident_date": "2026-03-02T08:15:00Z",
                "location": "Hôpital Charles Nicolle",
            },
            description="Waited six hours.",
            email="a@example.org",
        )
        petition = _petition(session, created["service_request_id"])
        assert (petition.target_body, petition.current_office) == ("min-health", "min-health")
        assert json.loads(petition.details)["incident_date"] == "2026-03-02"
        task = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == petition.instance_id)
        ).one()
        assert task.body == "min-health"

    def test_the_key_records_its_last_use(self, open311, portal, make_key, session):
        client, key = make_key()
        assert client.last_used_at is None
        open311.create(key, "complaint", WATER, description="x", email="a@example.org")
        session.expire_all()
        assert session.get(ApiClient, client.id).last_used_at is not None

    def test_the_notice_follows_the_locale(self, http, portal, api_key):
        client = Open311Client(http, "json", locale="fr")
        created = client.create(api_key, "complaint", WATER, description="x", email="a@example.org")
        assert "Bureau central des relations avec le citoyen" in created["service_notice"]


class TestRefused:
    @pytest.mark.parametrize("key", [None, "", "not-a-key", "x" * 500])
    def test_a_missing_or_unknown_key_is_a_403(self, open311, portal, session, key):
        error = _refused(
            lambda: open311.create(key, "complaint", WATER, description="x", email="a@example.org")
        )
        assert (error.status, error.errors) == (
            403,
            [{"code": 403, "description": "api_key: missing, unknown or revoked key."}],
        )
        assert _count(session) == 0

    def test_a_revoked_key_is_a_403(self, open311, portal, make_key, session):
        _client, key = make_key(revoked=True)
        error = _refused(
            lambda: open311.create(key, "complaint", WATER, description="x", email="a@example.org")
        )
        assert error.status == 403 and _count(session) == 0

    def test_the_key_is_checked_before_the_service_code(self, open311, portal):
        assert (
            _refused(lambda: open311.create("nope", "parking", email="a@example.org")).status == 403
        )

    @pytest.mark.parametrize(
        ("code", "description"),
        [
            ("parking", "service_code: 'parking' is not a service of this endpoint."),
            ("corruption", "service_code: 'corruption' is not a service of this endpoint."),
            ("", "service_code: this field is required."),
        ],
    )
    def test_an_unknown_or_unoffered_service_code_is_a_400(
        self, open311, portal, api_key, session, code, description
    ):
        error = _refused(
            lambda: open311.create(
                api_key,
                code,
                {"subject": "Bribe", "facts": "x"},
                description="x",
                email="a@example.org",
            )
        )
        assert (error.status, error.errors) == (400, [{"code": 400, "description": description}])
        assert _count(session) == 0

    def test_a_missing_required_attribute_is_named(self, open311, portal, api_key, session):
        error = _refused(
            lambda: open311.create(
                api_key, "inquiry", WATER, description="x", email="a@example.org"
            )
        )
        assert (error.status, error.errors) == (
            400,
            [{"code": 400, "description": "attribute[inquiry_question]: This field is required."}],
        )
        assert _count(session) == 0

    def test_every_problem_is_listed_at_once(self, open311, portal, api_key):
        error = _refused(
            lambda: open311.create(
                api_key,
                "complaint",
                {"subject": "ab", "incident_date": "yesterday", "colour": "red"},
                lat="36.8",
                email="not an address",
            )
        )
        assert error.status == 400
        assert sorted(e["description"] for e in error.errors) == sorted(
            [
                "email: enter a valid e-mail address.",
                "lat, long: give both coordinates or neither.",
                "attribute[colour]: This service has no such attribute.",
                "description: This field is required.",
                "attribute[subject]: Use at least 3 characters.",
                "attribute[incident_date]: Enter a date as YYYY-MM-DD.",
            ]
        )
        assert {e["code"] for e in error.errors} == {400}

    @pytest.mark.parametrize(
        ("fields", "description"),
        [
            ({}, "email: this field is required (the citizen is answered by e-mail)."),
            (
                {"email": "a@example.org", "lat": "91", "long": "10"},
                "lat: give a number between -90 and 90 (WGS84 degrees).",
            ),
            (
                {"email": "a@example.org", "lat": "36", "long": "nan"},
                "long: give a number between -180 and 180 (WGS84 degrees).",
            ),
            (
                {"email": "a@example.org", "media_url": "javascript:alert(1)"},
                "media_url: give an http(s) URL of at most 500 characters.",
            ),
            ({"email": "a@example.org", "phone": "1" * 40}, "phone: use at most 32 characters."),
            (
                {"email": "a@example.org", "attribute[target_body]": "nowhere"},
                "attribute[target_body]: Choose a public body from the list.",
            ),
        ],
    )
    def test_core_fields_are_checked(self, open311, portal, api_key, session, fields, description):
        error = _refused(
            lambda: open311.create(api_key, "complaint", WATER, description="x", **fields)
        )
        assert (error.status, error.errors) == (400, [{"code": 400, "description": description}])
        assert _count(session) == 0

    def test_a_nul_character_is_refused_by_name_not_stored(self, open311, portal, api_key, session):
        error = _refused(
            lambda: open311.create(
                api_key,
                "complaint",
                {"subject": "Wa\x00ter", "target_body": "\x00"},
                description="x",
                email="a@example.org",
            )
        )
        assert (error.status, error.errors) == (
            400,
            [
                {"code": 400, "description": "'attribute[subject]': contains a NUL character."},
                {"code": 400, "description": "'attribute[target_body]': contains a NUL character."},
            ],
        )
        assert _count(session) == 0

    def test_the_api_needs_no_csrf_token_but_the_site_still_does(
        self, app, http, portal, api_key, monkeypatch
    ):
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        response = http.post(
            f"{URL}.json",
            data={
                "api_key": api_key,
                "service_code": "complaint",
                "email": "a@example.org",
                "description": "x",
                "attribute[subject]": "abc",
            },
        )
        assert response.status_code == 200
        assert (
            http.post(
                "http://epeople.test/track", data={"tracking_number": "x", "email": "y"}
            ).status_code
            == 400
        )

    def test_posting_is_rate_limited_per_api_key(self, database_url, app, portal, make_key):
        from app import create_app

        limited = create_app(
            {
                "ENVIRONMENT": "testing",
                "DATABASE_URL": database_url,
                "RATELIMIT_ENABLED": True,
                "API_SUBMIT_RATE_LIMIT": "2 per minute",
                "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            }
        )
        try:
            client = limited.test_client()
            _, api_key = make_key("Sfax city app")
            _, other_key = make_key("Sousse city app")
            data = {
                "api_key": api_key,
                "service_code": "complaint",
                "email": "a@example.org",
                "description": "x",
                "attribute[subject]": "abc",
            }
            codes = [
                client.post("/open311/v2/requests.xml", data=data).status_code for _ in range(3)
            ]
            assert codes == [200, 200, 429]
            blocked = client.post("/open311/v2/requests.xml", data=data)
            assert parse_xml(blocked.data) == [
                {"code": 429, "description": "Too many requests: wait before trying again."}
            ]
            assert (
                client.get("/open311/v2/requests.json").status_code == 200
            )  # reading is not limited by it
            # Another partner posting from the same address has its own allowance.
            other = client.post("/open311/v2/requests.xml", data={**data, "api_key": other_key})
            assert other.status_code == 200
        finally:
            limited.extensions["db"].engine.dispose()
