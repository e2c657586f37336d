"""Cross-cutting protections: security headers on every response and rate limits.

The Content-Security-Policy allows scripts and styles only from this site (no inline code,
no CDN); the editor bundle's build strips the inline styles bpmn-js would otherwise need. Rate
limits protect logins, submissions and the anonymous lookups (tracking number, receipt code)
against guessing; their counters live in memory by default and in Redis in production
(``RATELIMIT_STORAGE_URI``), so several gunicorn workers share them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


F = TypeVar("F", bound=Callable[..., Any])


def _submitted_email() -> str:
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _submitted_api_key() -> str:
    # A hash, not the key: the limiter's storage (Redis in production) must not hold secrets.
    key = request.form.get("api_key", "")
    return "api-key:" + hashlib.sha256(key.encode()).hexdigest()


# What a limit counts per: the client address, the e-mail a login names, the API key used.
RATE_LIMIT_KEYS: dict[str, Callable[[], str]] = {
    "address": get_remote_address,
    "account": _submitted_email,
    "api_key": _submitted_api_key,
}


def rate_limited(setting: str, *, per: str = "address", methods: tuple[str, ...] = ("POST",)) -> Callable[[F], F]:
    """Mark a view as limited by the setting named ``setting`` (e.g. ``"10 per minute"``),
    counted ``per`` one of ``RATE_LIMIT_KEYS``.

    The limit is applied when the app is built (``init_app``), by that app's own Limiter:
    Flask-Limiter keeps its switches on the limiter object, so one shared module-level
    limiter would let one app (a test's) turn limits on or off for every other.
    ``per="account"`` counts per submitted e-mail, so guessing a password from many addresses
    is limited too; ``per="api_key"`` lets a partner's server, which posts for many citizens
    from one address, have its own allowance.
    """
    key_func = RATE_LIMIT_KEYS[per]

    def mark(view: F) -> F:
        limits = [*getattr(view, "_rate_limits", []), (setting, key_func, methods)]
        view._rate_limits = limits  # type: ignore[attr-defined]
        return view

    return mark


def _refuse_nul_characters() -> None:
    """A NUL character has no place in text, and PostgreSQL refuses it mid-transaction (a 500):
    refuse the request at the door instead. The machine API (blueprint ``api``) answers in its
    documented error formats and cleans its input itself."""
    if request.blueprint == "api":
        return
    if any("\x00" in value for value in request.args.values()) or (
        request.method in ("POST", "PUT", "PATCH")
        and any("\x00" in value for value in request.form.values())
    ):
        abort(400, description="text fields must not contain NUL characters")


def init_app(app: Flask) -> None:
    """Call after every blueprint is registered: it wraps the marked views."""
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        for setting, key_func, methods in getattr(view, "_rate_limits", []):
            view = limiter.limit(
                lambda setting=setting: str(app.config[setting]), methods=list(methods), key_func=key_func,
            )(view)
        app.view_functions[endpoint] = view
