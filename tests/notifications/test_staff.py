"""Staff are mailed when a colleague assigns them a task."""

from __future__ import annotations

from tests.petitions.conftest import submit
from tests.petitions.test_journeys import complete


def _draft_task(person, open_task, petition_of, petition_type="complaint", **fields):
    _, citizen_client = person("citizen")
    _, bcrc = person("relations_agent", "bcrc")
    number = submit(citizen_client, petition_type, **fields)
    complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
    return number, open_task(petition_of(number), "draft_answer")


def test_reassigned_task_mails_the_new_assignee_in_their_language(person, open_task, petition_of, deliver, inbox):
    number, task = _draft_task(person, open_task, petition_of)
    me, my_client = person("body_agent", "min-health", full_name="Sami Ben Ali")
    colleague, _ = person("body_agent", "min-health", preferred_language="fr")
    bystander, _ = person("body_agent", "min-health")

    response = my_client.post(f"/tasks/{task}/reassign", data={"user_id": colleague.id})
    deliver()

    assert response.status_code == 302
    (mail,) = [m for m in inbox.received if m.subject.startswith(("Task", "Tâche"))]
    assert mail.recipients == [colleague.email]
    assert mail.subject == f"Tâche qui vous est confiée : Rédiger la réponse ({number})"
    assert "Sami Ben Ali vous a confié une tâche" in mail.body
    assert f"http://127.0.0.1:5000/tasks/{task}" in mail.body
    assert "Water cut in El Menzah 6" in mail.body
    assert not inbox.to(me.email) and not inbox.to(bystander.email)


def test_claiming_a_task_mails_nobody(person, open_task, petition_of, outbox_rows):
    _, task = _draft_task(person, open_task, petition_of)
    _, agent = person("body_agent", "min-health")
    agent.post(f"/tasks/{task}/claim")

    assert "task_assigned" not in [row.kind for row in outbox_rows()]


def test_reassigning_to_oneself_mails_nobody(person, open_task, petition_of, outbox_rows):
    _, task = _draft_task(person, open_task, petition_of)
    me, my_client = person("body_agent", "min-health")
    my_client.post(f"/tasks/{task}/reassign", data={"user_id": me.id})

    assert "task_assigned" not in [row.kind for row in outbox_rows()]


def test_corruption_task_mail_leaves_the_subject_and_the_reporter_out(person, open_task, petition_of, outbox_rows):
    _, citizen_client = person("citizen")
    number = submit(citizen_client, "corruption", subject="Cash for permits at the port", facts="50 TND.",
                    reporter_contact="Witness W.")
    task = open_task(petition_of(number), "examine")
    _, unit = person("relations_agent", "anti-corruption-unit")
    colleague, _ = person("relations_agent", "anti-corruption-unit")
    unit.post(f"/tasks/{task}/reassign", data={"user_id": colleague.id})

    (row,) = outbox_rows("task_assigned")
    assert row.recipient == colleague.email and number in row.subject
    assert "Cash for permits" not in row.body and "Witness W." not in row.body
