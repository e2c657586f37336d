"""GET Service Requests and GET Service Request: public fields only, the standard filters."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from app.db import utcnow
from app.petitions import labels
from app.petitions.models import Channel, Status
from tests.api.conftest import WSGI_ADAPTER_WARNING, at, label
from tests.api.open311_client import Open311ApiError, Open311Client, parse_xml

pytestmark = pytest.mark.filterwarnings(WSGI_ADAPTER_WARNING)

ROOT = "http://epeople.test/open311/v2"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def posted(http, portal, api_key) -> str:
    """A complaint posted through Open311 with a location; its tracking number."""
    client = Open311Client(http, "json")
    return client.create(
        api_key,
        "complaint",
        {"subject": "Broken street light"},
        description="Dark street <b>&</b> unsafe.",
        email="private@example.org",
        phone="+216 98 000 000",
        first_name="Leila",
        lat="34.74",
        long="10.76",
        address_string="Avenue Habib Bourguiba, Sfax",
        media_url="https://img.example/light.jpg",
    )["service_request_id"]


def _ids(found: list[dict]) -> list[str]:
    return [r["service_request_id"] for r in found]


class TestOneRequest:
    def test_has_the_public_fields_of_the_spec_and_nothing_else(
        self, open311: Open311Client, posted, session
    ):
        from tests.api.test_open311_create import _petition

        petition = _petition(session, posted)
        found = open311.request(posted)
        assert list(found) == REQUEST_FIELDS
        assert found["service_request_id"] == posted
        assert (found["status"], found["status_notes"]) == ("open", "Under review")
        assert (found["service_code"], found["service_name"]) == ("complaint", "Complaint")
        assert found["description"] == "Dark street <b>&</b> unsafe."
        assert found["agency_responsible"] == "Central Office for Relations with Citizens"
        assert at(found["requested_datetime"]) == petition.created_at.replace(microsecond=0)
        assert at(found["updated_datetime"]) == petition.updated_at.replace(microsecond=0)
        assert at(found["expected_datetime"]) == petition.response_due_at.replace(microsecond=0)
        assert found["requested_datetime"].endswith("+00:00")
        assert (found["address"], found["lat"], found["long"]) == (
            "Avenue Habib Bourguiba, Sfax",
            34.74,
            10.76,
        )
        assert found["media_url"] == "https://img.example/light.jpg"
        assert found["service_notice"] is found["address_id"] is found["zipcode"] is None

    def test_never_shows_the_contact_details(self, http, posted):
        for fmt in ("json", "xml"):
            text = http.get(f"{ROOT}/requests/{posted}.{fmt}").text
            for private in ("private@example.org", "98 000 000", "Leila", "Sfax city app"):
                assert private not in text

    def test_xml_escapes_text_and_says_what_json_says(self, http, posted):
        response = http.get(f"{ROOT}/requests/{posted}.xml")
        assert b"Dark street &lt;b&gt;&amp;&lt;/b&gt; unsafe." in response.content
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == REQUEST_FIELDS
        assert parse_xml(response.content) == http.get(f"{ROOT}/requests/{posted}.json").json()

    def test_characters_xml_cannot_carry_are_replaced_not_fatal(self, http, other_channel):
        number = other_channel(description="Bell\x07 and form feed\x0c.")
        response = http.get(f"{ROOT}/requests/{number}.xml")
        assert response.status_code == 200
        assert parse_xml(response.content)[0]["description"] == "Bell\ufffd and form feed\ufffd."

    def test_the_lookup_ignores_case(self, open311, posted):
        assert open311.request(posted.lower())["service_request_id"] == posted

    @pytest.mark.parametrize("number", ["TN-2020-999999", "nothing"])
    def test_an_unknown_id_is_a_404(self, open311, portal, number):
        with pytest.raises(Open311ApiError) as refused:
            open311.request(number)
        assert (refused.value.status, refused.value.errors) == (
            404,
            [{"code": 404, "description": f"service_request_id: no request '{number}'."}],
        )

    def test_a_nul_character_matches_nothing(self, open311, posted):
        with pytest.raises(Open311ApiError) as refused:
            open311.request(posted + "\x00")
        assert refused.value.status == 404
        assert open311.requests(service_request_id=f"{posted}\x00,x\x00") == []
        assert _ids(open311.requests(service_request_id=f"{posted},x\x00")) == [posted]

    def test_a_corruption_report_does_not_exist_here(self, open311, portal, other_channel):
        number = other_channel("corruption", email=None)
        with pytest.raises(Open311ApiError) as refused:
            open311.request(number)
        assert refused.value.status == 404

    def test_the_status_is_closed_once_final_with_its_label(self, open311, posted, set_petition):
        set_petition(posted, status=Status.REJECTED)
        found = open311.request(posted)
        assert (found["status"], found["status_notes"]) == ("closed", "Rejected")

    def test_notes_and_names_follow_the_locale(self, app, http, posted):
        found = Open311Client(http, "json", locale="fr").request(posted)
        assert found["service_name"] == label(app, labels.TYPES, "complaint", "fr")
        assert found["agency_responsible"] == "Bureau central des relations avec le citoyen"

    def test_descriptions_can_be_withheld(self, app, open311, posted, monkeypatch):
        monkeypatch.setitem(app.config, "OPEN311_PUBLISH_DESCRIPTIONS", False)
        assert open311.request(posted)["description"] is None


class TestFilters:
    def test_lists_petitions_of_every_channel_but_never_corruption_reports(
        self, open311, posted, other_channel
    ):
        counter = other_channel(description="Counter text")
        report = other_channel("corruption", email=None, facts="The secret facts")
        found = open311.requests()
        assert _ids(found) == [counter, posted]  # newest first
        assert all(list(r) == REQUEST_FIELDS for r in found)
        assert report not in _ids(open311.requests(service_request_id=f"{report},{counter}"))
        text = json.dumps(found)
        assert "secret facts" not in text and "corruption" not in text

    def test_service_request_id_takes_a_comma_list_and_overrides_the_other_filters(
        self, open311, posted, other_channel
    ):
        inquiry = other_channel("inquiry", inquiry_question="When?")
        other_channel()
        found = open311.requests(
            service_request_id=f"{posted},{inquiry.lower()},TN-1999-000001",
            service_code="suggestion",
            status="closed",
        )
        assert sorted(_ids(found)) == sorted([posted, inquiry])

    def test_service_code_takes_a_comma_list(self, open311, posted, other_channel):
        inquiry = other_channel("inquiry", inquiry_question="When?")
        guidance = other_channel("guidance")
        assert _ids(open311.requests(service_code="inquiry")) == [inquiry]
        assert sorted(_ids(open311.requests(service_code="guidance,inquiry"))) == sorted(
            [inquiry, guidance]
        )

    def test_status_filters_open_and_closed(self, open311, posted, other_channel, set_petition):
        closed = other_channel()
        set_petition(closed, status=Status.CLOSED)
        assert _ids(open311.requests(status="open")) == [posted]
        assert _ids(open311.requests(status="closed")) == [closed]
        assert len(open311.requests(status="open,closed")) == 2

    def test_dates_bound_the_requested_datetime(self, open311, posted, other_channel, set_petition):
        old = other_channel()
        set_petition(old, created_at=at("2026-01-10T12:00:00+00:00"))
        older = other_channel()
        set_petition(older, created_at=at("2025-12-01T12:00:00+00:00"))
        found = open311.requests(start_date="2026-01-01T00:00:00Z", end_date="2026-01-31T23:59:59Z")
        assert _ids(found) == [old]
        assert _ids(
            open311.requests(start_date="2025-11-30T00:00:00+01:00", end_date="2026-01-01")
        ) == [older]

    def test_without_dates_the_last_90_days_are_listed(
        self, open311, posted, other_channel, set_petition
    ):
        stale = other_channel()
        set_petition(stale, created_at=utcnow() - timedelta(days=91))
        assert _ids(open311.requests()) == [posted]
        assert stale in _ids(
            open311.requests(
                start_date=(utcnow() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
        )

    def test_the_list_is_capped(self, app, open311, posted, other_channel, monkeypatch):
        newest = other_channel()
        monkeypatch.setitem(app.config, "OPEN311_MAX_REQUESTS", 1)
        assert _ids(open311.requests()) == [newest]

    @pytest.mark.parametrize(
        ("filters", "description"),
        [
            (
                {"service_code": "corruption"},
                "service_code: 'corruption' is not one of complaint, inquiry, guidance, suggestion.",
            ),
            (
                {"service_code": "complaint,"},
                "service_code: '' is not one of complaint, inquiry, guidance, suggestion.",
            ),
            ({"status": "pending"}, "status: 'pending' is not one of open, closed."),
            (
                {"start_date": "yesterday"},
                "start_date: use the W3C format, e.g. 2026-01-01T00:00:00Z.",
            ),
            ({"end_date": "2026-02-30T00:00:00Z"}, "end_date: this is not a valid date and time."),
            (
                {"service_request_id": ",".join(["TN-2026-000001"] * 101)},
                "service_request_id: ask for at most 100 requests at once.",
            ),
        ],
    )
    def test_a_bad_filter_is_a_400(self, open311, portal, filters, description):
        with pytest.raises(Open311ApiError) as refused:
            open311.requests(**filters)
        assert (refused.value.status, refused.value.errors) == (
            400,
            [{"code": 400, "description": description}],
        )

    def test_extreme_dates_are_clamped_not_errors(self, open311, posted):
        assert _ids(
            open311.requests(
                start_date="0000-01-01T00:00:00+23:59", end_date="9999-12-31T23:59:60-23:59"
            )
        ) == [posted]

    def test_xml_list_says_what_json_says(self, http, posted, other_channel):
        other_channel(channel=Channel.PHONE)
        response = http.get(f"{ROOT}/requests.xml")
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request", "request"]
        assert parse_xml(response.content) == http.get(f"{ROOT}/requests.json").json()

    def test_an_empty_list_is_an_empty_document(self, http, portal):
        assert http.get(f"{ROOT}/requests.json").json() == []
        assert (
            ElementTree.fromstring(http.get(f"{ROOT}/requests.xml").content).tag
            == "service_requests"
        )
