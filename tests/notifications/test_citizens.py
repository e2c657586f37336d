"""Citizens' mail at each public step, driven over HTTP and delivered through a real SMTP server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine
from flask import Flask

from app.db import get_session
from app.engine.timers import TimerWorker
from app.petitions import petition_service
from app.petitions.models import Channel
from tests.petitions.conftest import submit
from tests.petitions.test_journeys import complete

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday; no holidays are loaded


def subjects(inbox, address):
    return [m.subject for m in inbox.to(address)]


def test_complaint_journey_mails_the_citizen_at_each_public_step(person, open_task, petition_of, deliver, inbox):
    with time_machine.travel(T0, tick=False):
        citizen, citizen_client = person("citizen")
        bcrc_agent, bcrc = person("relations_agent", "bcrc")
        _, health_office = person("relations_agent", "min-health")
        _, health_agent = person("body_agent", "min-health")
        number = submit(citizen_client)
        petition = petition_of(number)
        bcrc.post(f"/tasks/{open_task(petition, 'qualify')}/comment", data={"comment": "INTERNAL: caller was rude"})
        complete(bcrc, open_task(petition, "qualify"), decision="transfer", competent_body="min-health",
                 reason="Hospitals are the Ministry's <business> & nobody else's")
        complete(health_office, open_task(petition, "qualify"), decision="accept", competent_body="min-health")
        complete(health_agent, open_task(petition, "draft_answer"), decision="submit", answer="A second desk opens.")
        complete(health_office, open_task(petition, "validate_answer"), decision="approve")
        citizen_client.post(f"/petitions/{number}/rate", data={"rating": "5"})
        report = deliver()

    assert (report.sent, report.retried, report.failed) == (4, 0, 0)
    assert subjects(inbox, citizen.email) == [
        f"Petition {number} received",
        f"Petition {number} transferred to Ministry of Health",
        f"Petition {number} answered",
        f"Petition {number} closed",
    ]
    assert all(m.recipients == [citizen.email] for m in inbox.received)
    received, transferred, answered, closed = (m.body for m in inbox.received)
    assert f"Its tracking number is {number}" in received
    assert "Handled by: Central Office for Relations with Citizens" in received
    assert "Answer due by: March 23, 2026" in received
    assert f"http://127.0.0.1:5000/petitions/{number}" in received
    # Plain text: nothing is HTML-escaped.
    assert "Reason: Hospitals are the Ministry's <business> & nobody else's" in transferred
    assert "A second desk opens." in answered and "rate the answer" in answered
    assert f"Your petition {number} is now closed." in closed
    assert not any("INTERNAL" in m.body for m in inbox.received)
    assert inbox.received[0].message["From"] == "ePeople <no-reply@epeople.test>"
    assert not inbox.to(bcrc_agent.email)


def test_french_citizen_is_mailed_in_french(person, open_task, petition_of, deliver, inbox):
    with time_machine.travel(T0, tick=False):
        citizen, citizen_client = person("citizen", preferred_language="fr")
        _, bcrc = person("relations_agent", "bcrc")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="transfer",
                 competent_body="min-health", reason="Compétence du ministère")
        deliver()

    received, transferred = inbox.to(citizen.email)
    assert received.subject == f"Requête {number} reçue"
    assert f"Son numéro de suivi est {number}" in received.body
    assert "Traitée par : Bureau central des relations avec le citoyen" in received.body
    assert "Date limite de réponse : 23 mars 2026" in received.body
    assert transferred.subject == f"Requête {number} transférée à : Ministère de la Santé"
    assert "Motif : Compétence du ministère" in transferred.body


def test_arabic_citizen_is_mailed_in_arabic(person, open_task, petition_of, deliver, inbox):
    with time_machine.travel(T0, tick=False):
        citizen, citizen_client = person("citizen", preferred_language="ar")
        _, bcrc = person("relations_agent", "bcrc")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="reject", reason="خارج الاختصاص")
        deliver()

    received, rejected = inbox.to(citizen.email)
    assert received.subject == f"تلقّي العريضة {number}"
    assert "المكتب المركزي للعلاقات مع المواطن" in received.body
    assert "23 مارس 2026" in received.body
    assert rejected.subject == f"رفض العريضة {number}"
    assert "السبب: خارج الاختصاص" in rejected.body


def test_information_request_mail_holds_the_question(person, open_task, petition_of, deliver, inbox):
    citizen, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client, "inquiry", inquiry_question="Which form?")
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="request_info",
             question="Born in which governorate?")
    deliver()

    mail = inbox.to(citizen.email)[-1]
    assert mail.subject == f"Petition {number}: information requested from you"
    assert "Born in which governorate?" in mail.body
    assert "within 10 working days" in mail.body


def test_deadline_extension_mail_gives_the_reason_and_the_new_deadline(person, open_task, petition_of, deliver, inbox):
    with time_machine.travel(T0, tick=False):
        citizen, citizen_client = person("citizen")
        _, bcrc = person("relations_agent", "bcrc")
        _, agent = person("body_agent", "min-health")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
        complete(agent, open_task(petition_of(number), "draft_answer"), decision="extend",
                 extension_reason="Site inspection needed")
        due = petition_of(number).response_due_at
        deliver()

    mail = inbox.to(citizen.email)[-1]
    assert mail.subject == f"Petition {number}: deadline extended"
    assert "Reason: Site inspection needed" in mail.body
    assert f"New deadline: {due:%B} {due.day}, {due.year}" in mail.body
    assert due.date() > datetime(2026, 3, 23).date()


def test_unanswered_information_request_mails_that_the_petition_was_abandoned(
    person, open_task, petition_of, deliver, inbox, app, db
):
    with time_machine.travel(T0, tick=False) as clock:
        citizen, citizen_client = person("citizen")
        _, bcrc = person("relations_agent", "bcrc")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="request_info", question="Address?")
        clock.move_to(T0 + timedelta(days=30))
        # No app context here: the worker's own transaction renders and queues the mail.
        TimerWorker(db, app.extensions["engine"], owner="t").run_once()
        deliver()

    assert subjects(inbox, citizen.email)[-1] == f"Petition {number} closed without your reply"
    assert "did not arrive in time" in inbox.to(citizen.email)[-1].body


def test_anonymous_corruption_report_sends_nothing(app, client, person, open_task, session, outbox_rows, deliver, inbox):
    _, unit = person("relations_agent", "anti-corruption-unit")
    client.post("/petitions/new/corruption", data={
        "subject": "Cash for permits", "facts": "A clerk asks 50 TND per stamp.",
        "reporter_contact": "Witness W., witness@example.org"})
    from app.petitions.models import Petition

    petition = session.query(Petition).one()
    complete(unit, open_task(petition, "examine"), decision="accept")
    complete(unit, open_task(petition, "answer_report"), answer="The clerk was suspended.")
    deliver()

    assert outbox_rows() == [] and inbox.received == []


def test_signed_in_corruption_reporter_is_mailed_without_their_identity(person, open_task, petition_of, deliver, inbox):
    citizen, citizen_client = person("citizen")
    _, unit = person("relations_agent", "anti-corruption-unit")
    number = submit(citizen_client, "corruption", subject="Cash for permits", facts="50 TND per stamp.",
                    reporter_contact="Witness W., 20 000 000")
    complete(unit, open_task(petition_of(number), "examine"), decision="accept")
    complete(unit, open_task(petition_of(number), "answer_report"), answer="The clerk was suspended.")
    deliver()

    mails = inbox.to(citizen.email)
    assert [m.subject for m in mails][:2] == [f"Petition {number} received", f"Petition {number} answered"]
    assert not any("Witness W." in m.body or "20 000 000" in m.body for m in inbox.received)


def test_petition_without_account_is_mailed_in_the_language_it_was_submitted_in(
    app: Flask, portal, person, open_task, petition_of, deliver, inbox
):
    with app.test_request_context("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}):
        submission = petition_service().submit(
            "complaint", {"subject": "Éclairage public", "description": "Rue sans lumière."}, [],
            citizen_id=None, contact_email="guichet@example.org", channel=Channel.COUNTER,
        )
        get_session().commit()
        number = submission.petition.tracking_number
    _, bcrc = person("relations_agent", "bcrc")  # works in English
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="reject", reason="Hors champ")
    deliver()

    received, rejected = inbox.to("guichet@example.org")
    assert (received.subject, rejected.subject) == (f"Requête {number} reçue", f"Requête {number} rejetée")
    assert "http://127.0.0.1:5000/track" in received.body  # no account: the public lookup


def test_citizen_with_a_phone_gets_a_text_when_received_and_answered(
    app: Flask, person, open_task, petition_of, deliver, sms_outbox, monkeypatch
):
    monkeypatch.setitem(app.config, "SMS_ENABLED", True)
    citizen, citizen_client = person("citizen", phone="+216 20 000 001")
    _, bcrc = person("relations_agent", "bcrc")
    _, agent = person("body_agent", "min-health")
    number = submit(citizen_client)
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
    complete(agent, open_task(petition_of(number), "draft_answer"), decision="submit", answer="Done.")
    complete(bcrc, open_task(petition_of(number), "validate_answer"), decision="approve")
    report = deliver()

    assert [s.to for s in sms_outbox] == ["+216 20 000 001"] * 2
    assert [s.text for s in sms_outbox] == [
        f"ePeople: petition {number} received. Follow it at http://127.0.0.1:5000/petitions/{number}",
        f"ePeople: your petition {number} has been answered. Read the answer at "
        f"http://127.0.0.1:5000/petitions/{number}",
    ]
    assert report.sent == 4  # two e-mails, two texts


def test_no_text_is_sent_when_sms_is_disabled(person, petition_of, outbox_rows, sms_outbox, deliver):
    _, citizen_client = person("citizen", phone="+216 20 000 001")
    submit(citizen_client)
    deliver()

    assert [row.channel for row in outbox_rows()] == ["email"] and sms_outbox == []
