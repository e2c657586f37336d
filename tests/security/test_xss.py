"""Script injection: every text a citizen or an agent can write, on every page that shows it.

Each field gets a payload with a marker naming the field, so a page that stopped showing the
field cannot make the test pass by accident: the escaped form must be there, the raw one never.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import escape

from app.auth.models import Role
from tests.petitions.conftest import submit
from tests.security.conftest import BODY_X

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "arabic": "شكوى <b onmouseover=alert(1)>عاجلة</b> «نص»",
    "javascript-url": "javascript:alert(1)//<a href=javascript:alert(1)>x</a>",
}


def _payload(kind: str, field: str) -> str:
    return f"{field}-{PAYLOADS[kind]}"


def _page(client: Any, url: str, method: str = "GET", **data: Any) -> str:
    response = client.post(url, data=data) if method == "POST" else client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


class _Injected(HTMLParser):
    """Collects what a browser would run: script elements, on* attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")


def _assert_escaped(html: str, value: str, *, shown: bool = True) -> None:
    assert value not in html, f"raw payload in page: {value!r}"
    parser = _Injected()
    parser.feed(html)
    assert parser.found == [], parser.found
    if shown:
        assert str(escape(value)) in html, f"field not shown (escaped) at all: {value!r}"


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_every_citizen_and_agent_text_is_escaped_on_every_page(kind, app, client, person, open_task, petition_of):
    p = lambda field: _payload(kind, field)  # noqa: E731
    # A citizen registers with the payload as their name.
    response = client.post("/register", data={
        "email": "xss@example.org", "full_name": p("name"), "password": "correct-horse-battery",
        "confirm": "correct-horse-battery", "preferred_language": "en",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    _assert_escaped(_page(client, "/petitions/mine"), p("name"))
    _, office = person("relations_agent", BODY_X, full_name=p("office-name"))
    _, colleague = person("relations_agent", BODY_X, full_name=p("colleague-name"))
    _, agent = person("body_agent", BODY_X, full_name=p("agent-name"))
    _, admin = person("admin")

    number = submit(client, subject=p("subject")[:200], description=p("description"),
                    location=p("location"), target_body=BODY_X,
                    attachments=(io.BytesIO(b"%PDF-1.4 x"), p("file") + ".pdf"))
    petition = petition_of(number)
    qualify = open_task(petition, "qualify")
    for url in ("/tasks/", f"/tasks/{qualify}"):
        _assert_escaped(_page(office, url), p("subject")[:200])
    task_page = _page(office, f"/tasks/{qualify}")
    for field in ("description", "location"):
        _assert_escaped(task_page, p(field))
    _assert_escaped(_page(client, f"/petitions/{number}"), p("subject")[:200])

    # Internal comment, reassignment note (a colleague's name), then a question to the citizen.
    assert office.post(f"/tasks/{qualify}/comment", data={"comment": p("comment")}).status_code == 302
    colleague_id = next(u.id for u in _staff(app) if u.full_name == p("colleague-name"))
    assert office.post(f"/tasks/{qualify}/reassign", data={"user_id": colleague_id}).status_code == 302
    task_page = _page(colleague, f"/tasks/{qualify}")
    _assert_escaped(task_page, p("comment"))
    _assert_escaped(task_page, p("colleague-name"))
    assert colleague.post(f"/tasks/{qualify}/complete", data={
        "decision": "request_info", "question": p("question")}).status_code == 302
    _assert_escaped(_page(client, f"/petitions/{number}"), p("question"))
    assert client.post(f"/petitions/{number}/reply", data={"text": p("reply")}).status_code == 302
    _assert_escaped(_page(client, f"/petitions/{number}"), p("reply"))

    qualify = open_task(petition, "qualify")
    _assert_escaped(_page(office, f"/tasks/{qualify}"), p("reply"))
    assert office.post(f"/tasks/{qualify}/complete", data={
        "decision": "accept", "competent_body": BODY_X}).status_code == 302
    draft = open_task(petition, "draft_answer")
    assert agent.post(f"/tasks/{draft}/complete", data={"decision": "submit", "answer": p("answer")}).status_code == 302
    validate = open_task(petition, "validate_answer")
    _assert_escaped(_page(office, f"/tasks/{validate}"), p("answer"))
    assert office.post(f"/tasks/{validate}/complete", data={"decision": "approve"}).status_code == 302
    _assert_escaped(_page(client, f"/petitions/{number}"), p("answer"))
    assert client.post(f"/petitions/{number}/rate", data={"rating": "2", "comment": p("rating")}).status_code == 302

    track = _page(client, "/track", "POST", tracking_number=number, email="xss@example.org")
    _assert_escaped(track, p("answer"))
    _assert_escaped(track, p("question"))

    # A rejection reason, on a second petition.
    second = submit(client, subject="Second", description="Second one")
    rejected = open_task(petition_of(second), "qualify")
    _, bcrc = person("relations_agent", "bcrc")
    assert bcrc.post(f"/tasks/{rejected}/complete", data={"decision": "reject", "reason": p("reason")}).status_code == 302
    _assert_escaped(_page(client, f"/petitions/{second}"), p("reason"))

    # Administrators' pages list the names staff and citizens chose.
    _assert_escaped(_page(admin, "/admin/users"), p("office-name"))
    for url in ("/admin/", "/admin/bodies", "/admin/holidays", "/admin/api-clients", "/tasks/"):
        html = _page(admin, url)
        for field in ("name", "office-name", "subject", "description", "comment", "reply", "answer"):
            _assert_escaped(html, p(field), shown=False)


def _staff(app: Any) -> list[Any]:
    from sqlalchemy import select

    from app.auth.models import User

    with app.extensions["db"].session() as session:
        return list(session.scalars(select(User).where(User.role == Role.RELATIONS_AGENT)))


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_receipt_page_escapes_the_reporters_texts(kind, app, client, portal):
    report = client.post("/petitions/new/corruption", data={
        "subject": _payload(kind, "subject")[:200], "facts": _payload(kind, "facts"), "target_body": BODY_X,
    })
    assert report.status_code == 200
    html = client.get("/track/receipt").get_data(as_text=True)
    _assert_escaped(html, _payload(kind, "subject")[:200], shown=False)
    _assert_escaped(report.get_data(as_text=True), _payload(kind, "subject")[:200], shown=False)
