"""The OpenAPI 3.1 document, and Schemathesis against the app through WSGI (no network).

Schemathesis generates requests from the document (valid ones, and invalid ones that must be
refused) and checks every answer: no server error, a documented status and media type, a body
that fits the documented schema, valid data accepted and invalid data refused. XML answers are
read with the specification-literal reader of ``open311_client`` so they are checked against the
same schemas as JSON.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.api.open311_client import parse_xml

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
OPERATIONS = [
    ("GET", "/api/openapi.json"),
    ("GET", "/api/v1/services"),
    ("GET", "/api/v1/petitions/{tracking_number}"),
    *[
        (method, path.format(fmt=fmt))
        for fmt in ("json", "xml")
        for method, path in [
            ("GET", "/open311/v2/services.{fmt}"),
            ("GET", "/open311/v2/services/{{service_code}}.{fmt}"),
            ("GET", "/open311/v2/requests.{fmt}"),
            ("POST", "/open311/v2/requests.{fmt}"),
            ("GET", "/open311/v2/requests/{{service_request_id}}.{fmt}"),
        ]
    ],
]


@schemathesis.deserializer("application/xml")
def _open311_xml(_ctx: Any, response: Any) -> Any:
    return parse_xml(response.content)


@pytest.fixture
def api_schema(app, portal):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


class TestDocument:
    def test_is_a_valid_openapi_31_document(self, api_schema):
        assert api_schema.raw_schema["openapi"] == "3.1.0"
        api_schema.validate()
        for name, component in api_schema.raw_schema["components"]["schemas"].items():
            Draft202012Validator.check_schema(component), name

    def test_describes_every_endpoint_of_the_api_blueprint(self, app, api_schema):
        documented = {
            (path, method.upper())
            for path, item in api_schema.raw_schema["paths"].items()
            for method in item
        }
        served = set()
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown_endpoint":
                path = rule.rule.replace("<any(json, xml):fmt>", "{fmt}")
                path = path.replace("<service_code>", "{service_code}").replace(
                    "<service_request_id>", "{service_request_id}"
                )
                path = path.replace("<tracking_number>", "{tracking_number}")
                for method in rule.methods - {"HEAD", "OPTIONS"}:
                    for fmt in ("json", "xml") if "{fmt}" in path else ("",):
                        served.add((path.replace("{fmt}", fmt), method))
        assert documented == served == {(path, method) for method, path in OPERATIONS}

    def test_service_codes_and_attributes_come_from_the_forms(self, api_schema, portal):
        portal_codes = [code for code, body in portal.items() if body.is_active]
        components = api_schema.raw_schema["components"]["schemas"]
        assert components["Open311Service"]["properties"]["service_code"]["enum"] == [
            "complaint",
            "inquiry",
            "guidance",
            "suggestion",
        ]
        branches = {b["title"]: b for b in components["Open311NewRequest"]["oneOf"]}
        assert list(branches) == ["complaint", "inquiry", "guidance", "suggestion"]
        inquiry = branches["inquiry"]
        assert inquiry["properties"]["service_code"] == {"const": "inquiry"}
        assert inquiry["required"] == [
            "api_key",
            "service_code",
            "email",
            "attribute[subject]",
            "description",
            "attribute[inquiry_question]",
        ]
        assert inquiry["properties"]["attribute[subject]"]["minLength"] == 3
        complaint = branches["complaint"]["properties"]
        assert sorted(complaint["attribute[target_body]"]["enum"]) == sorted(portal_codes)
        assert (
            "attribute[incident_date]" in complaint
            and "attribute[inquiry_question]" not in complaint
        )

    def test_is_served_as_json_without_a_session_cookie(self, client, portal):
        response = client.get("/api/openapi.json")
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert "Set-Cookie" not in response.headers


def _run(operation: Any, mode: GenerationMode, check: Any) -> None:
    """Run ``check`` on cases Hypothesis draws for ``operation`` (Schemathesis' own strategy)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def run(case: Any) -> None:
        check(case)

    run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_answers_valid_requests_as_documented(api_schema, method, path):
    """Keys here are whatever Schemathesis makes up: creating is refused with 403, as documented."""
    _run(api_schema[path][method], GenerationMode.POSITIVE, lambda case: case.call_and_validate())


@pytest.mark.parametrize(
    ("method", "path"), [op for op in OPERATIONS if op[1] != "/api/openapi.json"]
)
def test_every_operation_refuses_invalid_requests_as_documented(api_schema, method, path):
    """(The document itself takes no parameter: nothing to make invalid.)"""
    _run(api_schema[path][method], GenerationMode.NEGATIVE, lambda case: case.call_and_validate())


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_creating_with_a_valid_key_never_fails_and_answers_as_documented(
    api_schema, api_key, fmt, mode
):
    """With a real key, generated requests reach the petitions service.

    Most are created. Some valid-looking data is still refused with 400, rightly: text that is
    blank once trimmed, a NUL character, an e-mail address that email-validator refuses (the
    document cannot say all of that), so the "valid data is accepted" check is left out for this
    run only. Invalid data must still be refused, and every answer must fit the document.
    """

    statuses: list[int] = []

    def check(case: Any) -> None:
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            case.body["api_key"] = api_key
        statuses.append(
            case.call_and_validate(excluded_checks=[positive_data_acceptance]).status_code
        )

    _run(api_schema[f"/open311/v2/requests.{fmt}"]["POST"], mode, check)
    if mode is GenerationMode.POSITIVE:  # the run did reach the petitions service
        assert statuses.count(200) > len(statuses) // 2, statuses


@pytest.mark.parametrize(
    "path",
    ["/api/v1/petitions/{tracking_number}", "/open311/v2/requests/{service_request_id}.json",
     "/open311/v2/requests/{service_request_id}.xml"],
)
def test_looking_up_existing_petitions_answers_as_documented(api_schema, other_channel, path):
    """Drawn numbers name no petition (404): here most cases look up real ones, with the right
    e-mail where one is asked, so the found answers are checked against the document too."""
    petitions = [
        (other_channel(email="amel@example.org"), "amel@example.org"),
        (other_channel("inquiry", email="nour@example.org", subject="سؤال حول رخصة البناء",
                       inquiry_question="متى تصدر الرخصة؟"), "nour@example.org"),
    ]
    parameter = path.split("{")[1].split("}")[0]
    statuses: list[int] = []

    @given(case=api_schema[path]["GET"].as_strategy(), known=st.sampled_from([*petitions, None, *petitions]))
    @settings(EXAMPLES, max_examples=20)
    def run(case: Any, known: tuple[str, str] | None) -> None:
        if known is not None:
            case.path_parameters[parameter] = known[0]
            if "email" in (case.query or {}) or parameter == "tracking_number":
                case.query = {**(case.query or {}), "email": known[1]}
        statuses.append(case.call_and_validate().status_code)

    run()
    assert 200 in statuses, statuses
