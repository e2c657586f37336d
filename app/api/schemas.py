"""The component schemas of the OpenAPI document: documents of both APIs, JSON and XML.

GeoReport v2 documents are described once; their ``xml`` names give the element names of the
XML form (``services/service``, ``service_requests/request``…). The POST body is one branch per
service (``oneOf`` on ``service_code``) with that service's start-form fields, so a client (or
Schemathesis) learns from the document which attributes each service takes.
"""

from __future__ import annotations

from typing import Any

from app.api import attributes
from app.api.open311 import MAX_ADDRESS, MAX_NAME, MAX_PHONE, MAX_URL
from app.api.public import MAX_EMAIL
from app.engine.forms import FormRegistry
from app.petitions.models import Status
from app.petitions.services import start_form_name

REF = "#/components/schemas/"
# The GeoReport v2 fields of a POST that every service takes.
CORE_POST_FIELDS: dict[str, Any] = {
    "api_key": {"type": "string", "maxLength": 200},
    "email": {"type": "string", "format": "email", "maxLength": MAX_EMAIL},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string", "maxLength": MAX_ADDRESS},
    "first_name": {"type": "string", "maxLength": MAX_NAME},
    "last_name": {"type": "string", "maxLength": MAX_NAME},
    "phone": {"type": "string", "maxLength": MAX_PHONE},
    "media_url": {"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": MAX_URL},
    "jurisdiction_id": {"type": "string", "description": "Accepted and ignored"},
    "device_id": {"type": "string", "description": "Accepted and ignored"},
    "account_id": {"type": "string", "description": "Accepted and ignored"},
}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


class Components:
    def __init__(
        self,
        forms: FormRegistry,
        type_codes: tuple[str, ...],
        open311_codes: tuple[str, ...],
        choices: dict[str, list[str]],
    ) -> None:
        self.forms = forms
        self.type_codes = type_codes
        self.open311_codes = open311_codes
        self.choices = choices  # start-form field → its allowed values (e.g. active body codes)

    @staticmethod
    def _field(spec: dict[str, Any], choices: list[str] | None) -> dict[str, Any]:
        """A start-form property as a form field: text whatever its type, with its limits."""
        field: dict[str, Any] = {"type": "string"}
        for key in ("minLength", "maxLength", "title", "description"):
            if key in spec:
                field[key] = spec[key]
        if choices is not None:
            field["enum"] = choices
        elif "enum" in spec:
            field["enum"] = [str(value) for value in spec["enum"]]
        elif spec.get("type") == "boolean":
            field["enum"] = ["true", "false"]
        elif spec.get("format") == "date":  # a datetime is accepted too: its date is kept
            field.pop("maxLength", None)
            field["anyOf"] = [
                {"format": "date", "maxLength": spec.get("maxLength", 10)},
                {"format": "date-time"},
            ]
        return field

    def _service_fields(self, code: str) -> dict[str, Any]:
        """One branch of the POST body: ``service_code`` = ``code``, the core fields and the start
        form's fields (``description`` and ``attribute[…]``); nothing else."""
        schema = self.forms.schema(start_form_name(code))
        required = set(schema.get("required", []))
        properties: dict[str, Any] = {**CORE_POST_FIELDS, "service_code": {"const": code}}
        needed = ["api_key", "service_code", "email"]
        for name, spec in schema.get("properties", {}).items():
            param = name if name in attributes.CORE_FIELDS else f"attribute[{name}]"
            properties[param] = self._field(spec, self.choices.get(name))
            if name in required:
                needed.append(param)
        return {
            "title": code,
            "type": "object",
            "properties": properties,
            "required": needed,
            "additionalProperties": False,
            "dependentRequired": {"lat": ["long"], "long": ["lat"]},
        }

    def _new_request_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": (
                "GeoReport v2 fields, and per service (`oneOf`, by `service_code`) `description` and "
                "the `attribute[code]` fields of its service definition. Text may not contain NUL."
            ),
            "required": ["api_key", "service_code", "email"],
            "oneOf": [self._service_fields(code) for code in self.open311_codes],
        }

    def all(self) -> dict[str, Any]:
        string = {"type": "string"}
        return {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": string,
                    "message": string,
                    "errors": {"type": "object", "additionalProperties": string},
                },
            },
            "PetitionType": {
                "type": "object",
                "required": ["code", "name", "description", "open311", "start_form"],
                "properties": {
                    "code": {"enum": list(self.type_codes)},
                    "name": string,
                    "description": string,
                    "open311": {"type": "boolean"},
                    "start_form": {"type": "object", "description": "JSON Schema (draft 2020-12)"},
                },
            },
            "PetitionStatus": self._status_schema(),
            "Open311Service": {
                "type": "object",
                "xml": {"name": "service"},
                "required": [
                    "service_code",
                    "service_name",
                    "description",
                    "metadata",
                    "type",
                    "keywords",
                    "group",
                ],
                "properties": {
                    "service_code": {"enum": list(self.open311_codes)},
                    "service_name": string,
                    "description": string,
                    "metadata": {"type": "boolean"},
                    "type": {"enum": ["realtime", "batch", "blackbox"]},
                    "keywords": string,
                    "group": string,
                },
            },
            "Open311ServiceDefinition": {
                "type": "object",
                "xml": {"name": "service_definition"},
                "required": ["service_code", "attributes"],
                "properties": {
                    "service_code": string,
                    "attributes": {
                        "type": "array",
                        "items": ref("Open311Attribute"),
                        "xml": {"wrapped": True},
                    },
                },
            },
            "Open311Attribute": {
                "type": "object",
                "xml": {"name": "attribute"},
                "required": [
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": string,
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": string,
                    "order": {"type": "integer", "minimum": 1},
                    "description": string,
                    "values": {
                        "type": "array",
                        "xml": {"wrapped": True},
                        "items": {
                            "type": "object",
                            "xml": {"name": "value"},
                            "required": ["key", "name"],
                            "properties": {"key": string, "name": string},
                        },
                    },
                },
            },
            "Open311Request": self._request_schema(),
            "Open311Created": {
                "type": "object",
                "xml": {"name": "request"},
                "required": ["service_request_id", "service_notice", "account_id"],
                "properties": {
                    "service_request_id": string,
                    "service_notice": NULLABLE_STRING,
                    "account_id": NULLABLE_STRING,
                },
            },
            "Open311Errors": {
                "type": "array",
                "xml": {"name": "errors", "wrapped": True},
                "minItems": 1,
                "items": {
                    "type": "object",
                    "xml": {"name": "error"},
                    "required": ["code", "description"],
                    "properties": {"code": {"type": "integer"}, "description": string},
                },
            },
            "Open311NewRequest": self._new_request_schema(),
        }

    def _request_schema(self) -> dict[str, Any]:
        string = {"type": "string"}
        properties = {
            "service_request_id": string,
            "status": {"enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING,
            "service_name": string,
            "service_code": {"enum": list(self.open311_codes)},
            "description": NULLABLE_STRING,
            "agency_responsible": NULLABLE_STRING,
            "service_notice": NULLABLE_STRING,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": ["string", "null"], "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
            "address": NULLABLE_STRING,
            "address_id": NULLABLE_STRING,
            "zipcode": NULLABLE_STRING,
            "lat": NULLABLE_NUMBER,
            "long": NULLABLE_NUMBER,
            "media_url": NULLABLE_STRING,
        }
        return {
            "type": "object",
            "xml": {"name": "request"},
            "required": list(properties),
            "properties": properties,
        }

    def _status_schema(self) -> dict[str, Any]:
        string = {"type": "string"}
        entry = {
            "type": "object",
            "required": ["kind", "label", "body", "body_name", "text", "created_at"],
            "properties": {
                "kind": string,
                "label": string,
                "body": NULLABLE_STRING,
                "body_name": NULLABLE_STRING,
                "text": NULLABLE_STRING,
                "created_at": string,
            },
        }
        properties = {
            "tracking_number": string,
            "type": {"enum": list(self.type_codes)},
            "type_name": string,
            "status": {"enum": [status.value for status in Status]},
            "status_label": string,
            "final": {"type": "boolean"},
            "handled_by": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {"code": string, "name": string},
            },
            "response_due_at": NULLABLE_STRING,
            "overdue": {"type": "boolean"},
            "extension_reason": NULLABLE_STRING,
            "created_at": string,
            "updated_at": string,
            "timeline": {"type": "array", "items": entry},
        }
        return {"type": "object", "required": list(properties), "properties": properties}
