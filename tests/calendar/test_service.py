"""Working days, holidays and the holiday cache that deadlines in workflow steps rely on."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.calendar import CalendarError, CalendarService, Holiday, HolidayCache, HolidayDates, calendar_service
from app.db import Database
from app.engine.service import EngineService
from app.engine.timers import TimerWorker

UTC = timezone.utc
THURSDAY = datetime(2026, 3, 19, 14, 30, tzinfo=UTC)  # 20 March (Friday) is Independence Day
FRIDAY = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)


# Pure arithmetic ------------------------------------------------------------------------------


def test_one_working_day_after_friday_is_monday_at_the_same_time():
    assert HolidayDates.of([]).add_working_days(FRIDAY, 1) == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)


def test_a_weekend_start_counts_from_the_next_monday():
    saturday = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    assert HolidayDates.of([]).add_working_days(saturday, 1) == datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    assert HolidayDates.of([]).add_working_days(saturday, 5) == datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def test_holidays_are_skipped_like_weekends():
    holidays = HolidayDates.of([date(2026, 3, 20), date(2026, 4, 9)])
    # Thu 19 Mar + 1: Fri 20 is a holiday, so Monday 23.
    assert holidays.add_working_days(THURSDAY, 1) == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
    # + 15: 20 Mar and 9 Apr are skipped as well as three weekends.
    assert holidays.add_working_days(THURSDAY, 15) == datetime(2026, 4, 13, 14, 30, tzinfo=UTC)


def test_a_holiday_on_a_weekend_changes_nothing():
    saturday_holiday = HolidayDates.of([date(2026, 3, 21)])
    assert saturday_holiday.add_working_days(THURSDAY, 2) == HolidayDates.of([]).add_working_days(THURSDAY, 2)
    assert saturday_holiday.working_days_between(THURSDAY, THURSDAY + timedelta(days=7)) == 5


def test_result_is_utc_and_timezone_aware_whatever_the_input_offset():
    tunis = timezone(timedelta(hours=1))
    late_friday_in_tunis = datetime(2026, 3, 14, 0, 30, tzinfo=tunis)  # still Friday 23:30 UTC
    result = HolidayDates.of([]).add_working_days(late_friday_in_tunis, 1)
    assert result == datetime(2026, 3, 16, 23, 30, tzinfo=UTC)
    assert result.tzinfo == UTC
    naive = HolidayDates.of([]).add_working_days(datetime(2026, 3, 13, 8, 0), 1)
    assert naive == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def test_zero_working_days_is_the_start_and_negative_counts_backwards():
    holidays = HolidayDates.of([date(2026, 3, 20)])
    assert holidays.add_working_days(FRIDAY, 0) == FRIDAY
    monday = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert holidays.add_working_days(monday, -1) == datetime(2026, 3, 19, 9, 0, tzinfo=UTC)


def test_working_days_between_is_signed_and_undoes_add_working_days():
    holidays = HolidayDates.of([date(2026, 3, 20), date(2026, 4, 9)])
    for n in range(0, 40):
        assert holidays.working_days_between(THURSDAY, holidays.add_working_days(THURSDAY, n)) == n
    due = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert holidays.working_days_between(THURSDAY, due) == 1
    assert holidays.working_days_between(due, THURSDAY) == -1  # overdue by one working day
    assert holidays.working_days_between(THURSDAY, THURSDAY.replace(hour=23)) == 0


def test_working_days_between_spans_years_without_looping_day_by_day():
    start = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday
    assert HolidayDates.of([]).working_days_between(start, start + timedelta(weeks=52 * 30)) == 5 * 52 * 30


@pytest.mark.parametrize("bad", [1.5, "3", True, None, 10**6])
def test_a_day_count_must_be_a_reasonable_integer(bad):
    with pytest.raises(CalendarError):
        HolidayDates.of([]).add_working_days(FRIDAY, bad)


# Holidays in the database ---------------------------------------------------------------------


def test_seed_tunisia_adds_the_eight_fixed_holidays_in_three_languages(session: Session):
    added = CalendarService(session).seed_tunisia(2026)
    session.commit()
    assert [h.day for h in added] == [
        date(2026, 1, 1), date(2026, 3, 20), date(2026, 4, 9), date(2026, 5, 1),
        date(2026, 7, 25), date(2026, 8, 13), date(2026, 10, 15), date(2026, 12, 17),
    ]
    independence = CalendarService(session).get(date(2026, 3, 20))
    assert independence is not None
    assert (independence.name_en, independence.name_fr, independence.name_ar) == (
        "Independence Day", "Fête de l'indépendance", "عيد الاستقلال",
    )
    assert all(h.name_en and h.name_fr and h.name_ar for h in CalendarService(session).list(2026))


def test_seeding_twice_adds_nothing_and_keeps_holidays_entered_by_hand(session: Session):
    service = CalendarService(session)
    service.add(date(2026, 5, 1), "May Day (edited)", "1er mai", "عيد الشغل")
    service.add(date(2026, 3, 30), "Eid al-Fitr", "Aïd el-Fitr", "عيد الفطر")
    assert len(service.seed_tunisia(2026)) == 7
    session.commit()
    assert service.seed_tunisia(2026) == []
    assert service.get(date(2026, 5, 1)).name_en == "May Day (edited)"  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(Holiday)) == 9
    assert len(service.list(2026)) == 9 and service.list(2027) == []


def test_a_day_can_be_a_holiday_only_once_and_removing_an_unknown_day_is_false(session: Session):
    service = CalendarService(session)
    service.add(date(2026, 6, 16), "Eid al-Adha")
    with pytest.raises(CalendarError):
        service.add(date(2026, 6, 16), "Eid al-Adha, again")
    with pytest.raises(CalendarError):
        service.add(date(2026, 6, 17), "   ")
    assert service.remove(date(2026, 6, 16)) is True
    assert service.remove(date(2026, 6, 16)) is False


def test_renaming_keeps_the_day(session: Session):
    service = CalendarService(session)
    service.add(date(2026, 8, 25), "Mawlid")
    service.rename(date(2026, 8, 25), "Prophet's Birthday", "Mouled", "المولد النبوي الشريف")
    session.commit()
    assert service.get(date(2026, 8, 25)).name("ar") == "المولد النبوي الشريف"  # type: ignore[union-attr]


def test_service_without_a_cache_counts_working_days_from_the_session(session: Session):
    service = CalendarService(session)
    service.add(date(2026, 3, 20), "Independence Day")
    assert service.add_working_days(THURSDAY, 1) == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
    assert service.working_days_between(THURSDAY, datetime(2026, 3, 23, tzinfo=UTC)) == 1
    assert not service.is_working_day(date(2026, 3, 20))


# The holiday cache ----------------------------------------------------------------------------


def test_cache_loads_once_and_is_invalidated_by_every_change_through_the_service(db: Database, session: Session):
    cache = HolidayCache(db)
    service = CalendarService(session, cache)
    assert cache.get().days == frozenset()
    assert cache.get().days == frozenset()
    assert cache.loads == 1

    service.add(date(2026, 3, 20), "Independence Day")
    session.commit()
    assert service.add_working_days(THURSDAY, 1) == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
    assert cache.loads == 2

    service.remove(date(2026, 3, 20))
    session.commit()
    assert service.add_working_days(THURSDAY, 1) == datetime(2026, 3, 20, 14, 30, tzinfo=UTC)
    assert cache.loads == 3


def test_a_reload_between_a_change_and_its_commit_is_dropped_at_commit(db: Database, session: Session):
    cache = HolidayCache(db)
    service = CalendarService(session, cache)
    service.add(date(2026, 3, 20), "Independence Day")
    assert cache.get().days == frozenset()  # another reader, before the commit: old state
    session.commit()
    assert cache.get().days == {date(2026, 3, 20)}


def test_changes_made_elsewhere_are_seen_once_the_cache_expires(db: Database, session: Session):
    now = [1000.0]
    cache = HolidayCache(db, ttl=300, clock=lambda: now[0])
    assert cache.get().days == frozenset()
    # Another process (the admin pages on another worker) adds a holiday.
    session.execute(insert(Holiday).values(day=date(2026, 4, 9), name_en="Martyrs' Day", name_fr="", name_ar="",
                                           created_at=datetime.now(UTC)))
    session.commit()
    now[0] += 299
    assert cache.get().days == frozenset()
    now[0] += 2
    assert cache.get().days == {date(2026, 4, 9)}


def test_calendar_service_of_a_request_uses_the_apps_cache(app: Flask):
    with app.app_context():
        service = calendar_service()
        assert service.cache is app.extensions["calendar"]
        service.add(date(2026, 3, 20), "Independence Day")
        service.session.commit()
        assert app.extensions["calendar"].get().days == {date(2026, 3, 20)}


# Functions for diagrams -----------------------------------------------------------------------


def test_diagram_functions_are_registered_with_the_engine(app: Flask):
    functions = app.extensions["engine_functions"]
    assert {"working_days", "working_days_left", "days"} <= set(functions)
    with time_machine.travel(THURSDAY, tick=False):
        assert functions["working_days"](2) == "2026-03-23T14:30:00+00:00"
        assert functions["working_days"](1, "2026-03-20T09:00:00Z") == "2026-03-23T09:00:00+00:00"
        assert functions["working_days_left"]("2026-03-26T09:00:00+00:00") == 5
    assert functions["days"](7) == "P7D"
    with pytest.raises(CalendarError):
        functions["days"](-1)
    with pytest.raises(CalendarError):
        functions["working_days"](1, "next week")


DEADLINE_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs_calendar_deadline" targetNamespace="https://epeople.example/tests">
  <bpmn:process id="calendar_deadline" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>due = working_days(n)
survey_duration = days(3)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="answer" name="Answer">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="escalation.json" />
        <spiffworkflow:property name="body" value="'bcrc'" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" name="Deadline" attachedToRef="answer" cancelActivity="true">
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="late_timer">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">working_days(n)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="answered"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="expired"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="answer" />
    <bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="answered" />
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="expired" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_diagram_timer_counts_working_days_with_the_committed_holidays(app: Flask, db: Database, session: Session):
    runtime = app.extensions["engine"]
    engine = EngineService(session, runtime)
    CalendarService(session, app.extensions["calendar"]).seed_tunisia(2026)
    engine.deploy(DEADLINE_BPMN, "calendar_deadline.bpmn")
    session.commit()
    with time_machine.travel(THURSDAY, tick=False) as clock:
        info = engine.start("calendar_deadline", {"n": 2})
        session.commit()
        [task] = info.ready_tasks
        # Fri 20 Mar is a holiday: Thu + 2 working days = Tue 24 Mar, same time.
        expected = datetime(2026, 3, 24, 14, 30, tzinfo=UTC)
        assert task.due_at == expected
        assert info.data["due"] == expected.isoformat()
        assert info.data["survey_duration"] == "P3D"
        worker = TimerWorker(db, runtime, owner="calendar-test")
        clock.move_to(expected - timedelta(minutes=1))
        assert worker.run_once().fired == 0
        clock.move_to(expected + timedelta(minutes=1))
        assert worker.run_once().fired == 1
    session.expire_all()
    assert engine.instance(info.id).status == "completed"


def test_a_holiday_added_through_the_service_moves_the_next_deadline_at_once(app: Flask, session: Session):
    engine = EngineService(session, app.extensions["engine"])
    engine.deploy(DEADLINE_BPMN, "calendar_deadline.bpmn")
    session.commit()
    with time_machine.travel(THURSDAY, tick=False):
        before = engine.start("calendar_deadline", {"n": 1})
        calendar = CalendarService(session, app.extensions["calendar"])
        calendar.add(date(2026, 3, 20), "Independence Day", "Fête de l'indépendance", "عيد الاستقلال")
        session.commit()
        after = engine.start("calendar_deadline", {"n": 1})
        session.commit()
    assert before.ready_tasks[0].due_at == datetime(2026, 3, 20, 14, 30, tzinfo=UTC)
    assert after.ready_tasks[0].due_at == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
