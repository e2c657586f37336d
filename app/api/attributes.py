"""A start form's JSON Schema seen as Open311 service attributes, and back.

GeoReport v2 lets a service ask for extra fields ("attributes") beyond the core ones; a client
reads them from the service definition and posts them as ``attribute[code]=value``. Each
start-form property becomes one attribute, except ``description``, which is a core field of
every request. Posted values go through ``schemaforms.parse`` as the web form's do, so both
channels are validated by the same schema in the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from app import schemaforms

# Start-form properties that are core Open311 fields rather than attributes.
CORE_FIELDS = frozenset({"description"})
# Strings allowed to be longer than this are "text" (multi-line), shorter ones "string".
TEXT_FROM = schemaforms.TEXTAREA_FROM
DATE_HINT = "YYYY-MM-DD"
ATTRIBUTE_PARAM = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


def localized(spec: dict[str, Any], key: str, locale: str) -> str | None:
    translations = spec.get(f"x-{key}")
    if isinstance(translations, dict) and translations.get(locale):
        return str(translations[locale])
    value = spec.get(key)
    return str(value) if value is not None else None


def datatype(spec: dict[str, Any], has_choices: bool) -> str:
    """The GeoReport v2 datatype of a schema property."""
    kind = spec.get("type")
    if has_choices or "enum" in spec or "oneOf" in spec or kind == "boolean":
        return "singlevaluelist"
    if kind in ("integer", "number"):
        return "number"
    if spec.get("format") in ("date", "date-time"):
        return "datetime"
    if spec.get("maxLength", TEXT_FROM + 1) > TEXT_FROM:
        return "text"
    return "string"


def _values(
    spec: dict[str, Any], locale: str, choices: list[Choice] | None
) -> list[dict[str, str]]:
    if choices is not None:
        return [{"key": c.key, "name": c.name} for c in choices]
    if spec.get("type") == "boolean":
        return [{"key": "true", "name": "true"}, {"key": "false", "name": "false"}]
    titles = spec.get("x-enumTitles", {})
    found = []
    for value in spec.get("enum", []):
        title = titles.get(str(value))
        name = (title.get(locale) or title.get("en")) if isinstance(title, dict) else None
        found.append({"key": str(value), "name": name or str(value)})
    for choice in spec.get("oneOf", []):
        if "const" in choice:
            found.append(
                {
                    "key": str(choice["const"]),
                    "name": localized(choice, "title", locale) or str(choice["const"]),
                }
            )
    return found


def attributes(
    schema: dict[str, Any], locale: str, choices: dict[str, list[Choice]] | None = None
) -> list[dict[str, Any]]:
    """The service definition's ``attributes``, in the form's order (``order`` counts from 1).

    ``choices`` gives the values of properties whose options are only known at run time (the
    active public bodies for ``target_body``): they become single-value lists.
    """
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    choices = {name: values for name, values in (choices or {}).items() if name in properties}
    found: list[dict[str, Any]] = []
    for name, spec in properties.items():
        if name in CORE_FIELDS or spec.get("readOnly"):
            continue
        kind = datatype(spec, name in choices)
        hint = localized(spec, "description", locale) or ""
        if spec.get("format") == "date":
            hint = f"{hint} ({DATE_HINT})".strip()
        attribute: dict[str, Any] = {
            "variable": True,
            "code": name,
            "datatype": kind,
            "required": name in required,
            "datatype_description": hint,
            "order": len(found) + 1,
            "description": localized(spec, "title", locale) or name,
        }
        if kind == "singlevaluelist":
            attribute["values"] = _values(spec, locale, choices.get(name))
        found.append(attribute)
    return found


def _as_date(raw: str) -> str:
    """``2026-03-01T09:30:00Z`` → ``2026-03-01``: a datetime attribute may carry a time."""
    match = re.match(r"^(\d{4}-\d{2}-\d{2})[Tt ]", raw)
    return match.group(1) if match else raw


def parse(
    schema: dict[str, Any], form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed start-form data from an Open311 POST, and the problems with its parameter names.

    Returns ``(data, errors)``; ``errors`` maps the parameter as posted (``attribute[when]``)
    to a message. Unknown attributes are refused rather than dropped, so a client relying on
    an attribute that does not exist (or no longer does) finds out.
    """
    properties = schema.get("properties", {})
    values: MultiDict[str, str] = MultiDict()
    errors: dict[str, str] = {}
    for param in form:
        match = ATTRIBUTE_PARAM.match(param)
        if match is None:
            continue
        code = match.group(1)
        spec = properties.get(code)
        if spec is None or code in CORE_FIELDS or spec.get("readOnly"):
            errors[param] = "This service has no such attribute."
            continue
        raw = form.get(param, "")
        if spec.get("format") == "date":
            raw = _as_date(raw.strip())
        values[code] = raw
    if "description" in properties:
        values["description"] = form.get("description", "")
    return schemaforms.parse(schema, values), errors


def param_name(field: str) -> str:
    """The POST parameter a start-form field travels in (``subject`` → ``attribute[subject]``)."""
    if not field or field in CORE_FIELDS:
        return field or "request"
    return f"attribute[{field.split('.')[0]}]"
