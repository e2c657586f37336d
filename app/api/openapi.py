"""The OpenAPI 3.1 document of ``/api/v1`` and ``/open311/v2``, built from the running app.

Built, not written by hand, so it cannot drift: the service codes are the configured petition
types (minus corruption reports), the ``attribute[…]`` fields of a POST are the start forms'
properties. GeoReport v2 selects the format by the URL's extension, so each Open311 endpoint
appears twice, once per extension, each with its own media type; both use the same schemas
(``app.api.schemas``).
"""

from __future__ import annotations

import re
from typing import Any

from app.api.formats import JSON_TYPE, XML_TYPE
from app.api.open311 import MAX_IDS
from app.api.public import MAX_EMAIL
from app.api.schemas import Components, ref


def _list_pattern(items: tuple[str, ...]) -> str:
    """A comma-separated list of ``items``; empty means "no filter"."""
    choice = "|".join(re.escape(item) for item in items)
    return f"^(?:(?:{choice})(?:,(?:{choice}))*)?$"


def _query(
    name: str, description: str, schema: dict[str, Any], required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


LOCALE = _query(
    "locale",
    "Language of names and notes: ar, fr or en, or a longer tag such as ar_TN "
    "(anything else: Accept-Language, else en).",
    {"type": "string"},
)
JURISDICTION = _query(
    "jurisdiction_id",
    "Accepted and ignored: this endpoint serves one jurisdiction.",
    {"type": "string"},
)


def _content(fmt: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {(JSON_TYPE if fmt == "json" else XML_TYPE): {"schema": schema}}


def _errors(fmt: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": _content(fmt, ref("Open311Errors"))}


def _xml_list(item: str, root: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(item), "xml": {"name": root, "wrapped": True}}


class OpenApiBuilder:
    """The paths of the document; its schemas come from ``components``, which knows the
    petition types, Open311 codes and start-form choices both need."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.open311_codes = components.open311_codes

    def document(self) -> dict[str, Any]:
        paths: dict[str, Any] = {
            "/api/openapi.json": {"get": self._openapi_operation()},
            "/api/v1/services": {"get": self._types_operation()},
            "/api/v1/petitions/{tracking_number}": {"get": self._status_operation()},
        }
        for fmt in ("json", "xml"):
            paths.update(self._open311_paths(fmt))
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "epeople API",
                "version": "1.0.0",
                "description": (
                    "Petition routing for public administrations. `/api/v1` is our own JSON API; "
                    "`/open311/v2` implements Open311 GeoReport v2 (JSON and XML). Petitions created "
                    "through Open311 follow the same start forms and routing as on the web. "
                    "Corruption reports are not available through Open311."
                ),
            },
            "tags": [
                {"name": "open311", "description": "Open311 GeoReport v2"},
                {"name": "petitions", "description": "epeople JSON API v1"},
            ],
            "paths": paths,
            "components": {
                "schemas": self.components.all()
            },
        }

    # Our API ---------------------------------------------------------------------------------
    def _openapi_operation(self) -> dict[str, Any]:
        return {
            "operationId": "openapi",
            "summary": "This document",
            "tags": ["petitions"],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document",
                    "content": {JSON_TYPE: {"schema": {"type": "object"}}},
                }
            },
        }

    def _types_operation(self) -> dict[str, Any]:
        return {
            "operationId": "listPetitionTypes",
            "summary": "Petition types and their start forms (JSON Schema, draft 2020-12)",
            "tags": ["petitions"],
            "parameters": [LOCALE],
            "responses": {
                "200": {
                    "description": "Every petition type",
                    "content": {
                        JSON_TYPE: {"schema": {"type": "array", "items": ref("PetitionType")}}
                    },
                }
            },
        }

    def _status_operation(self) -> dict[str, Any]:
        error = {"content": {JSON_TYPE: {"schema": ref("Error")}}}
        return {
            "operationId": "getPetitionStatus",
            "summary": "A petition's public status, as the /track page shows it",
            "description": "Both the tracking number and the e-mail address given with the petition must match.",
            "tags": ["petitions"],
            "parameters": [
                {
                    "name": "tracking_number",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "e.g. TN-2026-000123",
                },
                _query(
                    "email",
                    "The e-mail address given with the petition",
                    {"type": "string", "minLength": 1, "maxLength": MAX_EMAIL},
                    required=True,
                ),
                LOCALE,
            ],
            "responses": {
                "200": {
                    "description": "The public status",
                    "content": {JSON_TYPE: {"schema": ref("PetitionStatus")}},
                },
                "400": {"description": "The e-mail address is missing or too long", **error},
                "404": {
                    "description": "No petition has this tracking number and e-mail address",
                    **error,
                },
                "429": {"description": "Too many lookups from this address", **error},
            },
        }

    # Open311 ---------------------------------------------------------------------------------
    def _open311_paths(self, fmt: str) -> dict[str, Any]:
        base = "/open311/v2"
        tag = ["open311"]
        listed = {
            "json": {"type": "array", "items": ref("Open311Service")},
            "xml": _xml_list("Open311Service", "services"),
        }[fmt]
        requests = {
            "json": {"type": "array", "items": ref("Open311Request")},
            "xml": _xml_list("Open311Request", "service_requests"),
        }[fmt]
        created = {
            "json": {"type": "array", "items": ref("Open311Created"), "minItems": 1, "maxItems": 1},
            "xml": {
                **_xml_list("Open311Created", "service_requests"),
                "minItems": 1,
                "maxItems": 1,
            },
        }[fmt]
        not_found = _errors(fmt, "Not found")
        return {
            f"{base}/services.{fmt}": {
                "get": {
                    "operationId": f"open311Services_{fmt}",
                    "summary": "GET Service List",
                    "tags": tag,
                    "parameters": [LOCALE, JURISDICTION],
                    "responses": {
                        "200": {"description": "The services", "content": _content(fmt, listed)},
                        "404": not_found,
                    },
                }
            },
            f"{base}/services/{{service_code}}.{fmt}": {
                "get": {
                    "operationId": f"open311ServiceDefinition_{fmt}",
                    "summary": "GET Service Definition",
                    "tags": tag,
                    "parameters": [
                        {
                            "name": "service_code",
                            "in": "path",
                            "required": True,
                            "schema": {"enum": list(self.open311_codes)},
                        },
                        LOCALE,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": {
                            "description": "The attributes of the service",
                            "content": _content(fmt, ref("Open311ServiceDefinition")),
                        },
                        "400": _errors(fmt, "Unknown service_code"),
                        "404": not_found,
                    },
                }
            },
            f"{base}/requests.{fmt}": {
                "get": {
                    "operationId": f"open311Requests_{fmt}",
                    "summary": "GET Service Requests",
                    "tags": tag,
                    "description": (
                        "Newest first, at most a configured number. Without dates, the last 90 days. "
                        "`service_request_id` overrides the other filters. Corruption reports are never listed."
                    ),
                    "parameters": [
                        _query(
                            "service_request_id",
                            f"Comma-separated tracking numbers (at most {MAX_IDS})",
                            {"type": "string"},
                        ),
                        _query(
                            "service_code",
                            "Comma-separated service codes",
                            {"type": "string", "pattern": _list_pattern(self.open311_codes)},
                        ),
                        _query(
                            "start_date",
                            "Earliest requested_datetime (W3C, e.g. 2026-01-01T00:00:00Z)",
                            {"type": "string", "format": "date-time"},
                        ),
                        _query(
                            "end_date",
                            "Latest requested_datetime (W3C)",
                            {"type": "string", "format": "date-time"},
                        ),
                        _query(
                            "status",
                            "open, closed, or both comma-separated",
                            {"type": "string", "pattern": _list_pattern(("open", "closed"))},
                        ),
                        LOCALE,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": {"description": "The requests", "content": _content(fmt, requests)},
                        "400": _errors(fmt, "A filter is not valid"),
                        "404": not_found,
                    },
                },
                "post": {
                    "operationId": f"open311CreateRequest_{fmt}",
                    "summary": "POST Service Request",
                    "tags": tag,
                    "description": (
                        "Creates a petition with the service's start form: `description` and the "
                        "`attribute[code]` fields of the service definition. `email` is required: the "
                        "citizen is answered by e-mail. `api_key` is issued by an administrator."
                    ),
                    "parameters": [LOCALE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": ref("Open311NewRequest")
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Created: the tracking number is the service_request_id",
                            "content": _content(fmt, created),
                        },
                        "400": _errors(
                            fmt, "Unknown service_code or invalid fields (each one named)"
                        ),
                        "403": _errors(fmt, "Missing, unknown or revoked api_key"),
                        "404": not_found,
                        "429": _errors(fmt, "Too many requests from this address"),
                    },
                },
            },
            f"{base}/requests/{{service_request_id}}.{fmt}": {
                "get": {
                    "operationId": f"open311Request_{fmt}",
                    "summary": "GET Service Request",
                    "tags": tag,
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        LOCALE,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": {
                            "description": "A list of one request",
                            "content": _content(fmt, requests),
                        },
                        "404": _errors(fmt, "No such request"),
                    },
                }
            },
        }
