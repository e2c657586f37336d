"""GET Service List and GET Service Definition, field by field against GeoReport v2."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from app.api.open311 import GROUP
from app.petitions import labels
from tests.api.conftest import WSGI_ADAPTER_WARNING, label
from tests.api.open311_client import Open311ApiError, Open311Client, parse_xml

pytestmark = pytest.mark.filterwarnings(WSGI_ADAPTER_WARNING)

OFFERED = ["complaint", "inquiry", "guidance", "suggestion"]
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _form(name: str) -> dict:
    with open(f"forms/{name}_start.json", encoding="utf-8") as handle:
        return json.load(handle)


class TestServiceList:
    def test_lists_every_petition_type_but_corruption_with_the_spec_fields(
        self, app, open311: Open311Client, portal
    ):
        services = open311.services()
        assert [s["service_code"] for s in services] == OFFERED
        for service in services:
            assert set(service) == SERVICE_FIELDS
            form = _form(service["service_code"])
            code = service["service_code"]
            assert service["service_name"] == label(app, labels.TYPES, code, "en")
            assert service["description"] == label(app, labels.TYPE_DESCRIPTIONS, code, "en")
            assert service["metadata"] is True
            assert service["type"] == "realtime"
            assert service["group"] == "Citizen petitions"
            keywords = [k.strip() for k in service["keywords"].split(",")]
            assert service["service_code"] in keywords
            assert {form["x-title"][lang] for lang in ("ar", "fr", "en")} <= set(keywords)

    def test_corruption_reports_are_never_offered(self, http, portal):
        for fmt in ("json", "xml"):
            text = http.get(f"http://epeople.test/open311/v2/services.{fmt}").text
            assert "corruption" not in text.lower()

    @pytest.mark.parametrize(
        ("how", "language"),
        [
            ({"params": {"locale": "fr"}}, "fr"),
            ({"params": {"locale": "ar_TN"}}, "ar"),
            ({"headers": {"Accept-Language": "ar-TN, fr;q=0.5"}}, "ar"),
            ({"headers": {"Accept-Language": "de"}}, "en"),
        ],
    )
    def test_names_follow_the_locale_parameter_then_accept_language(
        self, app, http, portal, how, language
    ):
        services = http.get("http://epeople.test/open311/v2/services.json", **how).json()
        assert services[0]["service_name"] == label(app, labels.TYPES, "complaint", language)
        assert services[0]["group"] == GROUP[language]

    def test_xml_has_the_spec_elements_and_says_what_json_says(self, http, portal):
        response = http.get("http://epeople.test/open311/v2/services.xml")
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        root = ElementTree.fromstring(response.content)
        assert root.tag == "services"
        assert [child.tag for child in root] == ["service"] * len(OFFERED)
        assert [child.tag for child in root[0]] == [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ]
        assert root[0].findtext("metadata") == "true"
        assert (
            parse_xml(response.content)
            == http.get("http://epeople.test/open311/v2/services.json").json()
        )


class TestServiceDefinition:
    def test_attributes_are_the_start_form_fields_but_the_core_description(
        self, open311: Open311Client, portal
    ):
        definition = open311.service_definition("complaint")
        assert set(definition) == {"service_code", "attributes"}
        assert definition["service_code"] == "complaint"
        attributes = definition["attributes"]
        assert [a["code"] for a in attributes] == [
            "subject",
            "target_body",
            "location",
            "incident_date",
        ]
        assert [a["order"] for a in attributes] == [1, 2, 3, 4]
        for attribute in attributes:
            assert ATTRIBUTE_FIELDS <= set(attribute) <= ATTRIBUTE_FIELDS | {"values"}
            assert attribute["variable"] is True
            assert attribute["datatype"] in DATATYPES
        subject, target, location, day = attributes
        assert (subject["datatype"], subject["required"], subject["description"]) == (
            "string",
            True,
            "Subject",
        )
        assert subject["datatype_description"] == "A short title for your petition."
        assert (target["datatype"], target["required"]) == ("singlevaluelist", False)
        assert (location["datatype"], location["required"]) == ("string", False)
        assert (day["datatype"], day["required"]) == ("datetime", False)
        assert "YYYY-MM-DD" in day["datatype_description"]

    def test_long_fields_are_text_and_required_ones_say_so(self, open311: Open311Client, portal):
        attributes = {a["code"]: a for a in open311.service_definition("inquiry")["attributes"]}
        assert attributes["inquiry_question"]["datatype"] == "text"
        assert attributes["inquiry_question"]["required"] is True
        assert attributes["subject"]["required"] is True

    def test_public_body_choices_are_the_active_bodies_in_the_request_language(
        self, http, portal, session
    ):
        portal["mun-sfax"].is_active = False
        session.commit()
        definition = http.get(
            "http://epeople.test/open311/v2/services/complaint.json", params={"locale": "fr"}
        ).json()
        values = next(a for a in definition["attributes"] if a["code"] == "target_body")["values"]
        by_key = {v["key"]: v["name"] for v in values}
        assert "mun-sfax" not in by_key
        assert by_key["min-health"] == portal["min-health"].name_fr
        assert set(by_key) == {code for code, body in portal.items() if body.is_active}

    def test_xml_definition_nests_attributes_and_values(self, http, portal):
        response = http.get("http://epeople.test/open311/v2/services/complaint.xml")
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "complaint"
        assert [a.findtext("code") for a in root.find("attributes")] == [
            "subject",
            "target_body",
            "location",
            "incident_date",
        ]
        target = root.find("attributes")[1]
        assert target.find("values")[0].tag == "value"
        assert {child.tag for child in target.find("values")[0]} == {"key", "name"}
        assert (
            parse_xml(response.content)
            == http.get("http://epeople.test/open311/v2/services/complaint.json").json()
        )

    @pytest.mark.parametrize("code", ["parking", "corruption", "COMPLAINT"])
    def test_an_unknown_or_unoffered_service_code_is_a_400(
        self, open311: Open311Client, portal, code
    ):
        with pytest.raises(Open311ApiError) as refused:
            open311.service_definition(code)
        assert refused.value.status == 400
        assert refused.value.errors == [
            {
                "code": 400,
                "description": f"service_code: '{code}' is not a service of this endpoint.",
            }
        ]

    def test_an_unknown_endpoint_answers_with_the_error_document(self, http, portal):
        for fmt in ("json", "xml"):
            response = http.get(f"http://epeople.test/open311/v2/services/complaint/extra.{fmt}")
            assert response.status_code == 404
        assert parse_xml(response.content) == [{"code": 404, "description": "No such endpoint."}]
        assert http.get("http://epeople.test/open311/v2/discovery.json").json() == [
            {"code": 404, "description": "No such endpoint."}
        ]
