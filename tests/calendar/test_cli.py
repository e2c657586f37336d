"""``flask epeople seed-holidays``."""

from __future__ import annotations

from datetime import date

from flask import Flask

from app.calendar import CalendarService
from app.calendar.cli import load_demo_holidays


def test_seed_holidays_command_adds_each_year_once(app: Flask, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["epeople", "seed-holidays", "2026", "2027"])
    second = runner.invoke(args=["epeople", "seed-holidays", "2026"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == ["2026: 8 holidays added", "2027: 8 holidays added"]
    assert second.output.splitlines() == ["2026: 0 holidays added"]
    assert CalendarService(session).get(date(2027, 12, 17)) is not None


def test_seed_holidays_command_refuses_an_implausible_year(app: Flask):
    result = app.test_cli_runner().invoke(args=["epeople", "seed-holidays", "20260"])
    assert result.exit_code != 0
    assert "not a plausible year" in result.output


def test_demo_loader_seeds_this_year_and_the_next(app: Flask, session):
    assert load_demo_holidays in app.extensions["demo_loaders"]
    with app.app_context():
        message = load_demo_holidays()
    assert message.startswith("holidays: 8 added for ")
    assert len(CalendarService(session).list()) == 16
