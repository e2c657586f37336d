"""Reading the parts of a request that the portal and the office intake pages share."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _

from app import schemaforms
from app.db import get_session
from app.engine.types import InvalidTaskData
from app.i18n import current_language
from app.org.services import BodyService
from app.petitions.services import PetitionService, UploadedFile, start_form_name


def body_choices() -> list[tuple[str, str]]:
    """Active bodies as (code, name in the page's language), for selects."""
    locale = current_language()
    return [(b.code, b.display_name(locale)) for b in BodyService(get_session()).list()]


def uploaded_files() -> list[UploadedFile]:
    """The ``attachments`` of the form (their content is checked when stored)."""
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > current_app.config["MAX_ATTACHMENTS"]:
        raise InvalidTaskData({"attachments": _("Attach at most %(n)d files.", n=current_app.config["MAX_ATTACHMENTS"])})
    return [UploadedFile(f.stream, f.filename or "") for f in files]


def start_schema(service: PetitionService, petition_type: str) -> dict[str, Any]:
    """The start form's JSON Schema, which the server validates against."""
    schema: dict[str, Any] = service.engine.runtime.forms.schema(start_form_name(petition_type))
    return schema


def start_fields(schema: dict[str, Any]) -> list[schemaforms.Field]:
    """The start form's fields in the page's language (bodies as choices): built only when the
    form is shown, not for a POST that succeeds."""
    choices = {"target_body": body_choices()} if "target_body" in schema.get("properties", {}) else {}
    return schemaforms.fields(schema, current_language(), choices)
