"""JSON Schema forms of user tasks, read from ``forms/`` and validated on the server.

The browser renders a form from the schema but is never trusted: every submission is checked
here against the same schema before it reaches a workflow.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

FORM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.json$")


class FormError(Exception):
    """A form file is missing, unreadable or not a valid JSON Schema."""


class FormRegistry:
    """Loads each schema once (re-read when the file changes) and validates data against it."""

    def __init__(self, forms_dir: str) -> None:
        self.forms_dir = forms_dir
        self._cache: dict[str, tuple[float, dict[str, Any], Draft202012Validator]] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> str:
        if not FORM_NAME.match(name):
            raise FormError(f"'{name}' is not a valid form file name")
        return os.path.join(self.forms_dir, name)

    def _load(self, name: str) -> tuple[dict[str, Any], Draft202012Validator]:
        path = self.path(name)
        try:
            mtime = os.stat(path).st_mtime
        except FileNotFoundError:
            raise FormError(f"form '{name}' does not exist in forms/") from None
        cached = self._cache.get(name)
        if cached and cached[0] == mtime:
            return cached[1], cached[2]
        try:
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            Draft202012Validator.check_schema(schema)
        except (ValueError, SchemaError) as error:
            raise FormError(f"form '{name}' is not a valid JSON Schema: {error}") from None
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        with self._lock:
            self._cache[name] = (mtime, schema, validator)
        return schema, validator

    def schema(self, name: str) -> dict[str, Any]:
        return self._load(name)[0]

    def check(self, name: str) -> str | None:
        """None when the form exists and is a valid schema, else the reason."""
        try:
            self._load(name)
        except FormError as error:
            return str(error)
        return None

    def errors(self, name: str, data: dict[str, Any]) -> dict[str, str]:
        """Field path (dotted, '' for the whole form) → message, for every problem in ``data``."""
        _schema, validator = self._load(name)
        found: dict[str, str] = {}
        for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
            path = ".".join(str(p) for p in error.absolute_path)
            if error.validator in ("required", "dependentRequired"):
                missing = re.findall(r"'([^']+)' is a (?:required|dependency)", error.message)
                path = ".".join(filter(None, [path, missing[0] if missing else ""]))
            found.setdefault(path, _friendly(error))
        return found


class FormMessage(str):
    """An English message for a person, with what the app needs to translate it.

    The engine stays free of Flask: it says what is wrong in English (``str(message)``), and
    the app looks ``template`` up in its catalogs and fills in ``params``
    (``app.schemaforms.localized_errors``).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any]) -> FormMessage:
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message


def N_(template: str, **params: Any) -> FormMessage:  # noqa: N802 (gettext's "no-op" marker)
    """Mark ``template`` for ``pybabel extract`` (babel.cfg lists ``N_``); translated later."""
    return FormMessage(template, params)


def _friendly(error: Any) -> FormMessage:
    """A message a citizen understands, instead of the validator's technical one."""
    value = error.validator_value
    if error.validator in ("required", "dependentRequired"):
        return N_("This field is required.")
    if error.validator == "maxLength":
        return N_("Use at most %(count)d characters.", count=value)
    if error.validator == "minLength":
        return N_("This field is required.") if value == 1 else N_("Use at least %(count)d characters.", count=value)
    if error.validator in ("enum", "const"):
        return N_("Choose one of the options.")
    if error.validator in ("minimum", "exclusiveMinimum"):
        return N_("Enter a number of at least %(number)s.", number=value)
    if error.validator in ("maximum", "exclusiveMaximum"):
        return N_("Enter a number of at most %(number)s.", number=value)
    if error.validator == "format":
        if value == "date":
            return N_("Enter a date as YYYY-MM-DD.")
        if value == "email":
            return N_("Enter a valid e-mail address.")
        return N_("The format is not valid.")
    if error.validator == "type":
        if value == "integer":
            return N_("Enter a whole number.")
        if value == "number":
            return N_("Enter a number.")
        return N_("The value is not valid.")
    if error.validator == "pattern":
        return N_("The format is not valid.")
    if error.validator == "additionalProperties":
        return N_("The form contains unexpected fields.")
    return N_("The value is not valid.")
