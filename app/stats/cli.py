"""``flask epeople stats-refresh``: bring the statistics summary up to date now."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app

from app.cli import epeople
from app.db import Database, database
from app.stats.refresh import RefreshResult, StatsRefresher


def refresh_statistics(app: Flask, db: Database, full: bool = False) -> RefreshResult:
    """One refresh in a session of its own (the worker and the command share this)."""
    with db.session() as session:
        refresher = StatsRefresher(
            session,
            app.config["CORRUPTION_UNIT"],
            lookback=timedelta(seconds=app.config["STATS_REFRESH_LOOKBACK_SECONDS"]),
        )
        return refresher.refresh(full=full)


def load_demo_summary() -> str:
    """``init-db --demo`` loader: the summary of the demo petitions."""
    return f"statistics: {refresh_statistics(current_app, database(), full=True)}"


@epeople.command("stats-refresh")
@click.option("--full", is_flag=True, help="Recompute every month, not only the changed ones.")
def stats_refresh_command(full: bool) -> None:
    """Recompute the statistics summary for the months whose petitions changed since the last
    refresh (every month with --full, or when the holidays changed)."""
    click.echo(str(refresh_statistics(current_app, database(), full=full)))
