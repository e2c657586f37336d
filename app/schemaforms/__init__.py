"""HTML forms from JSON Schemas: the same schema file drives the browser form and the server check.

``fields()`` turns a schema into field descriptions for the template macro; ``parse()`` turns a
submitted form back into typed JSON for validation. The server never trusts the browser: the
engine validates the parsed data against the schema again (``FormRegistry.errors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from app.engine.forms import FormMessage

TEXTAREA_FROM = 300  # strings allowed to be longer than this get a textarea


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str  # text, textarea, select, radio, checkbox, number, date, email, tel
    required: bool
    help: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: str | None = None


def _localized(spec: dict[str, Any], key: str, locale: str, fallback: str | None) -> str | None:
    translations = spec.get(f"x-{key}")
    if isinstance(translations, dict) and translations.get(locale):
        return str(translations[locale])
    value = spec.get(key)
    return str(value) if value is not None else fallback


def _options(spec: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    titles = spec.get("x-enumTitles", {})
    options = []
    for value in spec.get("enum", []):
        title = titles.get(str(value), {})
        label = title.get(locale) or title.get("en") if isinstance(title, dict) else None
        options.append((str(value), label or str(value).replace("_", " ").capitalize()))
    for choice in spec.get("oneOf", []):
        if "const" in choice:
            options.append((str(choice["const"]), _localized(choice, "title", locale, str(choice["const"])) or ""))
    return options


def _widget(spec: dict[str, Any]) -> str:
    kind = spec.get("type")
    if "x-widget" in spec:
        return str(spec["x-widget"])
    if "enum" in spec or "oneOf" in spec:
        return "radio" if len(spec.get("enum", spec.get("oneOf", []))) <= 4 else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if spec.get("format") == "date":
        return "date"
    if spec.get("format") == "email":
        return "email"
    if spec.get("maxLength", TEXTAREA_FROM + 1) > TEXTAREA_FROM:
        return "textarea"
    return "text"


def fields(
    schema: dict[str, Any],
    locale: str = "en",
    choices: dict[str, list[tuple[str, str]]] | None = None,
) -> list[Field]:
    """The form's fields in schema order.

    ``choices`` supplies options known only at run time (e.g. the active public bodies for a
    ``target_body`` field); such a field becomes a select list.
    """
    required = set(schema.get("required", []))
    choices = choices or {}
    found = []
    for name, spec in schema.get("properties", {}).items():
        if spec.get("readOnly"):
            continue
        options = choices.get(name)
        found.append(
            Field(
                name=name,
                label=_localized(spec, "title", locale, name.replace("_", " ").capitalize()) or name,
                widget="select" if options is not None else _widget(spec),
                required=name in required,
                help=_localized(spec, "description", locale, None),
                options=options if options is not None else _options(spec, locale),
                max_length=spec.get("maxLength"),
                minimum=spec.get("minimum"),
                maximum=spec.get("maximum"),
                step="1" if spec.get("type") == "integer" else ("any" if spec.get("type") == "number" else None),
            )
        )
    return found


def _convert(spec: dict[str, Any], raw: str) -> Any:
    kind = spec.get("type")
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw  # left as text: the schema check reports "not of type integer"
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def parse(schema: dict[str, Any], form: MultiDict[str, str]) -> dict[str, Any]:
    """Typed data from a submitted form; empty optional fields are left out, not sent as ''."""
    data: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        if spec.get("readOnly"):
            continue
        if spec.get("type") == "boolean":
            data[name] = form.get(name) in ("on", "true", "1", "yes")
            continue
        raw = form.get(name, "").replace("\r\n", "\n").strip()
        if raw == "":
            continue
        data[name] = _convert(spec, raw)
    return data


def localized_errors(errors: dict[str, str]) -> dict[str, str]:
    """``errors`` in the reader's language.

    The engine words its validation messages in English and marks them with ``N_``
    (``app.engine.forms.FormMessage``: the English template and its parameters), so they are in
    the catalogs; they are translated here. Other messages were translated where they were
    made, and pass through unchanged.
    """
    localized = {}
    for name, message in errors.items():
        if isinstance(message, FormMessage):
            localized[name] = gettext(message.template, **message.params)
        else:
            localized[name] = message
    return localized
