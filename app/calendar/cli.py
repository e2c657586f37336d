"""``flask epeople seed-holidays`` and the ``init-db --demo`` loader for holidays."""

from __future__ import annotations

from datetime import datetime, timezone

import click

from app.calendar.service import CalendarError
from app.cli import epeople
from app.db import get_session


def seed_years(years: list[int]) -> dict[int, int]:
    """Seed Tunisia's fixed-date holidays for ``years`` and commit; returns added per year."""
    from app.calendar import calendar_service

    service = calendar_service()
    added = {year: len(service.seed_tunisia(year)) for year in years}
    get_session().commit()
    return added


def _this_and_next_year() -> list[int]:
    year = datetime.now(timezone.utc).year
    return [year, year + 1]


def load_demo_holidays() -> str:
    """``init-db --demo`` loader: this year's and next year's fixed-date holidays."""
    added = seed_years(_this_and_next_year())
    return "holidays: " + ", ".join(f"{n} added for {year}" for year, n in added.items())


@epeople.command("seed-holidays")
@click.argument("years", nargs=-1, type=int)
def seed_holidays_command(years: tuple[int, ...]) -> None:
    """Add Tunisia's fixed-date public holidays for YEARS (default: this year and next).

    Safe to run again: existing holidays are kept. Islamic holidays move every year; add them
    on the holidays admin page.
    """
    try:
        added = seed_years(list(years) or _this_and_next_year())
    except CalendarError as error:
        raise click.ClickException(str(error)) from None
    for year, count in added.items():
        click.echo(f"{year}: {count} holidays added")
