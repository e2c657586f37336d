"""Settings: environment overrides, and production refusing to start insecurely."""

import pytest

import config
from app import create_app


def test_environment_variables_override_defaults_with_json_values():
    settings = config.load("development", {
        "EPEOPLE_TIMER_BATCH_SIZE": "500", "EPEOPLE_RESPONSE_WORKING_DAYS": '{"complaint": 7}',
        "DATABASE_URL": "postgresql+psycopg://db/epeople", "EPEOPLE_CENTRAL_OFFICE": "bcrc-tn",
    })
    assert settings["TIMER_BATCH_SIZE"] == 500
    assert settings["RESPONSE_WORKING_DAYS"] == {"complaint": 7}
    assert settings["DATABASE_URL"] == "postgresql+psycopg://db/epeople"
    assert settings["CENTRAL_OFFICE"] == "bcrc-tn"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("EPEOPLE_SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY"):
        create_app({"ENVIRONMENT": "production"})
    settings = config.load("production", {"SECRET_KEY": "s" * 40})
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["DEBUG"] is False


def test_unknown_environment_is_refused():
    with pytest.raises(config.ConfigurationError):
        config.load("staging", {})
