"""Property-based tests of diagram uploads: arbitrary bytes and mutated valid diagrams (elements
dropped, duplicated or renamed, references broken, attributes and texts replaced) are either
accepted or rejected with errors that say where and why; never an exception, never a server
error, and a rejected upload stores nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine.models import ProcessVersion, SpecBlob
from app.engine.types import InvalidDiagram
from tests.admin.layout import with_di
from tests.admin.test_processes import MINI
from tests.properties import EXAMPLES, check_examples

VALID = with_di(MINI)
PARSE_EXAMPLES = settings(EXAMPLES, max_examples=60)
# Through HTTP a diagram that passes the engine's checks also goes through bpmnlint (Node, about
# half a second a run): fewer examples.
HTTP_EXAMPLES = settings(EXAMPLES, max_examples=15)

# Text lxml can put in an attribute or an element (no control characters, no surrogates).
XML_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=30)
IDS = st.sampled_from(["start", "first", "second", "tally", "end", "f1", "f2", "f3", "f4", "Start", "mini"])
OPERATIONS = ["drop", "duplicate", "rename", "retarget", "attribute", "text"]
MUTATIONS = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10_000), IDS | XML_TEXT, XML_TEXT),
    min_size=1, max_size=4,
)


def mutate(xml: bytes, mutations: list[tuple[str, int, str, str]]) -> bytes:
    """Apply each mutation to the element at ``index`` (modulo the number of elements)."""
    root = etree.fromstring(xml)
    for operation, index, value, other in mutations:
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        if not elements:
            break
        element = elements[index % len(elements)]
        parent = element.getparent()
        if operation == "drop":
            parent.remove(element)
        elif operation == "duplicate":
            parent.append(copy.deepcopy(element))
        elif operation == "rename":
            element.set("id", value)
        elif operation == "retarget":
            element.set(("sourceRef", "targetRef", "default", "bpmnElement")[index % 4], value)
        elif operation == "attribute":
            names = sorted(element.attrib) or ["name"]
            element.set(names[index % len(names)], other)
        else:
            element.text = other
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _byte_edits(data: bytes) -> st.SearchStrategy[bytes]:
    """The valid file cut short, or with bytes spliced in."""
    return st.tuples(st.integers(0, len(data)), st.integers(0, 40), st.binary(max_size=20)).map(
        lambda cut: data[: cut[0]] + cut[2] + data[cut[0] + cut[1]:]
    )


UPLOADS = st.one_of(
    st.binary(max_size=300),
    _byte_edits(VALID),
    MUTATIONS.map(lambda mutations: mutate(VALID, mutations)),
)


def _placed(errors: list[dict[str, Any]] | list[Any], data: bytes) -> None:
    """Every error gives a reason, and a line inside the file when it names one."""
    assert errors
    lines = data.count(b"\n") + 1
    for error in errors:
        message, line = (error["message"], error["line"]) if isinstance(error, dict) else (error.message, error.line)
        assert isinstance(message, str) and message.strip(), error
        assert line is None or 1 <= line <= lines, error


def test_the_engine_accepts_or_explains_any_upload(app: Flask) -> None:
    runtime = app.extensions["engine"]

    def check(data: bytes) -> None:
        try:
            parsed = runtime.parse(data, "fuzz.bpmn")
        except InvalidDiagram as error:
            _placed(error.errors, data)
        else:
            assert parsed.process_id and parsed.spec is not None

    check_examples(UPLOADS, check, PARSE_EXAMPLES)


def test_the_mutations_do_reach_both_outcomes(app: Flask) -> None:
    """(So the property above is not vacuous: some mutants are valid, most are not.)"""
    runtime = app.extensions["engine"]
    outcomes: set[bool] = set()

    def check(mutations: list[tuple[str, int, str, str]]) -> None:
        try:
            runtime.parse(mutate(VALID, mutations), "fuzz.bpmn")
            outcomes.add(True)
        except InvalidDiagram:
            outcomes.add(False)

    # A fixed sequence of examples: drawn at random, 60 mutants were now and then all invalid.
    check_examples(MUTATIONS, check, settings(PARSE_EXAMPLES, derandomize=True))
    assert outcomes == {True, False}


def _stored(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ProcessVersion)) or 0,
        session.scalar(select(func.count()).select_from(SpecBlob)) or 0,
    )


def test_validating_and_deploying_any_upload_over_http_never_fails(
    client: FlaskClient, session: Session, login_as: Callable[..., Any]
) -> None:
    login_as("admin")

    def check(data: bytes) -> None:
        validated = client.post("/admin/processes/validate?filename=fuzz.bpmn", data=data,
                                content_type="application/xml")
        assert validated.status_code == 200
        if not validated.json["ok"]:
            _placed(validated.json["errors"], data)
        before = _stored(session)
        deployed = client.post("/admin/processes/deploy?filename=fuzz.bpmn", data=data,
                               content_type="application/xml")
        assert deployed.status_code in (200, 422), deployed.get_data(as_text=True)[:500]
        if deployed.status_code == 422:
            assert not validated.json["ok"]
            _placed(deployed.json["errors"], data)
            assert _stored(session) == before  # no half-written version
        else:
            assert validated.json["ok"]
            versions, _blobs = _stored(session)
            assert versions == before[0] + (1 if deployed.json["created"] else 0)

    check_examples(UPLOADS, check, HTTP_EXAMPLES)
