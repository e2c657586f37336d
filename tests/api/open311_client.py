"""A GeoReport v2 client written from the specification alone, over real HTTP semantics.

It knows nothing of epeople: base URL, paths with the format extension, form-encoded POSTs
with ``attribute[code]`` fields, the JSON and XML documents and the error document. Requests go
through ``requests`` with ``requests-wsgi-adapter`` mounted on the session, so they are encoded
and decoded as on the wire, but reach the WSGI app in process (no socket).

The XML reader follows the specification's element names and types: booleans (``metadata``,
``variable``, ``required``), integers (``order``, an error's ``code``), decimals (``lat``,
``long``), an empty element for an empty string (services, attributes) or a missing value
(requests), and the list elements (``services/service``,
``service_requests/request``, ``attributes/attribute``, ``values/value``, ``errors/error``).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import requests
from wsgiadapter import WSGIAdapter

BASE = "http://epeople.test"
ROOT = f"{BASE}/open311/v2"
BOOLEANS = {"metadata", "variable", "required"}
DECIMALS = {"lat", "long"}
TEXT_PARENTS = {"service", "service_definition", "attribute", "value"}
LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


class Open311ApiError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


def _value(element: ElementTree.Element, parent: str | None) -> Any:
    tag = element.tag
    if tag in LISTS:
        return [_value(child, tag) for child in element if child.tag == LISTS[tag]]
    if len(element):
        return {child.tag: _value(child, tag) for child in element}
    text = element.text
    if text is None or text == "":
        # XML cannot tell an empty string from a missing value: the fields of services and
        # attributes are always strings, those of requests may be missing.
        return "" if parent in TEXT_PARENTS else None
    if tag in BOOLEANS:
        assert text in ("true", "false"), f"<{tag}> must be true or false, not {text!r}"
        return text == "true"
    if tag == "order" or (tag == "code" and parent == "error"):
        return int(text)
    if tag in DECIMALS:
        return float(text)
    return text


def parse_xml(content: bytes) -> Any:
    """A GeoReport v2 XML document as the equivalent JSON value."""
    root = ElementTree.fromstring(content)
    return _value(root, None)


def wsgi_session(app: Any) -> requests.Session:
    """A requests session whose requests to ``BASE`` are served by ``app`` in process."""

    def served(environ: dict[str, Any], start_response: Any) -> Any:
        # requests-wsgi-adapter 0.4.1 passes CONTENT_LENGTH as an int; PEP 3333 (and
        # werkzeug 3) want the string a server would give.
        environ["CONTENT_LENGTH"] = str(environ.get("CONTENT_LENGTH") or "")
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return app(environ, start_response)

    session = requests.Session()
    session.mount(BASE, WSGIAdapter(served))
    return session


class Open311Client:
    def __init__(
        self, session: requests.Session, fmt: str = "json", locale: str | None = None
    ) -> None:
        self.session = session
        self.fmt = fmt
        self.locale = locale
        self.last_response: requests.Response | None = None

    def _decode(self, response: requests.Response) -> Any:
        self.last_response = response
        expected = "application/json" if self.fmt == "json" else "application/xml"
        assert response.headers["Content-Type"].split(";")[0] == expected, response.headers[
            "Content-Type"
        ]
        data = response.json() if self.fmt == "json" else parse_xml(response.content)
        if response.status_code != 200:
            raise Open311ApiError(response.status_code, data)
        return data

    def _get(self, path: str, **params: Any) -> Any:
        if self.locale:
            params.setdefault("locale", self.locale)
        return self._decode(self.session.get(f"{ROOT}/{path}.{self.fmt}", params=params))

    def services(self) -> list[dict[str, Any]]:
        return self._get("services")  # type: ignore[no-any-return]

    def service_definition(self, service_code: str) -> dict[str, Any]:
        return self._get(f"services/{service_code}")  # type: ignore[no-any-return]

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        return self._get("requests", **filters)  # type: ignore[no-any-return]

    def request(self, service_request_id: str) -> dict[str, Any]:
        found = self._get(f"requests/{service_request_id}")
        assert isinstance(found, list) and len(found) == 1, found
        return found[0]  # type: ignore[no-any-return]

    def create(
        self,
        api_key: str | None,
        service_code: str,
        attributes: dict[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """POST Service Request; ``attributes`` become ``attribute[code]`` fields."""
        data: dict[str, Any] = {"service_code": service_code, **fields}
        if api_key is not None:
            data["api_key"] = api_key
        for code, value in (attributes or {}).items():
            data[f"attribute[{code}]"] = value
        params = {"locale": self.locale} if self.locale else {}
        created = self._decode(
            self.session.post(f"{ROOT}/requests.{self.fmt}", data=data, params=params)
        )
        assert isinstance(created, list) and len(created) == 1, created
        return created[0]  # type: ignore[no-any-return]
