"""Sign-in with a national e-ID through an OpenID Connect provider.

Authlib runs the protocol: discovery from ``OIDC_ISSUER``, the authorization code flow with
PKCE (S256), ``state`` and ``nonce`` kept in the session and checked on return, and the
id_token's signature (provider's JWKS), issuer, audience, expiry and nonce validated. This
module decides which account the person gets (``OidcAccounts.sign_in``):

1. an (issuer, subject) already linked → that account;
2. else the account with the national ID number of the claim ``OIDC_NATIONAL_ID_CLAIM``;
3. else the account with the e-mail address, only when the provider says ``email_verified``
   (an unverified address would let anyone take over the account of that address);
4. else a new citizen account (password sign-in stays possible after a password reset).

Only citizen accounts are linked: staff sign in with their password. Disabled while
``OIDC_ISSUER`` is empty: no button, and the routes answer 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import Action
from app.auth.errors import AuthError, InvalidAccountData
from app.auth.models import OidcLink, Role, User
from app.auth.passwords import Passwords
from app.auth.privacy import citizen_event
from app.auth.validation import clean_email, clean_name, clean_national_id
from app.i18n import current_language

PROVIDER = "eid"


class OidcRefused(AuthError):
    """The provider's answer was valid but gives no account this person may use."""


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def issuer(app: Flask | None = None) -> str:
    return str((app or current_app).config["OIDC_ISSUER"]).rstrip("/")


def client() -> FlaskOAuth2App:
    """The Authlib client for the configured provider (one per configuration, so changing the
    settings, as tests do, never reuses another provider's metadata or keys)."""
    config = current_app.config
    key = (issuer(), config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"], config["OIDC_SCOPE"])
    clients: dict[tuple[str, ...], FlaskOAuth2App] = current_app.extensions.setdefault("oidc_clients", {})
    if key not in clients:
        registry = OAuth(current_app)
        clients[key] = registry.register(
            PROVIDER,
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=issuer() + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": config["OIDC_SCOPE"], "code_challenge_method": "S256",
                "default_timeout": config["OIDC_TIMEOUT"],
            },
        )
    return clients[key]


class OidcAccounts:
    def __init__(self, session: Session, passwords: Passwords, national_id_claim: str) -> None:
        self.session = session
        self.passwords = passwords
        self.national_id_claim = national_id_claim

    def sign_in(self, issuer: str, claims: dict[str, Any]) -> User:
        """The account for validated id_token ``claims`` (see the module docstring); links it
        to (issuer, subject) the first time, audited. The caller commits."""
        subject = str(claims.get("sub") or "")
        if not subject or claims.get("iss") != issuer:
            raise OidcRefused(_l("The identity provider's answer could not be used."))
        link = self.session.scalar(select(OidcLink).where(OidcLink.issuer == issuer, OidcLink.subject == subject))
        if link is not None:
            return self._usable(self.session.get(User, link.user_id))
        national_id = self._national_id(claims)
        user, how = None, ""
        if national_id:
            user, how = self.session.scalar(select(User).where(User.national_id == national_id)), "national_id"
        email = self._email(claims)
        if user is None and email:
            existing = self.session.scalar(select(User).where(User.email == email))
            if existing is not None and claims.get("email_verified") is not True:
                raise OidcRefused(_l(
                    "An account already uses this e-mail address, and the identity provider has not "
                    "verified it. Log in with your password instead."
                ))
            user, how = existing, "email"
        if user is None:
            user = self._create(claims, email, national_id)
            citizen_event(self.session, Action.ACCOUNT_OIDC_CREATED, user.id, f"user:{user.id}", issuer=issuer)
        else:
            self._usable(user)
            citizen_event(self.session, Action.ACCOUNT_OIDC_LINKED, user.id, f"user:{user.id}", issuer=issuer, by=how)
        self.session.add(OidcLink(user_id=user.id, issuer=issuer, subject=subject))
        return user

    @staticmethod
    def _usable(user: User | None) -> User:
        if user is None or not user.is_active or user.role is not Role.CITIZEN:
            raise OidcRefused(_l("This identity cannot be used to sign in here. Log in with your password."))
        return user

    def _national_id(self, claims: dict[str, Any]) -> str | None:
        try:
            return clean_national_id(str(claims.get(self.national_id_claim) or ""))
        except InvalidAccountData:
            return None

    @staticmethod
    def _email(claims: dict[str, Any]) -> str | None:
        try:
            return clean_email(str(claims.get("email") or "")) if claims.get("email") else None
        except InvalidAccountData:
            return None

    def _create(self, claims: dict[str, Any], email: str | None, national_id: str | None) -> User:
        if email is None:
            raise OidcRefused(_l("The identity provider gave no e-mail address: register with a password instead."))
        try:
            name = clean_name(str(claims.get("name") or email.split("@", 1)[0]))
        except InvalidAccountData:
            name = email.split("@", 1)[0]
        user = User(
            email=email, full_name=name, national_id=national_id, role=Role.CITIZEN, is_active=True,
            preferred_language=current_language(),
            # Unknown to anyone: the person signs in through the provider, or resets it.
            password_hash=self.passwords.hash(secrets.token_urlsafe(32)),
        )
        self.session.add(user)
        self.session.flush()
        return user
