"""API fixtures: the default diagrams and demo bodies, API keys, petitions from other channels,
and HTTP clients that reach the app in process through ``requests``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.api.models import ApiClient
from app.db import get_session, utcnow
from app.org.models import Body
from app.petitions import petition_service
from app.petitions.models import Channel, Petition
from tests.api.open311_client import Open311Client, wsgi_session

# requests-wsgi-adapter 0.4.1 calls datetime.utcnow(), deprecated from Python 3.12 on.
WSGI_ADAPTER_WARNING = "ignore:datetime.datetime.utcnow:DeprecationWarning:wsgiadapter"


@pytest.fixture(autouse=True)
def _publish_descriptions(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec's full records; the default (withheld) has its own test."""
    monkeypatch.setitem(app.config, "OPEN311_PUBLISH_DESCRIPTIONS", True)




@pytest.fixture
def make_key(session: Session) -> Callable[..., tuple[ApiClient, str]]:
    """``make_key(name, revoked=False)`` → a stored client and its key in clear."""

    def make(name: str = "Sfax city app", revoked: bool = False) -> tuple[ApiClient, str]:
        key = secrets.token_urlsafe(32)
        client = ApiClient(
            name=name,
            contact_email="dev@sfax.example",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            key_prefix=key[:8],
            revoked_at=utcnow() if revoked else None,
        )
        session.add(client)
        session.commit()
        return client, key

    return make


@pytest.fixture
def api_key(make_key: Callable[..., tuple[ApiClient, str]]) -> str:
    return make_key()[1]


@pytest.fixture
def http(app: Flask) -> requests.Session:
    return wsgi_session(app)


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open311(http: requests.Session, fmt: str) -> Open311Client:
    """The hand-written GeoReport v2 client, once per format."""
    return Open311Client(http, fmt)


@pytest.fixture
def other_channel(app: Flask, portal: dict[str, Body]) -> Callable[..., str]:
    """``other_channel(type, **fields)`` → tracking number of a petition that did not come through
    Open311 (an agent at a counter), or of an anonymous corruption report."""

    def make(
        petition_type: str = "complaint",
        email: str = "counter@example.org",
        channel: Channel = Channel.COUNTER,
        **fields: Any,
    ) -> str:
        data = {"subject": "Counter petition", "description": "Given at the counter.", **fields}
        if petition_type == "corruption":
            data = {"subject": "Bribe asked", "facts": "The clerk asked for 50 dinars.", **fields}
        with app.test_request_context():
            submission = petition_service().submit(
                petition_type, data, [], citizen_id=None, contact_email=email, channel=channel
            )
            get_session().commit()
            return str(submission.petition.tracking_number)

    return make


@pytest.fixture
def set_petition(session: Session) -> Callable[..., None]:
    """Change a petition's columns directly (dates, status) to set up a filter case."""

    def change(tracking_number: str, **values: Any) -> None:
        session.execute(
            update(Petition).where(Petition.tracking_number == tracking_number).values(**values)
        )
        session.commit()

    return change


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def label(app: Flask, table: dict[str, Any], code: str, language: str) -> str:
    """What the site calls ``code`` in ``language`` (``app.petitions.labels``, as translated by
    the compiled catalogs): the API must say the same."""
    with app.test_request_context(), force_locale(language):
        return str(table[code])
