"""The default routing diagrams (processes/*.bpmn), walked branch by branch through
EngineService only, on the configured database. Time is frozen with time-machine and timers
are fired by the real TimerWorker; no test sleeps.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from app.calendar import HolidayDates
from app.engine.models import DueTimer, HumanTask
from app.engine.types import Conflict, InstanceInfo, InvalidTaskData, TaskInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday; no holidays in these tests
MINUTE = timedelta(minutes=1)
NO_HOLIDAYS = HolidayDates.of([])


def working_days(start: datetime, n: int) -> datetime:
    return NO_HOLIDAYS.add_working_days(start, n)


def only(info: InstanceInfo, name: str) -> TaskInfo:
    found = [t for t in info.ready_tasks if t.name == name]
    assert len(found) == 1, f"expected one open {name!r}, open: {open_tasks(info)}"
    return found[0]


def open_tasks(info: InstanceInfo) -> list[str]:
    return sorted(t.name for t in info.ready_tasks)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def walk_to_drafting(engine, start_data, body="sonede", **start_changes) -> tuple[InstanceInfo, TaskInfo]:
    info = engine.start("petition", start_data(**start_changes))
    info = engine.complete_task(only(info, "qualify").id, {"decision": "accept", "competent_body": body})
    return info, only(info, "draft_answer")


def walk_to_survey(engine, start_data, **start_changes) -> tuple[InstanceInfo, TaskInfo]:
    info, draft = walk_to_drafting(engine, start_data, **start_changes)
    info = engine.complete_task(draft.id, {"decision": "submit", "answer": "The main was repaired on Tuesday."})
    info = engine.complete_task(only(info, "validate_answer").id, {"decision": "approve"})
    return info, only(info, "survey")


# Petitions: complaint, inquiry, guidance, suggestion -----------------------------------------


@pytest.mark.parametrize("petition_type", ["complaint", "inquiry", "guidance", "suggestion"])
def test_accepted_petition_is_drafted_by_the_body_validated_by_the_office_rated_and_closed(
    app, deployed, engine, session, start_data, petition_type
):
    response_days = app.config["RESPONSE_WORKING_DAYS"][petition_type]
    with time_machine.travel(T0, tick=False):
        info = engine.start("petition", start_data(petition_type), actor="user:7")
        qualify = only(info, "qualify")
        assert (qualify.lane, qualify.body, qualify.form) == ("relations_office", "bcrc", "qualify.json")
        assert qualify.due_at == working_days(T0, response_days)

        info = engine.complete_task(qualify.id, {"decision": "accept", "competent_body": "sonede"}, actor="user:2")
        draft = only(info, "draft_answer")
        assert (draft.lane, draft.body, draft.form) == ("body_agent", "sonede", "draft_answer.json")
        assert draft.due_at == qualify.due_at  # one deadline, counted from arrival at the office

        info = engine.complete_task(draft.id, {"decision": "submit", "answer": "Repaired on Tuesday."})
        validate = only(info, "validate_answer")
        assert (validate.lane, validate.body, validate.form) == ("relations_office", "bcrc", "validate_answer.json")

        info = engine.complete_task(validate.id, {"decision": "approve"}, actor="user:2")
        survey = only(info, "survey")
        assert (survey.lane, survey.body, survey.form) == ("citizen", "bcrc", "survey.json")
        assert survey.due_at == T0 + timedelta(days=app.config["SURVEY_DAYS"])

        info = engine.complete_task(survey.id, {"rating": 4, "comment": "Quick and clear"}, actor="user:7")
        session.commit()
    assert info.status == "completed"
    assert info.data["outcome"] == "closed"
    assert (info.data["answer"], info.data["rating"], info.data["comment"]) == (
        "Repaired on Tuesday.", 4, "Quick and clear",
    )
    assert {"qualify", "draft_answer", "validate_answer", "survey"} <= set(info.completed_task_names)
    assert count(session, HumanTask) == 0
    assert count(session, DueTimer) == 0


def test_rejected_petition_ends_rejected_without_drafting(deployed, engine, session, start_data):
    info = engine.start("petition", start_data())
    info = engine.complete_task(
        only(info, "qualify").id, {"decision": "reject", "reason": "A private dispute between neighbours."}
    )
    session.commit()
    assert info.status == "completed"
    assert info.data["outcome"] == "rejected"
    assert "draft_answer" not in info.completed_task_names
    assert count(session, HumanTask) == count(session, DueTimer) == 0


def test_transfer_moves_qualification_to_the_competent_office_which_then_accepts(
    deployed, engine, session, start_data
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("petition", start_data())
        first = only(info, "qualify")
        clock.move_to(T0 + timedelta(days=2))  # Wednesday
        info = engine.complete_task(
            first.id, {"decision": "transfer", "competent_body": "mun-tunis", "reason": "Municipal network"},
            actor="user:2",
        )
        second = only(info, "qualify")
        assert second.id != first.id
        assert (second.lane, second.body) == ("relations_office", "mun-tunis")
        assert second.due_at == working_days(T0 + timedelta(days=2), 15)  # a full period at the new office
        assert (info.data["routing_office"], info.data["transfer_count"]) == ("mun-tunis", 1)

        info = engine.complete_task(second.id, {"decision": "accept", "competent_body": "mun-tunis-water"})
        draft = only(info, "draft_answer")
        assert draft.body == "mun-tunis-water"
        info = engine.complete_task(draft.id, {"decision": "submit", "answer": "Fixed."})
        assert only(info, "validate_answer").body == "mun-tunis"
        session.commit()
    # What the petitions service reads to record the transfer on the citizen's timeline.
    transfer_event = next(e for e in engine.history(info.id) if e.task_id == first.id)
    assert (transfer_event.kind, transfer_event.task_name, transfer_event.actor) == (
        "task_completed", "qualify", "user:2",
    )
    recorded = json.loads(transfer_event.data_diff)
    assert (recorded["decision"], recorded["competent_body"], recorded["reason"]) == (
        "transfer", "mun-tunis", "Municipal network",
    )


def test_request_for_information_waits_for_the_reply_and_resumes_qualification(
    deployed, engine, session, start_data
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("petition", start_data())
        info = engine.complete_task(only(info, "qualify").id, {"decision": "request_info", "question": "Which street?"})
        session.commit()
        assert info.ready_tasks == []
        assert info.waiting_messages == ["citizen_reply"]
        assert info.data["open_question"] == "Which street?"

        clock.move_to(T0 + timedelta(days=3))  # Thursday: three working days spent waiting
        info = engine.send_message(
            info.id, "citizen_reply", {"text": "Rue de Marseille", "attachments": []}, actor="user:7"
        )
        session.commit()
    qualify = only(info, "qualify")
    assert (qualify.lane, qualify.body) == ("relations_office", "bcrc")
    assert info.data["reply"] == {"text": "Rue de Marseille", "attachments": []}
    assert info.data["open_question"] == ""
    assert info.waiting_messages == []
    # The response clock stopped while the citizen was answering.
    assert qualify.due_at == working_days(T0, 15) + timedelta(days=3)
    assert session.scalars(select(DueTimer.name)).all() == ["Response deadline passed"]


def test_the_body_can_request_information_and_drafting_resumes_after_the_reply(
    deployed, engine, session, start_data
):
    with time_machine.travel(T0, tick=False) as clock:
        info, draft = walk_to_drafting(engine, start_data)
        info = engine.complete_task(draft.id, {"decision": "request_info", "question": "Your meter number?"})
        assert info.ready_tasks == [] and info.waiting_messages == ["citizen_reply"]
        session.commit()
        clock.move_to(T0 + timedelta(days=1))
        info = engine.send_message(info.id, "citizen_reply", {"text": "TN-4521", "attachments": []})
        session.commit()
    again = only(info, "draft_answer")
    assert (again.lane, again.body) == ("body_agent", "sonede")
    assert again.due_at == working_days(T0, 15) + timedelta(days=1)
    assert info.data["information_requests"] == 1


def test_unanswered_request_for_information_is_abandoned_after_the_reply_period(
    deployed, engine, session, start_data, worker
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("petition", start_data())
        info = engine.complete_task(only(info, "qualify").id, {"decision": "request_info", "question": "Which street?"})
        session.commit()
        reply_due = working_days(T0, 10)
        clock.move_to(reply_due - MINUTE)
        assert worker.run_once().fired == 0
        clock.move_to(reply_due + MINUTE)
        report = worker.run_once()
    assert (report.claimed, report.fired, report.failed) == (1, 1, [])
    session.expire_all()
    info = engine.instance(info.id)
    assert info.status == "completed"
    assert info.data["outcome"] == "abandoned"
    assert info.waiting_messages == []
    with pytest.raises(Conflict):
        engine.send_message(info.id, "citizen_reply", {"text": "too late"})


def test_missed_deadline_escalates_to_the_coordinator_and_the_drafting_task_stays_open(
    deployed, engine, session, start_data, worker
):
    with time_machine.travel(T0, tick=False) as clock:
        info, draft = walk_to_drafting(engine, start_data)
        session.commit()
        clock.move_to(draft.due_at - MINUTE)
        assert worker.run_once().fired == 0
        clock.move_to(draft.due_at + MINUTE)
        assert worker.run_once().fired == 1
        session.expire_all()
        info = engine.instance(info.id)
        assert open_tasks(info) == ["draft_answer", "escalate_draft"]
        assert only(info, "draft_answer").id == draft.id  # the same task, still open
        escalation = only(info, "escalate_draft")
        assert (escalation.lane, escalation.body, escalation.form) == ("coordinator", "sonede", "escalation.json")

        info = engine.complete_task(escalation.id, {"note": "Called the director; answer due Friday."})
        assert open_tasks(info) == ["draft_answer"]
        info = engine.complete_task(draft.id, {"decision": "submit", "answer": "Repaired."})
        info = engine.complete_task(only(info, "validate_answer").id, {"decision": "approve"})
        info = engine.complete_task(only(info, "survey").id, {})
        session.commit()
    assert (info.status, info.data["outcome"]) == ("completed", "closed")


def test_missed_deadline_during_qualification_escalates_to_the_offices_coordinator_and_closing_cancels_it(
    deployed, engine, session, start_data, worker
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("petition", start_data())
        qualify = only(info, "qualify")
        session.commit()
        clock.move_to(qualify.due_at + MINUTE)
        assert worker.run_once().fired == 1
        session.expire_all()
        info = engine.instance(info.id)
        escalation = only(info, "escalate_qualify")
        assert (escalation.lane, escalation.body) == ("coordinator", "bcrc")
        assert only(info, "qualify").id == qualify.id

        info = engine.complete_task(qualify.id, {"decision": "reject", "reason": "Out of scope"})
        session.commit()
    assert (info.status, info.data["outcome"]) == ("completed", "rejected")
    assert count(session, HumanTask) == 0  # the open follow-up task ended with the petition


def test_one_extension_is_granted_and_a_second_request_is_ignored(deployed, engine, session, start_data):
    with time_machine.travel(T0, tick=False) as clock:
        info, draft = walk_to_drafting(engine, start_data)
        first_due = draft.due_at
        assert first_due == working_days(T0, 15)
        clock.move_to(T0 + timedelta(days=7))

        info = engine.complete_task(draft.id, {"decision": "extend", "extension_reason": "A site visit is needed."})
        extended = only(info, "draft_answer")
        assert extended.due_at == working_days(first_due, 15)  # the original period, once
        assert (info.data["extension_used"], info.data["extension_days"], info.data["response_days"]) == (True, 15, 30)

        info = engine.complete_task(extended.id, {"decision": "extend", "extension_reason": "Still waiting."})
        again = only(info, "draft_answer")
        assert again.due_at == extended.due_at
        assert info.data["response_days"] == 30

        info = engine.complete_task(again.id, {"decision": "submit", "answer": "Repaired after the visit."})
        assert only(info, "validate_answer").due_at == extended.due_at
        session.commit()


def test_validation_can_return_the_answer_for_redrafting(deployed, engine, session, start_data):
    info, draft = walk_to_drafting(engine, start_data)
    info = engine.complete_task(draft.id, {"decision": "submit", "answer": "Done."})
    info = engine.complete_task(
        only(info, "validate_answer").id, {"decision": "return", "reason": "Say when and where."}
    )
    redraft = only(info, "draft_answer")
    assert (redraft.body, redraft.due_at) == ("sonede", draft.due_at)
    assert engine.task_data(redraft.id)["answer"] == "Done."  # prefills the form
    info = engine.complete_task(redraft.id, {"decision": "submit", "answer": "Repaired on Tuesday at 10:00."})
    info = engine.complete_task(
        only(info, "validate_answer").id,
        {"decision": "approve", "answer": "Repaired on Tuesday at 10:00, rue de Marseille."},
    )
    session.commit()
    assert info.data["answer"] == "Repaired on Tuesday at 10:00, rue de Marseille."
    assert open_tasks(info) == ["survey"]


def test_survey_closes_by_itself_after_the_survey_period(deployed, engine, session, start_data, worker):
    with time_machine.travel(T0, tick=False) as clock:
        info, survey = walk_to_survey(engine, start_data)
        session.commit()
        clock.move_to(T0 + timedelta(days=7) - MINUTE)
        assert worker.run_once().fired == 0
        clock.move_to(T0 + timedelta(days=7) + MINUTE)
        assert worker.run_once().fired == 1
    session.expire_all()
    info = engine.instance(info.id)
    assert (info.status, info.data["outcome"]) == ("completed", "closed")
    assert "rating" not in info.data
    assert "survey" not in info.completed_task_names


def test_task_forms_reject_incomplete_decisions_with_field_errors(deployed, engine, session, start_data):
    info = engine.start("petition", start_data())
    qualify = only(info, "qualify")
    session.commit()
    cases = [
        ({"decision": "reject"}, {"reason"}),
        ({"decision": "accept"}, {"competent_body"}),
        ({"decision": "transfer"}, {"reason", "competent_body"}),
        ({"decision": "request_info"}, {"question"}),
        ({"decision": "accept", "competent_body": "sonede", "routing_office": "evil"}, {""}),
        ({"decision": "maybe"}, {"decision"}),
    ]
    for data, fields in cases:
        with pytest.raises(InvalidTaskData) as raised:
            engine.complete_task(qualify.id, data)
        session.rollback()
        assert set(raised.value.errors) == fields, data
    assert engine.instance(info.id).revision == info.revision


# Corruption reports --------------------------------------------------------------------------


def test_anonymous_corruption_report_goes_straight_to_the_unit_and_closes_without_survey(
    app, deployed, engine, session, start_data
):
    unit = app.config["CORRUPTION_UNIT"]
    with time_machine.travel(T0, tick=False):
        info = engine.start("corruption_report", start_data("corruption", citizen_id=None), actor="anonymous")
        examine = only(info, "examine")
        assert (examine.lane, examine.body, examine.form) == ("relations_office", unit, "examine.json")
        assert examine.due_at == working_days(T0, app.config["RESPONSE_WORKING_DAYS"]["corruption"])
        info = engine.complete_task(examine.id, {"decision": "accept"})
        answer = only(info, "answer_report")
        assert (answer.lane, answer.body, answer.form) == ("relations_office", unit, "report_answer.json")
        info = engine.complete_task(answer.id, {"answer": "Referred to the public prosecutor."})
        session.commit()
    assert (info.status, info.data["outcome"]) == ("completed", "closed")
    assert "survey" not in info.completed_task_names
    assert "qualify" not in info.completed_task_names


def test_corruption_report_with_a_known_reporter_ends_with_a_survey(app, deployed, engine, session, start_data):
    info = engine.start("corruption_report", start_data("corruption", citizen_id=7, anonymous=False))
    info = engine.complete_task(only(info, "examine").id, {"decision": "accept"})
    info = engine.complete_task(only(info, "answer_report").id, {"answer": "Disciplinary procedure opened."})
    survey = only(info, "survey")
    assert (survey.lane, survey.body) == ("citizen", app.config["CORRUPTION_UNIT"])
    info = engine.complete_task(survey.id, {"rating": 5})
    session.commit()
    assert (info.status, info.data["outcome"], info.data["rating"]) == ("completed", "closed", 5)


def test_corruption_unit_can_ask_the_reporter_then_reject(deployed, engine, session, start_data):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("corruption_report", start_data("corruption", citizen_id=None))
        info = engine.complete_task(only(info, "examine").id, {"decision": "request_info", "question": "Which office?"})
        assert info.waiting_messages == ["citizen_reply"]
        session.commit()
        clock.move_to(T0 + timedelta(days=1))
        info = engine.send_message(info.id, "citizen_reply", {"text": "Permits desk, 2nd floor"}, actor="anonymous")
        session.commit()
        examine = only(info, "examine")
        assert examine.due_at == working_days(T0, 30) + timedelta(days=1)
        with pytest.raises(InvalidTaskData) as raised:
            engine.complete_task(examine.id, {"decision": "transfer"})
        assert set(raised.value.errors) == {"decision"}  # no transfer for corruption reports
        session.rollback()
        info = engine.complete_task(examine.id, {"decision": "reject", "reason": "No facts that can be checked."})
        session.commit()
    assert (info.status, info.data["outcome"]) == ("completed", "rejected")


def test_corruption_report_is_abandoned_when_the_reporter_does_not_reply(
    deployed, engine, session, start_data, worker
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("corruption_report", start_data("corruption", citizen_id=None))
        engine.complete_task(only(info, "examine").id, {"decision": "request_info", "question": "Which office?"})
        session.commit()
        clock.move_to(working_days(T0, 10) + MINUTE)
        assert worker.run_once().fired == 1
    session.expire_all()
    assert engine.instance(info.id).data["outcome"] == "abandoned"


def test_missed_deadline_on_a_corruption_report_escalates_to_the_units_coordinator(
    app, deployed, engine, session, start_data, worker
):
    with time_machine.travel(T0, tick=False) as clock:
        info = engine.start("corruption_report", start_data("corruption"))
        session.commit()
        clock.move_to(only(info, "examine").due_at + MINUTE)
        assert worker.run_once().fired == 1
    session.expire_all()
    info = engine.instance(info.id)
    assert open_tasks(info) == ["escalate_examine", "examine"]
    escalation = only(info, "escalate_examine")
    assert (escalation.lane, escalation.body) == ("coordinator", app.config["CORRUPTION_UNIT"])


# Start forms (checked by the petitions service before it starts an instance) ----------------

VALID_STARTS = {
    "complaint": {"subject": "Water cut", "description": "No water since Monday.", "target_body": "sonede",
                  "location": "El Menzah 6", "incident_date": "2026-03-02"},
    "inquiry": {"subject": "Pension rights", "description": "I worked abroad for ten years.",
                "inquiry_question": "Do these years count for my pension?"},
    "guidance": {"subject": "Building permit", "description": "I want to add a floor.", "procedure": "Building permit"},
    "suggestion": {"subject": "Online appointments", "description": "Let citizens book a slot online.",
                   "proposal_benefit": "Shorter queues at the municipality."},
    "corruption": {"subject": "Bribe at the permits desk", "facts": "A clerk asked for 50 dinars.",
                   "persons_involved": "The clerk at desk 3", "when": "March 2026", "location": "Municipality",
                   "anonymous": True, "reporter_contact": ""},
}


@pytest.mark.parametrize("petition_type", sorted(VALID_STARTS))
def test_each_petition_type_has_a_start_form_that_accepts_a_complete_submission(runtime, petition_type):
    assert runtime.forms.errors(f"{petition_type}_start.json", VALID_STARTS[petition_type]) == {}


@pytest.mark.parametrize(
    ("petition_type", "changes", "fields"),
    [
        ("complaint", {"subject": "x" * 201}, {"subject"}),
        ("complaint", {"description": "x" * 5001}, {"description"}),
        ("complaint", {"incident_date": "02/03/2026"}, {"incident_date"}),
        ("complaint", {"subject": None}, {"subject"}),
        ("complaint", {"routing_office": "bcrc"}, {""}),  # no routing data from citizens
        ("inquiry", {"inquiry_question": None}, {"inquiry_question"}),
        ("suggestion", {"proposal_benefit": ""}, {"proposal_benefit"}),
        ("corruption", {"facts": None, "anonymous": "yes"}, {"facts", "anonymous"}),
        ("corruption", {"reporter_contact": "x" * 501}, {"reporter_contact"}),
    ],
)
def test_start_forms_reject_bad_submissions_with_field_errors(runtime, petition_type, changes, fields):
    data = {**VALID_STARTS[petition_type], **changes}
    data = {k: v for k, v in data.items() if v is not None}
    errors = runtime.forms.errors(f"{petition_type}_start.json", data)
    assert set(errors) == fields
    assert all(message and "'" not in message for message in errors.values())  # friendly, not jsonschema's
