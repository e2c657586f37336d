"""GeoReport v2 documents as JSON or XML, including the standard error document.

The JSON shapes are the reference; XML follows the element names of the specification's
examples: a root element named after the document, one element per list item (``service``,
``request``, ``attribute``, ``value``, ``error``), ``true``/``false`` for booleans and an empty
element for a missing value. Text is escaped by lxml; characters XML 1.0 cannot carry at all
(most control characters) become U+FFFD instead of breaking the document.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response
from lxml import etree

FORMATS = ("json", "xml")
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
# Root element and item element of each list document.
DOCUMENTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
# Item element of lists nested in an item.
NESTED_ITEMS = {"attributes": "attribute", "values": "value"}
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _fill(element: etree._Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(etree.SubElement(element, key), item)
    elif isinstance(value, list):
        name = NESTED_ITEMS.get(element.tag, "item")
        for item in value:
            _fill(etree.SubElement(element, name), item)
    else:
        element.text = _text(value)


def to_xml(document: str, value: Any) -> bytes:
    """``document`` is a key of ``DOCUMENTS`` (a list) or the root name of a single object."""
    if document in DOCUMENTS:
        root_name, item_name = DOCUMENTS[document]
        root = etree.Element(root_name)
        for item in value:
            _fill(etree.SubElement(root, item_name), item)
    else:
        root = etree.Element(document)
        _fill(root, value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def respond(fmt: str, document: str, value: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(document, value), status=status, content_type=f"{XML_TYPE}; charset=utf-8"
        )
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, content_type=JSON_TYPE)


def errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    """The standard error document: one ``{code, description}`` per problem."""
    listed = [{"code": status, "description": description} for description in descriptions]
    return respond(fmt, "errors", listed, status)
