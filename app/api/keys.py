"""Issuing, checking and revoking API keys.

A key is shown once, when it is issued; afterwards only its hash and its first characters
exist. Revoking keeps the row (and so the audit trail and the petitions' ``api_client`` detail
keep pointing at something) and makes the key fail at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.models import KEY_PREFIX_LENGTH, ApiClient
from app.audit import Action, audit
from app.db import utcnow

# Longer strings are not keys: refuse them before hashing anything.
MAX_KEY_LENGTH = 200


class ApiClientNotFound(LookupError):
    """No API client has this id."""


@dataclass(frozen=True)
class IssuedKey:
    client: ApiClient
    key: str  # the only time the key exists in clear


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiClientService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self) -> Sequence[ApiClient]:
        """Active clients first, then revoked ones, each by name."""
        query = select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.name)
        return self.session.scalars(query).all()

    def get(self, client_id: int) -> ApiClient:
        client = self.session.get(ApiClient, client_id)
        if client is None:
            raise ApiClientNotFound(client_id)
        return client

    def issue(self, name: str, contact_email: str, created_by: int | None) -> IssuedKey:
        """A new client with a fresh key (256 random bits), audited in the caller's transaction."""
        key = secrets.token_urlsafe(32)
        client = ApiClient(
            name=name.strip(),
            contact_email=contact_email.strip().lower(),
            key_hash=hash_key(key),
            key_prefix=key[:KEY_PREFIX_LENGTH],
            created_by=created_by,
            created_at=utcnow(),
        )
        self.session.add(client)
        self.session.flush()
        audit(
            Action.API_CLIENT_ISSUED,
            target=f"api-client:{client.id}",
            name=client.name,
            key_prefix=client.key_prefix,
        )
        return IssuedKey(client, key)

    def revoke(self, client_id: int) -> ApiClient:
        """Stop the client's key from working; revoking twice changes nothing."""
        client = self.get(client_id)
        if client.revoked_at is None:
            client.revoked_at = utcnow()
            audit(
                Action.API_CLIENT_REVOKED,
                target=f"api-client:{client.id}",
                name=client.name,
                key_prefix=client.key_prefix,
            )
        return client

    def authenticate(self, key: str | None) -> ApiClient | None:
        """The active client holding ``key`` (its ``last_used_at`` updated), else None.

        Looking the hash up by equality leaks nothing useful through timing: an attacker who
        learns how a stored hash starts still has to find a key that hashes to it.
        """
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
        client = self.session.scalar(select(ApiClient).where(ApiClient.key_hash == hash_key(key)))
        if client is None or client.revoked_at is not None:
            return None
        client.last_used_at = utcnow()
        return client
