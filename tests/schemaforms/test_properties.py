"""Property-based tests of form validation: whatever a client sends, the answer is a message per
field or an accepted form; never an exception, never a server error, nothing stored when refused.

Hypothesis draws the data: every form in ``forms/`` with known and unknown keys, values of any
JSON type, Arabic text, control characters (NUL included) and strings far over the limits. The
example counts stay small so the suite stays fast; a failure prints the smallest data found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app import schemaforms
from app.engine.forms import FormMessage, FormRegistry
from app.engine.models import HumanTask, ProcessInstance
from app.petitions.models import Petition
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401  (fixtures)
from tests.properties import EXAMPLES, check_examples

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
FORM_NAMES = sorted(p.name for p in FORMS_DIR.glob("*.json"))
# Every message ``_friendly`` can give (the English templates the catalogs translate).
FRIENDLY = set(re.findall(r'N_\("([^"]+)"', (Path(__file__).resolve().parents[2] / "app/engine/forms.py").read_text()))

HTTP_EXAMPLES = settings(EXAMPLES, max_examples=25)

ARABIC = st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=40)
CONTROL = st.text(st.characters(max_codepoint=0x1F), max_size=10)
# Long strings are built by repetition: Hypothesis' own buffer is too small to draw 6,000 chars.
HUGE = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(1000, 3000))
TEXT = st.one_of(st.text(max_size=60), ARABIC, CONTROL, HUGE)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)


def _keys(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(schema["properties"])) | st.text(max_size=12)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_any_data_gets_a_friendly_message_per_field_or_passes(name: str) -> None:
    registry = FormRegistry(str(FORMS_DIR))
    schema = registry.schema(name)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def check(data: dict[str, Any]) -> None:
        errors = registry.errors(name, data)
        assert bool(errors) == (not validator.is_valid(data))
        for path, message in errors.items():
            assert isinstance(message, FormMessage) and message.template in FRIENDLY, message
            assert path == "" or path.split(".")[0] in schema["properties"], path

    check_examples(st.dictionaries(_keys(schema), JSON, max_size=8), check)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_any_submitted_form_parses_into_data_the_registry_judges(name: str) -> None:
    """What a browser can send: text under any name, one value or several."""
    registry = FormRegistry(str(FORMS_DIR))
    schema = registry.schema(name)

    def check(pairs: list[tuple[str, str]]) -> None:
        data = schemaforms.parse(schema, MultiDict(pairs))
        assert set(data) <= set(schema["properties"])
        registry.errors(name, data)

    check_examples(st.lists(st.tuples(_keys(schema), TEXT), max_size=8), check)


def _petitions(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Petition)) or 0


# Fields whose options the app knows at run time (the demo bodies).
BODIES = st.sampled_from(["min-health", "mun-sfax", "bcrc"])


def _plausible(name: str, spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """What a person would pick or type in this field."""
    if name in ("target_body", "competent_body"):
        return BODIES
    if "enum" in spec:
        return st.sampled_from([str(v) for v in spec["enum"]])
    if spec.get("format") == "date":
        return st.dates().map(str)
    if spec.get("type") in ("integer", "number"):
        return st.integers(-2, 12).map(str)
    if spec.get("type") == "boolean":
        return st.sampled_from(["on", ""])
    return st.text(st.characters(categories=["L", "N", "Zs"]), min_size=3, max_size=60) | ARABIC


def _form_data(app: Flask, form: str) -> st.SearchStrategy[dict[str, str]]:
    """Either every field filled as a person would (mostly accepted), or each field left out,
    plausible or anything, sometimes with fields the form lacks."""
    properties = app.extensions["engine"].forms.schema(form)["properties"]
    filled = st.fixed_dictionaries({name: _plausible(name, spec) for name, spec in properties.items()})
    known = st.fixed_dictionaries(
        {}, optional={name: _plausible(name, spec) | TEXT for name, spec in properties.items()}
    )
    extra = st.dictionaries(st.text(max_size=8), TEXT, max_size=2)
    return filled | st.tuples(known, extra).map(lambda both: {**both[1], **both[0]})


def _shown_errors(page: str, fields: set[str]) -> None:
    """Each field with a problem has its message beside it (and the summary lists them)."""
    assert 'class="error-summary"' in page
    for name in fields - {""}:
        assert f'id="error-{name}"' in page, name


def _refused_at_the_door(data: dict[str, str], response: Any) -> bool:
    """A NUL anywhere is refused before the view (``app.security``): PostgreSQL stores none."""
    if not any("\x00" in value for value in data.values()):
        return False
    assert response.status_code == 400
    return True


@pytest.mark.parametrize("petition_type", ["complaint", "inquiry", "guidance", "suggestion", "corruption"])
def test_the_start_form_refuses_bad_input_with_messages_and_stores_nothing(
    app: Flask, session: Session, person: Callable[..., Any], petition_type: str
) -> None:
    _citizen, client = person("citizen")
    registry = app.extensions["engine"].forms
    form = f"{petition_type}_start.json"
    schema = registry.schema(form)
    statuses: list[int] = []

    def check(data: dict[str, str]) -> None:
        before = _petitions(session)
        response = client.post(f"/petitions/new/{petition_type}", data=data)
        statuses.append(response.status_code)
        page = response.get_data(as_text=True)
        parsed = schemaforms.parse(schema, MultiDict(data))
        if _refused_at_the_door(data, response) or response.status_code == 400:
            assert _petitions(session) == before
            if "\x00" not in "".join(data.values()):
                _shown_errors(page, set(registry.errors(form, parsed)))
            return
        # Accepted: one petition more, holding what was sent (trimmed, NUL-free).
        # (A corruption report sent as anonymous answers with its receipt page, not a redirect.)
        assert response.status_code in ((200, 302) if petition_type == "corruption" else (302,)), page[:500]
        assert _petitions(session) == before + 1
        newest = session.scalars(select(Petition).order_by(Petition.id.desc()).limit(1)).one()
        assert newest.subject == parsed["subject"]

    check_examples(_form_data(app, form), check, HTTP_EXAMPLES)
    assert 400 in statuses and len(set(statuses)) > 1, statuses  # both refused and accepted forms


def test_completing_a_task_with_any_input_completes_it_or_shows_messages(
    app: Flask, session: Session, person: Callable[..., Any], open_task: Callable[..., str],
    petition_of: Callable[[str], Petition],
) -> None:
    """The BCRC's qualification form, sent by its relations agent with drawn values."""
    _citizen, citizen = person("citizen")
    _agent, agent = person("relations_agent", "bcrc")
    task: dict[str, Any] = {}
    statuses: list[int] = []

    def fresh_task() -> None:
        petition = petition_of(submit(citizen))
        task.update(id=open_task(petition, "qualify"), instance=petition.instance_id)

    def revision() -> int:
        session.expire_all()
        return session.get(ProcessInstance, task["instance"]).revision

    fresh_task()

    def check(data: dict[str, str]) -> None:
        before = revision()
        response = agent.post(f"/tasks/{task['id']}/complete", data=data)
        statuses.append(response.status_code)
        if _refused_at_the_door(data, response) or response.status_code == 400:
            assert revision() == before and session.get(HumanTask, task["id"]) is not None
            if "\x00" not in "".join(data.values()):
                _shown_errors(response.get_data(as_text=True), set())
            return
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert revision() > before and session.get(HumanTask, task["id"]) is None
        fresh_task()

    check_examples(_form_data(app, "qualify.json"), check, HTTP_EXAMPLES)
    assert set(statuses) == {302, 400}, statuses

