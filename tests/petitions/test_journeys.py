"""Petitions end to end over HTTP: the citizen portal and the staff tasklist, every branch."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import event, func, select

from app.engine.timers import TimerWorker
from app.petitions.models import Petition
from tests.petitions.conftest import submit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday


def complete(client, task_id, **data):
    return client.post(f"/tasks/{task_id}/complete", data=data)


def test_complaint_transferred_accepted_answered_rated_and_closed(person, open_task, petition_of):
    citizen, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    _, health_office = person("relations_agent", "min-health")
    _, health_agent = person("body_agent", "min-health")

    number = submit(citizen_client, description="المستشفى الجهوي: انتظار 6 ساعات — attente de 6 h")
    page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert "Under review" in page and "انتظار 6 ساعات" in page
    petition = petition_of(number)
    assert number in bcrc.get("/tasks/").get_data(as_text=True)

    qualify = open_task(petition, "qualify")
    assert health_office.get(f"/tasks/{qualify}").status_code == 404
    response = complete(bcrc, qualify, decision="transfer", competent_body="min-health",
                        reason="Hospitals are the Ministry of Health's")
    assert response.status_code == 302
    page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert "Transferred to" in page and "Ministry of Health" in page
    assert "Hospitals are the Ministry of Health&#39;s" in page

    assert complete(health_office, open_task(petition, "qualify"), decision="accept",
                    competent_body="min-health").status_code == 302
    assert petition_of(number).status == "in_progress"
    assert complete(health_agent, open_task(petition, "draft_answer"), decision="submit",
                    answer="A second triage desk opens on 1 April.").status_code == 302
    assert "A second triage desk" not in citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert complete(health_office, open_task(petition, "validate_answer"), decision="approve").status_code == 302

    page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert "A second triage desk opens on 1 April." in page and "How satisfied" in page
    response = citizen_client.post(f"/petitions/{number}/rate", data={"rating": "4", "comment": "شكرا"})
    assert response.status_code == 302
    petition = petition_of(number)
    assert (petition.status, petition.rating, petition.rating_comment) == ("closed", 4, "شكرا")
    kinds = [e.kind for e in petition.timeline if e.public]
    assert kinds == ["received", "transferred", "accepted", "answered", "rated", "closed"]


def test_rejected_petition_shows_the_reason_and_ends(person, open_task, petition_of):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client, "suggestion", proposal_benefit="Shorter queues")
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="reject", reason="Private matter")
    page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert "Rejected" in page and "Private matter" in page
    assert petition_of(number).closed_at is not None


def test_information_request_answered_by_the_citizen_resumes_qualification(person, open_task, petition_of):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client, "inquiry", inquiry_question="Which form for a birth certificate?")
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="request_info",
             question="Born in which governorate?")
    page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert "Information requested from you" in page and "Born in which governorate?" in page
    pdf = (io.BytesIO(b"%PDF-1.4 birth"), "acte.pdf")
    response = citizen_client.post(f"/petitions/{number}/reply", data={"text": "Sfax", "attachments": pdf},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    petition = petition_of(number)
    assert petition.status == "under_review" and petition.open_question is None
    assert [a.original_name for a in petition.attachments] == ["acte.pdf"]
    assert open_task(petition, "qualify")
    download = citizen_client.get(f"/petitions/{number}/attachments/{petition.attachments[0].id}")
    assert download.data == b"%PDF-1.4 birth"
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_unanswered_information_request_closes_the_petition_as_abandoned(person, open_task, petition_of, app, db):
    with time_machine.travel(T0, tick=False) as clock:
        _, citizen_client = person("citizen")
        _, bcrc = person("relations_agent", "bcrc")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="request_info", question="Address?")
        clock.move_to(T0 + timedelta(days=30))
        TimerWorker(db, app.extensions["engine"], owner="t").run_once()
        # The worker advanced the workflow; the portal shows it once the petition is synced.
        page = citizen_client.get(f"/petitions/{number}").get_data(as_text=True)
    assert petition_of(number).status == "abandoned"
    assert "Closed without your reply" in page


def test_the_worker_reads_the_petitions_of_a_batch_of_timers_in_one_query(person, open_task, petition_of, app, db):
    with time_machine.travel(T0, tick=False) as clock:
        _, citizen_client = person("citizen")
        _, bcrc = person("relations_agent", "bcrc")
        numbers = [submit(citizen_client) for _ in range(3)]
        for number in numbers:
            complete(bcrc, open_task(petition_of(number), "qualify"), decision="request_info", question="Address?")
        clock.move_to(T0 + timedelta(days=30))
        statements: list[str] = []
        record = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            report = TimerWorker(db, app.extensions["engine"], owner="t").run_once()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert (report.fired, report.failed) == (3, [])
    assert [petition_of(number).status for number in numbers] == ["abandoned"] * 3
    petition_reads = [s for s in statements if s.lstrip().startswith("SELECT") and "FROM petitions_petition" in s]
    assert len(petition_reads) == 1


def test_overdue_drafting_escalates_to_the_coordinator_and_stays_open(person, open_task, petition_of, app, db):
    with time_machine.travel(T0, tick=False) as clock:
        _, citizen_client = person("citizen")
        _, bcrc = person("relations_agent", "bcrc")
        _, coordinator = person("coordinator", "min-health")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
        draft = open_task(petition_of(number), "draft_answer")
        assert number not in coordinator.get("/tasks/").get_data(as_text=True)
        clock.move_to(T0 + timedelta(days=25))  # 19 working days later: past the 15-day deadline
        TimerWorker(db, app.extensions["engine"], owner="t").run_once()
        listing = coordinator.get("/tasks/").get_data(as_text=True)
        overdue = coordinator.get("/tasks/?overdue=1").get_data(as_text=True)
    assert number in listing and number in overdue and "overdue" in listing
    assert open_task(petition_of(number), "draft_answer") == draft


def test_one_extension_with_reason_is_shown_to_the_citizen(person, open_task, petition_of):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    _, agent = person("body_agent", "min-health")
    number = submit(citizen_client)
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
    due_before = petition_of(number).response_due_at
    complete(agent, open_task(petition_of(number), "draft_answer"), decision="extend",
             extension_reason="Site inspection needed")
    complete(agent, open_task(petition_of(number), "draft_answer"), decision="extend",
             extension_reason="Second try")
    petition = petition_of(number)
    assert petition.response_due_at > due_before
    assert [e.text for e in petition.timeline if e.kind == "deadline_extended"] == ["Site inspection needed"]
    assert "Site inspection needed" in citizen_client.get(f"/petitions/{number}").get_data(as_text=True)


def test_anonymous_corruption_report_is_followed_by_receipt_code_only(app, client, person, open_task, session):
    _, unit = person("relations_agent", "anti-corruption-unit")
    _, bcrc = person("relations_agent", "bcrc")
    response = client.post("/petitions/new/corruption", data={
        "subject": "Cash for permits", "facts": "A clerk asks 50 TND per stamp.",
        "reporter_contact": "Witness W., 20 000 000"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = page.split('class="receipt-code" dir="ltr">')[1].split("<")[0].replace(" ", "")
    assert len(code) == 16 and code.isdigit()
    petition = session.scalars(select(Petition)).one()
    assert petition.citizen_id is None and code not in (petition.receipt_hash or "")

    task = open_task(petition, "examine")
    assert bcrc.get(f"/tasks/{task}").status_code == 404
    unit_page = unit.get(f"/tasks/{task}").get_data(as_text=True)
    assert "Witness W., 20 000 000" in unit_page
    complete(unit, task, decision="accept")
    complete(unit, open_task(petition, "answer_report"), answer="The clerk was suspended.")

    stranger = app.test_client()
    assert stranger.post("/track/receipt", data={"receipt": "1" * 16}).status_code == 404
    found = stranger.post("/track/receipt", data={"receipt": " ".join([code[:8], code[8:]])})
    assert found.status_code == 200 and "The clerk was suspended." in found.get_data(as_text=True)


def test_invalid_form_is_shown_again_with_messages_and_nothing_is_saved(person, session):
    _, citizen_client = person("citizen")
    response = citizen_client.post("/petitions/new/complaint", data={"subject": "ماء", "description": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in page and 'value="ماء"' in page
    assert '<a href="#f-description">Description: This field is required.</a>' in page
    bad_file = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "invoice.pdf")
    response = citizen_client.post("/petitions/new/complaint", content_type="multipart/form-data", data={
        "subject": "Valid subject", "description": "Valid text", "attachments": bad_file})
    assert response.status_code == 400 and "Only PDF, JPEG and PNG" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Petition)) == 0


def test_citizens_see_only_their_own_petitions(person, client):
    _, amira = person("citizen")
    _, leila = person("citizen")
    number = submit(amira)
    assert leila.get(f"/petitions/{number}").status_code == 404
    assert leila.get("/petitions/TN-2026-999999").status_code == 404
    assert number not in leila.get("/petitions/mine").get_data(as_text=True)
    assert client.get(f"/petitions/{number}").status_code == 302  # anonymous: log in first


def test_public_lookup_needs_the_matching_email(person, client):
    citizen, citizen_client = person("citizen")
    number = submit(citizen_client)
    assert client.post("/track", data={"tracking_number": number, "email": "x@example.org"}).status_code == 404
    found = client.post("/track", data={"tracking_number": number.lower(), "email": citizen.email.upper()})
    assert found.status_code == 200 and "Under review" in found.get_data(as_text=True)


def test_claimed_task_is_forbidden_to_a_colleague_and_done_task_is_a_conflict(person, open_task, petition_of):
    _, citizen_client = person("citizen")
    _, first = person("relations_agent", "bcrc")
    _, second = person("relations_agent", "bcrc")
    task = open_task(petition_of(submit(citizen_client)), "qualify")
    assert first.post(f"/tasks/{task}/claim").status_code == 302
    assert second.post(f"/tasks/{task}/claim").status_code == 409
    assert complete(second, task, decision="reject", reason="no").status_code == 403
    assert complete(first, task, decision="reject", reason="Out of scope").status_code == 302
    assert complete(first, task, decision="reject", reason="again").status_code == 409


def test_invalid_task_form_keeps_the_input_and_explains(person, open_task, petition_of):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    task = open_task(petition_of(submit(citizen_client)), "qualify")
    response = complete(bcrc, task, decision="transfer", reason="Wrong office")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Wrong office" in page
