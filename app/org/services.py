"""Operations on public bodies, for admin views, the CLI, seeding and other domains' services.

Write methods commit: each is one unit of work an administrator asked for, and callers from
the CLI or a view then have nothing to forget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.org.models import Body, BodyKind

CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200


class OrgError(Exception):
    """Base of the errors this package raises; the message is safe to show an administrator."""


class BodyNotFound(OrgError):
    """No body has that code (or id)."""


class InvalidBody(OrgError):
    """The given fields do not make a valid body (bad code, empty name, unknown parent...)."""


class DuplicateBodyCode(InvalidBody):
    """Another body already uses that code; codes are how URLs and seeds name bodies."""


@dataclass(frozen=True)
class BodyData:
    """The editable fields of a body, as forms and the seed file provide them."""

    code: str
    kind: BodyKind | str
    name_en: str
    name_fr: str
    name_ar: str
    parent_code: str | None = None


class BodyService:
    """Lists, creates, edits and deactivates bodies; loads the demo bodies."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list(
        self, *, include_inactive: bool = False, kind: BodyKind | None = None
    ) -> Sequence[Body]:
        """Bodies by kind (central office first, as ``BodyKind`` lists them) then code; inactive
        ones only when asked (the admin list)."""
        kind_order = case({kind: rank for rank, kind in enumerate(BodyKind)}, value=Body.kind)
        query = select(Body).order_by(kind_order, Body.code)
        if not include_inactive:
            query = query.where(Body.is_active.is_(True))
        if kind is not None:
            query = query.where(Body.kind == kind)
        return self.session.scalars(query).all()

    def get(self, body_id: int) -> Body:
        body = self.session.get(Body, body_id)
        if body is None:
            raise BodyNotFound(f"no body with id {body_id}")
        return body

    def get_by_code(self, code: str) -> Body:
        body = self.find_by_code(code)
        if body is None:
            raise BodyNotFound(f"no body with code {code!r}")
        return body

    def find_by_code(self, code: str) -> Body | None:
        return self.session.scalars(select(Body).where(Body.code == code.strip().lower())).first()

    def central_office(self) -> Body:
        """The BCRC: the first active body of kind ``central_office``."""
        body = self.session.scalars(
            select(Body)
            .where(Body.kind == BodyKind.CENTRAL_OFFICE, Body.is_active.is_(True))
            .order_by(Body.id)
        ).first()
        if body is None:
            raise BodyNotFound("no active central office")
        return body

    def create(self, data: BodyData) -> Body:
        body = Body(**self._validated(data, None))
        self.session.add(body)
        self.session.commit()
        return body

    def update(self, body: Body, data: BodyData) -> Body:
        """Edit every field, the code included (it is checked for clashes like on create)."""
        for name, value in self._validated(data, body).items():
            setattr(body, name, value)
        self.session.commit()
        return body

    def deactivate(self, body: Body) -> Body:
        """Hide the body from routing and pickers; its history and staff stay attached."""
        body.is_active = False
        self.session.commit()
        return body

    def activate(self, body: Body) -> Body:
        body.is_active = True
        self.session.commit()
        return body

    def seed(self, path: str | Path) -> int:
        """Create the bodies of a JSON file that do not exist yet; return how many were created.

        Idempotent: bodies are matched by code and existing ones are left as they are, so
        running it again (or after an administrator renamed a body) changes nothing. Parents
        must come before their units in the file.
        """
        created = 0
        for entry in _read_seed(path):
            if self.find_by_code(entry["code"]) is None:
                self.create(
                    BodyData(
                        code=entry["code"],
                        kind=entry["kind"],
                        name_en=entry["name_en"],
                        name_fr=entry["name_fr"],
                        name_ar=entry["name_ar"],
                        parent_code=entry.get("parent"),
                    )
                )
                created += 1
        return created

    def _validated(self, data: BodyData, body: Body | None) -> dict[str, Any]:
        """Every field checked before any is assigned, so a refused edit leaves no half-change."""
        code = _clean_code(data.code)
        other = self.find_by_code(code)
        if other is not None and other is not body:
            raise DuplicateBodyCode(gettext("The code %(code)s is already used.", code=code))
        try:
            kind = BodyKind(data.kind)
        except ValueError:
            raise InvalidBody(gettext("Unknown kind of body: %(kind)s.", kind=data.kind)) from None
        return {
            "code": code,
            "kind": kind,
            "name_en": _clean_name(data.name_en, "English"),
            "name_fr": _clean_name(data.name_fr, "French"),
            "name_ar": _clean_name(data.name_ar, "Arabic"),
            "parent": self._parent(body, data.parent_code),
        }

    def _parent(self, body: Body | None, parent_code: str | None) -> Body | None:
        if not parent_code:
            return None
        parent = self.find_by_code(parent_code)
        if parent is None:
            raise InvalidBody(gettext("No public body has the code %(code)s.", code=parent_code))
        ancestor: Body | None = parent
        while ancestor is not None:
            if body is not None and ancestor is body:
                raise InvalidBody(gettext("A body cannot be part of itself or of a body under it."))
            ancestor = ancestor.parent
        return parent


def _clean_code(code: str) -> str:
    code = code.strip().lower()
    if len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.match(code):
        raise InvalidBody(
            gettext(
                "A code is lower-case letters, digits and single hyphens, at most %(max)d characters.",
                max=CODE_MAX_LENGTH,
            )
        )
    return code


def _clean_name(name: str, language: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        messages = {
            "Arabic": gettext("The name in Arabic must have 1 to %(max)d characters.", max=NAME_MAX_LENGTH),
            "French": gettext("The name in French must have 1 to %(max)d characters.", max=NAME_MAX_LENGTH),
            "English": gettext("The name in English must have 1 to %(max)d characters.", max=NAME_MAX_LENGTH),
        }
        raise InvalidBody(messages[language])
    return name


def _read_seed(path: str | Path) -> list[dict[str, Any]]:
    """The ``bodies`` list of a seed file (an object, so the file can carry a ``note``)."""
    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = document["bodies"]
    return entries
