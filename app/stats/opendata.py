"""Open data: the dashboard's aggregates as CSV and JSON, and the anonymised petition list.

The aggregate CSV is long-form (``section,key,value``), one line per number, so any
spreadsheet or script reads it without knowing the dashboard's layout. The JSON is
``Summary.as_dict()`` plus the filters it was computed with and the time of the summary's last
refresh (``figures_as_of``, ISO 8601 UTC; the CSV has it as its first line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from app.stats.services import StatsFilters, Summary

PETITION_COLUMNS = (
    "tracking_number",
    "type",
    "channel",
    "body",
    "status",
    "created_month",
    "answered_on",
    "closed_on",
    "working_days_to_answer",
    "within_deadline",
    "rating",
)
SERIES = ("received_by_month", "closed_by_month", "by_type", "by_body", "by_channel")


def summary_json(summary: Summary, filters: StatsFilters) -> dict[str, Any]:
    return {"filters": filters.as_query(), "figures_as_of": _as_of(summary), **summary.as_dict()}


def _as_of(summary: Summary) -> str | None:
    return None if summary.figures_as_of is None else summary.figures_as_of.isoformat()


def summary_rows(summary: Summary) -> Iterator[tuple[str, str, Any]]:
    """``(section, key, value)`` for every number of ``summary``."""
    yield "summary", "figures_as_of", _cell(_as_of(summary))
    data = summary.as_dict()
    for name, value in data.items():
        if name in SERIES:
            continue
        if isinstance(value, dict):
            for key, number in value.items():
                yield "answer_working_days", key, _cell(number)
        else:
            yield "summary", name, _cell(value)
    for name in SERIES:
        for key, number in data[name].items():
            yield name, key, number


def _cell(value: Any) -> Any:
    return "" if value is None else value


def summary_csv(summary: Summary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "value"))
    writer.writerows(summary_rows(summary))
    return buffer.getvalue()


def petitions_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The anonymised petition list, streamed a chunk of lines at a time."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PETITION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
