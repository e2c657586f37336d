"""Settings for epeople.

``load(environment)`` returns the settings for one environment: ``default`` first, then the
environment's module, then ``EPEOPLE_*`` environment variables (plus the conventional
``DATABASE_URL`` and ``SECRET_KEY``). Values from the environment are parsed as JSON when they
look like JSON, so ``EPEOPLE_RESPONSE_DAYS='{"complaint": 10}'`` works as well as plain strings.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")
UNPREFIXED = ("DATABASE_URL", "SECRET_KEY")


class ConfigurationError(RuntimeError):
    """The settings are unusable; the app refuses to start rather than run insecurely."""


def _module_settings(name: str) -> dict[str, Any]:
    module = importlib.import_module(f"config.{name}")
    return {key: getattr(module, key) for key in dir(module) if key.isupper()}


def _parse(value: str) -> Any:
    if value[:1] in "[{" or value in ("true", "false", "null") or value.lstrip("-").isdigit():
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def environment_overrides(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = dict(os.environ if environ is None else environ)
    overrides = {key: _parse(environ[key]) for key in UNPREFIXED if environ.get(key)}
    for key, value in environ.items():
        if key.startswith("EPEOPLE_") and key != "EPEOPLE_ENV":
            overrides[key.removeprefix("EPEOPLE_")] = _parse(value)
    return overrides


def load(environment: str | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = dict(os.environ if environ is None else environ)
    environment = environment or environ.get("EPEOPLE_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"EPEOPLE_ENV must be one of {', '.join(ENVIRONMENTS)}")
    settings = _module_settings("default")
    settings.update(_module_settings(environment))
    settings.update(environment_overrides(environ))
    settings["ENVIRONMENT"] = environment
    if environment == "production" and not settings.get("SECRET_KEY"):
        raise ConfigurationError("SECRET_KEY must be set in production (EPEOPLE_SECRET_KEY or SECRET_KEY)")
    return settings
