"""An existing Open311 client library, unmodified, against our endpoint.

``georeport`` (PyPI, 0.3.1) wraps GeoReport v2 for reading: service list, service definition,
requests with filters, one request, in JSON or XML (parsed with xmltodict). It has no way to
create a request ("does not currently support the creation of new 311 service requests"), so
POST is checked with the hand-written client in the other tests. The library calls the module
function ``requests.get``; here its ``requests`` is a namespace whose ``get`` is a session
served by the app in process (requests-wsgi-adapter), so nothing leaves the machine.

The other Open311 clients on PyPI (``open311`` 1.1, ``three`` 0.8.0) are Python 2 only.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from georeport import GeoReport
from georeport import georeport as georeport_module

from tests.api.conftest import WSGI_ADAPTER_WARNING
from tests.api.open311_client import ROOT, Open311Client

pytestmark = pytest.mark.filterwarnings(WSGI_ADAPTER_WARNING)


@pytest.fixture
def library(http: requests.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(georeport_module, "requests", SimpleNamespace(get=http.get))


@pytest.fixture
def two_requests(http, portal, api_key) -> list[str]:
    client = Open311Client(http, "json")
    return [
        client.create(
            api_key,
            "complaint",
            {"subject": "Pothole on Route de Tunis"},
            description="Deep hole.",
            email="a@example.org",
            lat="34.75",
            long="10.75",
        )["service_request_id"],
        client.create(
            api_key,
            "suggestion",
            {"subject": "More buses", "proposal_benefit": "Less traffic."},
            description="Add a bus line.",
            email="b@example.org",
        )["service_request_id"],
    ]


def test_json_client_reads_services_and_definitions(library, portal):
    client = GeoReport(ROOT, api_key="unused-for-reading")
    services = client.get_service_list()
    assert [s["service_code"] for s in services] == [
        "complaint",
        "inquiry",
        "guidance",
        "suggestion",
    ]
    definition = client.get_service_definition("inquiry")
    assert definition["service_code"] == "inquiry"
    assert "inquiry_question" in [a["code"] for a in definition["attributes"]]


def test_xml_client_reads_the_same_services(library, portal):
    services = GeoReport(ROOT, output_format="xml").get_service_list()
    assert [s["service_code"] for s in services] == [
        "complaint",
        "inquiry",
        "guidance",
        "suggestion",
    ]
    assert services[0]["metadata"] == "true" and services[0]["type"] == "realtime"
    definition = GeoReport(ROOT, output_format="xml").get_service_definition("complaint")
    attributes = definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == [
        "subject",
        "target_body",
        "location",
        "incident_date",
    ]


def test_json_client_reads_requests_with_filters(library, two_requests):
    client = GeoReport(ROOT)
    complaint, suggestion = two_requests
    assert [r["service_request_id"] for r in client.get_service_requests()] == [
        suggestion,
        complaint,
    ]
    assert [
        r["service_request_id"] for r in client.get_service_requests(service_code="complaint")
    ] == [complaint]
    assert client.get_service_requests(status="closed") == []
    assert len(client.get_service_requests(service_request_id=",".join(two_requests))) == 2
    one = client.get_service_request(complaint)
    assert (one["status"], one["lat"], one["long"], one["description"]) == (
        "open",
        34.75,
        10.75,
        "Deep hole.",
    )


def test_xml_client_reads_requests(library, two_requests):
    client = GeoReport(ROOT, output_format="xml")
    listed = client.get_service_requests(start_date="2000-01-01T00:00:00Z")
    assert [r["service_request_id"] for r in listed] == list(reversed(two_requests))
    one = client.get_service_request(two_requests[0])
    assert (one["status"], one["lat"], one["service_code"]) == ("open", "34.75", "complaint")


def test_the_client_sees_an_http_error_for_an_unknown_request(library, portal):
    with pytest.raises(requests.HTTPError) as refused:
        GeoReport(ROOT).get_service_request("TN-2000-000001")
    assert refused.value.response.status_code == 404
    assert refused.value.response.json() == [
        {"code": 404, "description": "service_request_id: no request 'TN-2000-000001'."}
    ]
