"""A real OpenID Connect provider for the tests: ``oidc-provider-mock`` served over HTTP on a
free loopback port, in a thread of the test process.

The mock does not check PKCE, so ``PkceCheck`` (WSGI middleware in front of it) does: it keeps
the ``code_challenge`` of each authorization request with the code the provider issues, and the
token endpoint refuses a code whose ``code_verifier`` does not hash to it (RFC 7636, S256).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock  # its deprecation warnings are ignored in pyproject.toml
import requests
from werkzeug.serving import make_server


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class PkceCheck:
    app: Callable[..., Iterable[bytes]]
    challenges: dict[str, tuple[str, str]] = field(default_factory=dict)
    refused: int = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/oauth2/authorize" and method == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            challenge = (query.get("code_challenge", [""])[0], query.get("code_challenge_method", ["plain"])[0])

            def remember(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
                for name, value in headers:
                    if name.lower() == "location":
                        code = parse_qs(urlsplit(value).query).get("code", [""])[0]
                        if code:
                            self.challenges[code] = challenge
                return start_response(status, headers, *args)

            return self.app(environ, remember)
        if path == "/oauth2/token" and method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = parse_qs(body.decode())
            code, verifier = form.get("code", [""])[0], form.get("code_verifier", [""])[0]
            challenge, method_used = self.challenges.pop(code, ("", ""))
            if not challenge or method_used != "S256" or s256(verifier) != challenge:
                self.refused += 1
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [json.dumps({"error": "invalid_grant", "error_description": "PKCE check failed"}).encode()]
        return self.app(environ, start_response)


@dataclass
class Provider:
    issuer: str
    pkce: PkceCheck

    def set_user(self, subject: str, **claims: Any) -> None:
        requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorize_url: str, subject: str) -> str:
        """The person picks ``subject`` on the provider's page; returns where it sends them back."""
        form = requests.get(authorize_url, timeout=5)
        assert form.status_code == 200, form.text[:500]
        answer = requests.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    pkce = PkceCheck(oidc_provider_mock.app(require_nonce=True))
    server = make_server("localhost", 0, pkce, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://localhost:{server.server_port}", pkce)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
