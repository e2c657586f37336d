"""The demo petitions of ``init-db --demo``: every state a visitor should find, loaded once."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import click
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import UserService
from app.engine.models import HumanTask
from app.org.models import Body
from app.petitions.demo import DEMO_PETITIONS, load_demo_petitions
from app.petitions.models import Petition, PetitionType
from app.petitions.services import receipt_hash


@pytest.fixture
def demo_people(app: Flask, session: Session, portal: dict[str, Body]) -> None:
    """The demo accounts, as ``load_demo_people`` loads them before this loader."""
    with app.app_context():  # the password hasher's settings come from the app
        users = os.path.join(app.config["DEMO_DIR"], "users.json")
        UserService(session, app.extensions["mailer"]).seed_demo(users)


@pytest.fixture
def loaded(app: Flask, demo_people: None) -> Iterator[str]:
    """The loader's summary line, run in an app context as ``init-db --demo`` does."""
    with app.app_context():
        yield load_demo_petitions()


def petitions(session: Session) -> dict[str, Petition]:
    """The demo petitions by subject."""
    session.expire_all()
    return {p.subject: p for p in session.scalars(select(Petition).order_by(Petition.id))}


def subject_of(state: str) -> str:
    return next(str(d.data["subject"]) for d in DEMO_PETITIONS if d.state == state)


def open_tasks(session: Session, petition: Petition) -> dict[str, tuple[str | None, str | None]]:
    """Open task name → (body, assignee)."""
    rows = session.execute(
        select(HumanTask.task_name, HumanTask.body, HumanTask.assignee)
        .where(HumanTask.instance_id == petition.instance_id)
    )
    return {name: (body, assignee) for name, body, assignee in rows}


def email_of(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.email if user else None


class TestLoadDemoPetitions:
    def test_load_demo_petitions_creates_one_petition_per_demo_state(
        self, loaded: str, session: Session
    ) -> None:
        found = petitions(session)
        assert len(found) == len(DEMO_PETITIONS) >= 8
        assert loaded.startswith(f"demo petitions: {len(DEMO_PETITIONS)} created")
        assert {p.type for p in found.values()} == set(PetitionType)
        citizens = {email_of(session, p.citizen_id) for p in found.values()}
        assert citizens == {"citizen.amira@example.org", "citizen.leila@example.org", None}

    def test_load_demo_petitions_writes_in_arabic_and_french(
        self, loaded: str, session: Session
    ) -> None:
        texts = [p.subject + p.description for p in petitions(session).values()]
        assert any(re.search("[\u0600-\u06ff]", text) for text in texts)
        assert any(re.search("[éèàç]", text) for text in texts)

    @pytest.mark.parametrize(
        ("state", "status", "office", "tasks"),
        [
            ("under review at the BCRC", "under_review", "bcrc", {"qualify": ("bcrc", None)}),
            ("transferred to the Municipality of Sfax", "under_review", "mun-sfax",
             {"qualify": ("mun-sfax", None)}),
            ("information requested from the citizen", "information_requested", "bcrc", {}),
            ("being answered at the Ministry of Health", "in_progress", "min-health",
             {"draft_answer": ("min-health", "health.agent@example.org")}),
            ("answered, awaiting the citizen's rating", "answered", "bcrc",
             {"survey": ("bcrc", None)}),
            ("closed with a rating", "closed", "mun-sfax", {}),
            ("rejected", "rejected", "bcrc", {}),
            ("anonymous corruption report under examination", "under_review",
             "anti-corruption-unit", {"examine": ("anti-corruption-unit", None)}),
        ],
    )
    def test_load_demo_petitions_leaves_each_petition_in_its_state(
        self, loaded: str, session: Session, state: str, status: str, office: str,
        tasks: dict[str, tuple[str, str | None]],
    ) -> None:
        petition = petitions(session)[subject_of(state)]
        assert (petition.status, petition.current_office) == (status, office)
        found = {
            name: (body, email_of(session, int(assignee)) if assignee else None)
            for name, (body, assignee) in open_tasks(session, petition).items()
        }
        assert found == tasks

    def test_load_demo_petitions_records_what_the_citizens_read(
        self, loaded: str, session: Session
    ) -> None:
        found = petitions(session)
        transferred = found[subject_of("transferred to the Municipality of Sfax")]
        assert [e.kind for e in transferred.timeline] == ["received", "transferred"]
        assert found[subject_of("information requested from the citizen")].open_question
        answered = found[subject_of("answered, awaiting the citizen's rating")]
        assert answered.answer and answered.answered_at and answered.competent_body == "min-health"
        closed = found[subject_of("closed with a rating")]
        assert (closed.rating, closed.closed_at is not None) == (4, True)
        public = [e.kind for e in closed.timeline if e.public]
        assert public == ["received", "accepted", "answered", "rated", "closed"]
        rejected = found[subject_of("rejected")]
        assert "tribunal" in next(e.text for e in rejected.timeline if e.kind == "rejected")

    def test_load_demo_petitions_prints_a_receipt_code_that_finds_the_anonymous_report(
        self, app: Flask, loaded: str, session: Session
    ) -> None:
        report = petitions(session)[subject_of("anonymous corruption report under examination")]
        assert (report.anonymous, report.citizen_id, report.contact_email) == (True, None, None)
        match = re.search(r"receipt code ((?:\d{4} ){3}\d{4})", loaded)
        assert match is not None, loaded
        assert report.tracking_number in loaded
        assert report.receipt_hash == receipt_hash(match[1], str(app.config["SECRET_KEY"]).encode())
        page = app.test_client().post("/track/receipt", data={"receipt": match[1]})
        assert page.status_code == 200 and report.tracking_number in page.get_data(as_text=True)

    def test_load_demo_petitions_skips_when_petitions_exist(
        self, app: Flask, loaded: str, session: Session
    ) -> None:
        before = {p.id: (p.status, p.updated_at) for p in petitions(session).values()}
        with app.app_context():
            again = load_demo_petitions()
        assert again == "demo petitions: skipped, petitions exist already"
        assert {p.id: (p.status, p.updated_at) for p in petitions(session).values()} == before

    def test_load_demo_petitions_fails_clearly_without_the_demo_accounts(
        self, app: Flask, portal: dict[str, Body], session: Session
    ) -> None:
        missing_accounts = pytest.raises(click.ClickException, match="citizen.amira@example.org")
        with app.app_context(), missing_accounts:
            load_demo_petitions()
        assert petitions(session) == {}


def test_init_db_demo_runs_the_people_loader_before_the_petitions_loader(app: Flask) -> None:
    names = [loader.__name__ for loader in app.extensions["demo_loaders"]]
    assert names.index("load_demo_people") < names.index("load_demo_petitions")


def test_init_db_demo_summarises_the_demo_petitions_for_the_statistics_page(
    app: Flask, loaded: str, client
) -> None:
    names = [loader.__name__ for loader in app.extensions["demo_loaders"]]
    assert names.index("load_demo_petitions") < names.index("load_demo_summary")
    with app.app_context():
        line = app.extensions["demo_loaders"][names.index("load_demo_summary")]()
    assert line.startswith("statistics: full refresh")
    data = client.get("/statistics/data.json").get_json()
    assert data["received"] == len(DEMO_PETITIONS) and data["figures_as_of"]
