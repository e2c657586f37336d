"""StatsService against the hand-computed fixture of conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.petitions.models import Petition
from app.stats.services import StatsError, StatsFilters, StatsService, weighted_quantile
from tests.stats.conftest import EXPECTED, NOW, UNIT, WORKING_DAYS


@pytest.fixture
def service(session: Session) -> StatsService:
    return StatsService(session, UNIT)


class TestWeightedQuantile:
    def test_median_averages_the_two_middle_values(self) -> None:
        assert weighted_quantile([(1, 1), (4, 1), (2, 1), (10, 1)], 0.5) == 3.0

    def test_counts_weigh_like_repeated_values(self) -> None:
        assert weighted_quantile([(0, 1), (2, 3), (9, 1)], 0.5) == 2
        assert weighted_quantile([(0, 1), (1, 1), (2, 2), (3, 1), (8, 2), (9, 1), (10, 1)], 0.9) == pytest.approx(9.2)

    def test_is_none_without_values(self) -> None:
        assert weighted_quantile([], 0.5) is None


def test_summary_matches_the_hand_computed_numbers(service: StatsService, petitions: dict[str, Petition]) -> None:
    data = service.summary(StatsFilters(), now=NOW).as_dict()
    assert data == EXPECTED


def test_summary_lists_overdue_petitions_by_body(service: StatsService, petitions: dict[str, Petition]) -> None:
    assert service.summary(StatsFilters(), now=NOW).overdue_by_body == [(UNIT, 1), ("ministry-a", 1)]


def test_period_filter_keeps_petitions_received_in_it(service: StatsService, petitions: dict[str, Petition]) -> None:
    data = service.summary(StatsFilters(start="2026-03", end="2026-03"), now=NOW).as_dict()
    assert data["received"] == 5
    assert data["received_by_month"] == {"2026-03": 5}
    assert data["closed_by_month"] == {"2026-03": 2, "2026-04": 1}
    assert data["answer_working_days"] == {"count": 5, "median": 3.0, "p90": 8.0}
    assert (data["answered_within_deadline"], data["answered_with_deadline"]) == (3, 4)
    assert data["rating_average"] == round(11 / 3, 2)
    assert data["overdue_now"] == 0


def test_type_filter(service: StatsService, petitions: dict[str, Petition]) -> None:
    data = service.summary(StatsFilters(petition_type="inquiry"), now=NOW).as_dict()
    assert data["by_type"] == {"inquiry": 3}
    assert data["answer_working_days"] == {"count": 2, "median": 5.0, "p90": pytest.approx(7.4)}


def test_body_filter_counts_corruption_reports_only_for_the_unit(
    service: StatsService, petitions: dict[str, Petition]
) -> None:
    ministry = service.summary(StatsFilters(body="ministry-b"), now=NOW).as_dict()
    assert ministry["received"] == 5  # P4, P5, P6, P8, P12, not the corruption report P10
    assert "corruption" not in ministry["by_type"]
    unit = service.summary(StatsFilters(body=UNIT), now=NOW).as_dict()
    assert unit["by_type"] == {"corruption": 1}
    assert unit["overdue_now"] == 1


def test_petition_rows_carry_working_days_and_deadline(service: StatsService, petitions: dict[str, Petition]) -> None:
    rows = {row["tracking_number"]: row for row in service.petition_rows(StatsFilters())}
    assert {number[3:]: row["working_days_to_answer"] for number, row in rows.items() if row["working_days_to_answer"] != ""} == WORKING_DAYS
    assert rows["EP-P3"]["within_deadline"] == 0
    assert rows["EP-P1"]["within_deadline"] == 1
    assert rows["EP-P5"]["within_deadline"] == ""
    assert rows["EP-P10"]["body"] == UNIT


def test_empty_database_gives_empty_summary(service: StatsService) -> None:
    data = service.summary(StatsFilters(), now=NOW).as_dict()
    assert data["received"] == 0
    assert data["answer_working_days"] == {"count": 0, "median": None, "p90": None}
    assert data["within_deadline_share"] is None


@pytest.mark.parametrize(
    "fields", [{"start": "2026-13"}, {"start": "march"}, {"start": "2026-04", "end": "2026-03"}, {"petition_type": "spam"}]
)
def test_filters_refuse_bad_values(fields: dict[str, str]) -> None:
    with pytest.raises(StatsError):
        StatsFilters(**fields)
