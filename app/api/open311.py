"""Open311 GeoReport v2 over petitions: services, service definitions, requests.

Every petition type except corruption reports is a service (``service_code`` = the type). A
request posted here becomes a petition through ``PetitionService.submit`` with the type's start
form, exactly as on the web, on the ``open311`` channel; the citizen is reached by e-mail.
Corruption reports are not offered: they are neither listed, nor accepted, nor shown, so not even
their existence leaks through this public interface.

The service returns plain dicts and lists in the shape of the GeoReport v2 JSON documents;
``app.api.formats`` writes them as JSON or XML. Errors are ``Open311Error`` (HTTP status and the
list of descriptions of the standard error document).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.api import attributes
from app.api.attributes import Choice
from app.api.models import ApiClient
from app.engine.types import InvalidTaskData
from app.org.models import Body
from app.org.services import BodyService
from app.petitions import labels
from app.petitions.models import Channel, Petition, PetitionType, Status
from app.petitions.services import PetitionService, start_form_name

NOT_OFFERED = frozenset({PetitionType.CORRUPTION.value})
# Names of the one service group, in the three languages of the interface.
GROUP = {"ar": "مطالب المواطنين", "fr": "Requêtes des citoyens", "en": "Citizen petitions"}
# Limits of the core POST fields (GeoReport v2 leaves them to the endpoint).
MAX_ADDRESS = 300
MAX_NAME = 100
MAX_PHONE = 32
MAX_URL = 500
MAX_IDS = 100
# W3C date-time as GeoReport v2 asks for (2010-01-01T00:00:00Z; RFC 3339 also allows "t", "z"
# and a space), or a plain date.
W3C_DATETIME = re.compile(
    r"^(\d{4})-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?\Z"
)
# Dates far outside what Python (and the tables) hold are clamped, not refused: "since year 0"
# is a valid way to ask for everything.
EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 30, tzinfo=timezone.utc)


class Open311Error(Exception):
    """A request the endpoint refuses: ``status`` (400, 403, 404) and one description per problem."""

    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


@dataclass(frozen=True)
class Open311Settings:
    service_codes: tuple[str, ...]
    publish_descriptions: bool
    max_requests: int
    default_days: int


@dataclass(frozen=True)
class RequestFilters:
    """The GET requests filters, already checked (``Open311Service.filters`` builds them)."""

    ids: tuple[str, ...] | None = None  # when given (even empty), only these
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def type_label(table: Mapping[str, Any], code: str, locale: str) -> str | None:
    """``table[code]`` (a lazy label of ``app.petitions.labels``) in ``locale``, if there is one."""
    if code not in table:
        return None
    with force_locale(locale):
        return str(table[code])


def _w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def _parse_moment(name: str, raw: str) -> datetime:
    match = W3C_DATETIME.match(raw)
    if match is None:
        raise Open311Error(400, [f"{name}: use the W3C format, e.g. 2026-01-01T00:00:00Z."])
    text = re.sub(r"[Zz]$", "+00:00", raw[:10] + "T" + raw[11:] if len(raw) > 10 else raw)
    text = re.sub(r"(T\d{2}:\d{2}):60", r"\1:59", text)  # a leap second: the second before
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        if int(match.group(1)) == 0:
            return EARLIEST
        raise Open311Error(400, [f"{name}: this is not a valid date and time."]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return min(max(moment.astimezone(timezone.utc), EARLIEST), LATEST)
    except OverflowError:
        return EARLIEST if moment.year < 5000 else LATEST


def _coordinate(
    form: Mapping[str, str], name: str, limit: float, errors: list[str]
) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        errors.append(f"{name}: give a number between -{limit:g} and {limit:g} (WGS84 degrees).")
        return None
    return value


def _text(form: Mapping[str, str], name: str, limit: int, errors: list[str]) -> str | None:
    value = " ".join((form.get(name) or "").split())
    if len(value) > limit:
        errors.append(f"{name}: use at most {limit} characters.")
    return value or None


class Open311Service:
    def __init__(
        self, session: Session, petitions: PetitionService, settings: Open311Settings
    ) -> None:
        self.session = session
        self.petitions = petitions
        self.forms = petitions.engine.runtime.forms
        self.settings = settings

    # Services --------------------------------------------------------------------------------
    @property
    def service_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.settings.service_codes if code not in NOT_OFFERED)

    def _schema(self, code: str) -> dict[str, Any]:
        return self.forms.schema(start_form_name(code))

    def _check_code(self, code: str | None) -> str:
        if not code:
            raise Open311Error(400, ["service_code: this field is required."])
        if code not in self.service_codes:
            raise Open311Error(400, [f"service_code: '{code}' is not a service of this endpoint."])
        return code

    def service_name(self, code: str, locale: str) -> str:
        """The type's label, as the site names it (else the start form's title)."""
        return (
            type_label(labels.TYPES, code, locale)
            or attributes.localized(self._schema(code), "title", locale)
            or code
        )

    def service_description(self, code: str, locale: str) -> str:
        return (
            type_label(labels.TYPE_DESCRIPTIONS, code, locale)
            or attributes.localized(self._schema(code), "description", locale)
            or ""
        )

    def services(self, locale: str) -> list[dict[str, Any]]:
        found = []
        for code in self.service_codes:
            schema = self._schema(code)
            titles = schema.get("x-title", {})
            keywords = [
                code,
                *(titles.get(lang) for lang in ("ar", "fr", "en") if titles.get(lang)),
            ]
            found.append(
                {
                    "service_code": code,
                    "service_name": self.service_name(code, locale),
                    "description": self.service_description(code, locale),
                    "metadata": True,
                    "type": "realtime",
                    "keywords": ", ".join(dict.fromkeys(keywords)),
                    "group": GROUP.get(locale, GROUP["en"]),
                }
            )
        return found

    def choices(self, locale: str) -> dict[str, list[Choice]]:
        """Options of start-form fields known only at run time: the active public bodies."""
        bodies = BodyService(self.session).list()
        return {"target_body": [Choice(body.code, body.display_name(locale)) for body in bodies]}

    def definition(self, code: str, locale: str) -> dict[str, Any]:
        code = self._check_code(code)
        schema = self._schema(code)
        return {
            "service_code": code,
            "attributes": attributes.attributes(schema, locale, self.choices(locale)),
        }

    # Creating requests -----------------------------------------------------------------------
    def submit(self, form: MultiDict[str, str], client: ApiClient, locale: str) -> dict[str, Any]:
        """Create the petition of a POST (the caller checked the key and commits)."""
        code = self._check_code(form.get("service_code"))
        schema = self._schema(code)
        # No text column takes a NUL (PostgreSQL refuses it): name the fields instead of failing.
        nul = sorted({name for name, value in form.items(multi=True) if "\x00" in name + value})
        if nul:
            raise Open311Error(400, [f"{name!r}: contains a NUL character." for name in nul])
        errors: list[str] = []
        email = self._email(form.get("email"), errors)
        lat = _coordinate(form, "lat", 90, errors)
        long = _coordinate(form, "long", 180, errors)
        if (lat is None) != (long is None) and not any(
            e.startswith(("lat", "long")) for e in errors
        ):
            errors.append("lat, long: give both coordinates or neither.")
        contact = {
            "address": _text(form, "address_string", MAX_ADDRESS, errors),
            "contact_first_name": _text(form, "first_name", MAX_NAME, errors),
            "contact_last_name": _text(form, "last_name", MAX_NAME, errors),
            "contact_phone": _text(form, "phone", MAX_PHONE, errors),
            "media_url": self._media_url(form, errors),
        }
        data, attribute_errors = attributes.parse(schema, form)
        errors += [f"{param}: {message}" for param, message in attribute_errors.items()]
        if errors:
            # Report the form's problems too, so a client fixes everything in one round.
            form_errors = self.forms.errors(start_form_name(code), data)
            raise Open311Error(400, errors + self._describe(form_errors))
        try:
            submission = self.petitions.submit(
                code, data, [], citizen_id=None, contact_email=email, channel=Channel.OPEN311
            )
        except InvalidTaskData as error:
            raise Open311Error(400, self._describe(error.errors)) from None
        petition = submission.petition
        details = json.loads(petition.details or "{}")
        located = {"lat": lat, "long": long, **contact, "api_client": client.name}
        details.update({key: value for key, value in located.items() if value is not None})
        petition.details = json.dumps(details, ensure_ascii=False)
        self.session.flush()
        return {
            "service_request_id": petition.tracking_number,
            "service_notice": self._notice(petition, locale),
            "account_id": None,
        }

    def _email(self, raw: str | None, errors: list[str]) -> str | None:
        raw = (raw or "").strip()
        if not raw:
            errors.append("email: this field is required (the citizen is answered by e-mail).")
            return None
        try:
            if len(raw) > 254:
                raise EmailNotValidError("too long")
            return validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append("email: enter a valid e-mail address.")
            return None

    def _media_url(self, form: Mapping[str, str], errors: list[str]) -> str | None:
        url = (form.get("media_url") or "").strip()
        if url and (len(url) > MAX_URL or not re.match(r"^https?://[^\s/]+\S*$", url)):
            errors.append(f"media_url: give an http(s) URL of at most {MAX_URL} characters.")
            return None
        return url or None

    @staticmethod
    def _describe(errors: Mapping[str, str]) -> list[str]:
        return [f"{attributes.param_name(field)}: {message}" for field, message in errors.items()]

    def _notice(self, petition: Petition, locale: str) -> str:
        agency = self._agencies(locale).get(petition.current_office, petition.current_office)
        with force_locale(locale):
            if petition.response_due_at is None:
                return str(_("Received by %(agency)s.", agency=agency))
            return str(
                _(
                    "Received by %(agency)s. An answer is due by %(date)s; it will be sent by e-mail.",
                    agency=agency,
                    date=petition.response_due_at.date().isoformat(),
                )
            )

    # Reading requests ------------------------------------------------------------------------
    def filters(self, args: Mapping[str, str]) -> RequestFilters:
        """Check the GET filters. ``service_request_id`` overrides the others (as the spec says),
        which are still checked: a client sending a bad one hears about it."""
        codes = self._list(args, "service_code", self.service_codes)
        statuses = self._list(args, "status", ("open", "closed"))
        start = _parse_moment("start_date", args["start_date"]) if "start_date" in args else None
        end = _parse_moment("end_date", args["end_date"]) if "end_date" in args else None
        if args.get("service_request_id"):
            # A NUL cannot be in a tracking number (and PostgreSQL refuses it in a query).
            ids = [
                item.strip().upper()
                for item in args["service_request_id"].split(",")
                if item.strip() and "\x00" not in item
            ]
            if len(ids) > MAX_IDS:
                raise Open311Error(
                    400, [f"service_request_id: ask for at most {MAX_IDS} requests at once."]
                )
            return RequestFilters(ids=tuple(ids))
        if start is None:
            window = timedelta(days=self.settings.default_days)
            start = max(end or datetime.now(timezone.utc), EARLIEST + window) - window
        return RequestFilters(service_codes=codes, start=start, end=end, statuses=statuses)

    @staticmethod
    def _list(args: Mapping[str, str], name: str, allowed: Iterable[str]) -> tuple[str, ...]:
        raw = args.get(name)
        if raw is None or raw == "":
            return ()
        # One trailing newline passes, as with the pattern "$" the OpenAPI document gives.
        items = raw.removesuffix("\n").split(",")
        unknown = [item for item in items if item not in allowed]
        if unknown:
            raise Open311Error(400, [f"{name}: '{unknown[0]}' is not one of {', '.join(allowed)}."])
        return tuple(dict.fromkeys(items))

    def requests(self, filters: RequestFilters, locale: str) -> list[dict[str, Any]]:
        query = select(Petition).where(
            Petition.type.in_(self.service_codes), Petition.tracking_number.is_not(None)
        )
        if filters.ids is not None:
            query = query.where(Petition.tracking_number.in_(filters.ids))
        else:
            if filters.service_codes:
                query = query.where(Petition.type.in_(filters.service_codes))
            if filters.start is not None:
                query = query.where(Petition.created_at >= filters.start)
            if filters.end is not None:
                query = query.where(Petition.created_at <= filters.end)
            if len(filters.statuses) == 1:
                final = [s.value for s in Status if s.is_final]
                status = Petition.status.in_(final)
                query = query.where(status if filters.statuses[0] == "closed" else ~status)
        query = query.order_by(Petition.created_at.desc(), Petition.id.desc()).limit(
            self.settings.max_requests
        )
        agencies = self._agencies(locale)
        with force_locale(locale):
            notes = {status: str(label) for status, label in labels.STATUSES.items()}
        names = {code: self.service_name(code, locale) for code in self.service_codes}
        return [
            self._public(petition, agencies, notes, names)
            for petition in self.session.scalars(query)
        ]

    def request(self, service_request_id: str, locale: str) -> dict[str, Any]:
        wanted = service_request_id.strip().upper()
        found = self.requests(RequestFilters(ids=(wanted,)), locale) if "\x00" not in wanted else []
        if not found:
            raise Open311Error(404, [f"service_request_id: no request '{service_request_id}'."])
        return found[0]

    def _agencies(self, locale: str) -> dict[str, str]:
        return {body.code: body.display_name(locale) for body in self.session.scalars(select(Body))}

    def _public(
        self,
        petition: Petition,
        agencies: Mapping[str, str],
        notes: Mapping[str, str],
        names: Mapping[str, str],
    ) -> dict[str, Any]:
        """Only what anyone may read: no contact, no answer, no internal note (the spec's fields)."""
        details = json.loads(petition.details or "{}")
        office = petition.competent_body or petition.current_office
        return {
            "service_request_id": petition.tracking_number,
            "status": "closed" if Status(petition.status).is_final else "open",
            "status_notes": notes.get(petition.status, petition.status),
            "service_name": names[petition.type],
            "service_code": petition.type,
            "description": petition.description if self.settings.publish_descriptions else None,
            "agency_responsible": agencies.get(office, office),
            "service_notice": None,
            "requested_datetime": _w3c(petition.created_at),
            "updated_datetime": _w3c(petition.updated_at),
            "expected_datetime": _w3c(petition.response_due_at),
            "address": details.get("address"),
            "address_id": None,
            "zipcode": None,
            "lat": details.get("lat"),
            "long": details.get("long"),
            "media_url": details.get("media_url"),
        }
