"""Bad diagrams are rejected with the file, line and element, and nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.engine.models import ProcessVersion
from app.engine.types import InvalidDiagram

from tests.engine.diagrams import read_diagram

GOOD = read_diagram("approval.bpmn")


def _errors(engine, data: bytes):
    with pytest.raises(InvalidDiagram) as raised:
        engine.deploy(data, "bad.bpmn", "tester")
    return raised.value.errors


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_malformed_xml_is_rejected_with_its_line(engine):
    data = GOOD.replace(b"</bpmn:userTask>", b"</bpmn:userTaskk>", 1)
    [error] = _errors(engine, data)
    assert "not well-formed" in error.message
    assert error.filename == "bad.bpmn"
    assert error.line == _line_of(data, b"</bpmn:userTaskk>")


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
    ids=["external-entity", "entity-expansion-bomb"],
)
def test_dtds_and_entities_are_refused_before_parsing(engine, session, prolog):
    data = GOOD.replace(b"?>\n", b"?>\n" + prolog + b"\n", 1).replace(b'name="Approval"', b'name="&b;&xxe;"')
    [error] = _errors(engine, data)
    assert "DTD" in error.message and error.line == 2
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 0


def test_oversized_file_is_refused(engine, runtime, monkeypatch):
    monkeypatch.setattr(runtime, "max_bpmn_bytes", 1000)
    [error] = _errors(engine, GOOD)
    assert "limit is 1000" in error.message


def test_missing_form_names_the_task(engine):
    data = GOOD.replace(b'value="answer.json"', b'value="no-such-form.json"')
    [error] = _errors(engine, data)
    assert error.element_id == "answer" and "does not exist" in error.message
    assert error.line == _line_of(data, b'<bpmn:userTask id="answer"')


def test_gateway_flow_without_condition_or_default_is_refused(engine):
    data = GOOD.replace(b' default="f_reject"', b"")
    [error] = _errors(engine, data)
    assert error.element_id == "f_reject" and "no condition" in error.message


@pytest.mark.parametrize(
    "script",
    [b"import os", b"x = ().__class__.__bases__[0].__subclasses__()", b"x = _secret"],
)
def test_forbidden_script_is_refused_at_deploy_with_the_task_named(engine, script):
    data = GOOD.replace(b'summary = subject + ": " + answer_text', script)
    errors = _errors(engine, data)
    assert any(e.element_id == "summarise" for e in errors), errors


def test_forbidden_condition_is_refused(engine):
    data = GOOD.replace(b'decision == "accept"', b"__import__('os').system('id')")
    [error] = _errors(engine, data)
    assert error.element_id == "f_accept"


def test_reserved_ids_and_dangling_flows_are_named(engine):
    data = GOOD.replace(b'id="done"', b'id="End"').replace(b'targetRef="done"', b'targetRef="nowhere"')
    messages = {(e.element_id, e.message.split(" ")[0]) for e in _errors(engine, data)}
    assert ("End", "the") in messages
    assert ("f4", "targetRef") in messages


def test_user_task_outside_every_lane_is_refused(engine):
    data = GOOD.replace(b"<bpmn:flowNodeRef>answer</bpmn:flowNodeRef>", b"")
    [error] = _errors(engine, data)
    assert error.element_id == "answer" and "no lane" in error.message


def test_spiffworkflow_schema_errors_carry_the_line(engine):
    data = GOOD.replace(b'<bpmn:endEvent id="rejected">', b'<bpmn:endEvent id="rejected" bogus="1">')
    [error] = _errors(engine, data)
    assert error.line == _line_of(data, b'bogus="1"')


def test_validate_reports_without_storing(engine, session):
    assert engine.validate(GOOD, "approval.bpmn") == []
    assert engine.validate(b"<x/>", "x.bpmn")[0].message.startswith("the root element")
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 0
