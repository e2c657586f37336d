"""bpmnlint on the server (app/admin/lint.py) with the project's .bpmnlintrc: our diagrams lint
clean, broken ones get the rule ids and element ids the editor marks, and a missing Node is a
clear LintUnavailable, never a crash."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.admin import lint
from app.admin.lint import LintUnavailable, lint_bpmn

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = sorted((ROOT / "processes").glob("*.bpmn"))

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
    ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
    ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
    ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    ' id="definitions_lint" targetNamespace="https://epeople.example/bpmn">\n'
)


def diagram(nodes: list[tuple[str, str, str]], flows: list[tuple[str, str, str]]) -> bytes:
    """A diagram with layout: nodes are (tag, id, name) laid out in a row, flows (id, source,
    target) with the matching incoming/outgoing references, so only what a test breaks on
    purpose is wrong (no-bpmndi, no-disconnected and friends stay quiet)."""
    sizes = {"startEvent": (36, 36), "endEvent": (36, 36), "exclusiveGateway": (50, 50)}
    parts = [HEAD, '<bpmn:process id="lint_process" name="Lint" isExecutable="true">\n']
    for tag, node_id, name in nodes:
        refs = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _, t in flows if t == node_id)
        refs += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, s, _ in flows if s == node_id)
        extension = ""
        if tag == "userTask":
            extension = (
                "<bpmn:extensionElements><spiffworkflow:properties>"
                '<spiffworkflow:property name="formJsonSchemaFilename" value="escalation.json" />'
                "</spiffworkflow:properties></bpmn:extensionElements>"
            )
        parts.append(f'<bpmn:{tag} id="{node_id}" name="{name}">{extension}{refs}</bpmn:{tag}>\n')
    for flow_id, source, target in flows:
        parts.append(
            f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />\n'
        )
    parts.append("</bpmn:process>\n")
    parts.append(
        '<bpmndi:BPMNDiagram id="lint_diagram"><bpmndi:BPMNPlane id="lint_plane" bpmnElement="lint_process">\n'
    )
    positions = {}
    for index, (tag, node_id, _name) in enumerate(nodes):
        width, height = sizes.get(tag, (100, 80))
        x, y = 100 + index * 160, 100 + (80 - height) // 2
        positions[node_id] = (x, y, width, height)
        parts.append(
            f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}" /></bpmndi:BPMNShape>\n'
        )
    for flow_id, source, target in flows:
        sx, sy, sw, sh = positions[source]
        tx, ty, _tw, th = positions[target]
        parts.append(
            f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}" /><di:waypoint x="{tx}" y="{ty + th // 2}" />'
            "</bpmndi:BPMNEdge>\n"
        )
    parts.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(parts).encode()


def rules_by_element(issues: list[lint.LintIssue]) -> set[tuple[str, str | None]]:
    return {(issue["rule"], issue["element_id"]) for issue in issues}


def test_a_well_formed_small_diagram_is_clean() -> None:
    xml = diagram(
        [
            ("startEvent", "start", "Start"),
            ("userTask", "work", "Work"),
            ("endEvent", "end", "End"),
        ],
        [("f1", "start", "work"), ("f2", "work", "end")],
    )
    assert lint_bpmn(xml) == []


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.name)
def test_default_diagrams_lint_clean(path: Path) -> None:
    assert lint_bpmn(path.read_bytes()) == []


def test_disconnected_task_is_reported_with_its_id() -> None:
    xml = diagram(
        [
            ("startEvent", "start", "Start"),
            ("userTask", "work", "Work"),
            ("userTask", "forgotten", "Forgotten step"),
            ("endEvent", "end", "End"),
        ],
        [("f1", "start", "work"), ("f2", "work", "end")],
    )
    issues = lint_bpmn(xml)
    assert ("no-disconnected", "forgotten") in rules_by_element(issues)
    assert {i["element_id"] for i in issues} == {"forgotten"}
    disconnected = next(i for i in issues if i["rule"] == "no-disconnected")
    assert disconnected == {
        "message": "Element is not connected",
        "element_id": "forgotten",
        "rule": "no-disconnected",
        "category": "error",
    }


def test_gateway_with_one_outgoing_flow_is_superfluous() -> None:
    xml = diagram(
        [
            ("startEvent", "start", "Start"),
            ("exclusiveGateway", "pointless", "Pointless?"),
            ("userTask", "work", "Work"),
            ("endEvent", "end", "End"),
        ],
        [("f1", "start", "pointless"), ("f2", "pointless", "work"), ("f3", "work", "end")],
    )
    issues = lint_bpmn(xml)
    assert rules_by_element(issues) == {("superfluous-gateway", "pointless")}
    assert issues[0]["category"] == "warn"


def test_missing_labels_and_end_event_are_errors() -> None:
    xml = diagram(
        [("startEvent", "start", ""), ("userTask", "work", "Work")],
        [("f1", "start", "work")],
    )
    found = rules_by_element(lint_bpmn(xml))
    assert ("label-required", "start") in found
    assert ("end-event-required", "lint_process") in found
    assert ("no-implicit-end", "work") in found


def test_unreadable_xml_is_one_parse_issue() -> None:
    issues = lint_bpmn(b"<bpmn:definitions")
    assert len(issues) == 1
    assert issues[0]["rule"] == "parse"
    assert issues[0]["category"] == "error"
    assert issues[0]["element_id"] is None


def test_reference_to_nothing_is_an_import_issue_on_the_flow() -> None:
    xml = diagram(
        [("startEvent", "start", "Start"), ("endEvent", "end", "End")], [("f1", "start", "end")]
    ).replace(b'targetRef="end"', b'targetRef="nowhere"')
    issues = lint_bpmn(xml)
    assert ("import", "f1") in rules_by_element(issues)


def test_every_rule_turned_off_has_a_reason() -> None:
    config = json.loads((ROOT / ".bpmnlintrc").read_text(encoding="utf-8"))
    assert config["extends"] == "bpmnlint:recommended"
    off = {rule for rule, value in config.get("rules", {}).items() if value in ("off", 0)}
    reasons = config["//"]
    assert off, "nothing is turned off: drop this test's reasons check or the '//' entries"
    for rule in off:
        assert len(reasons.get(rule, "")) > 40, f"{rule} is off with no reason in .bpmnlintrc"


def test_missing_node_raises_lint_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(lint.NODE_VARIABLE, str(tmp_path / "no-node-here"))
    with pytest.raises(LintUnavailable, match="Node.js is not installed"):
        lint_bpmn(b"<x/>")


def test_missing_bpmnlint_raises_lint_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(lint, "BPMNLINT", tmp_path / "node_modules" / "bpmnlint" / "package.json")
    with pytest.raises(LintUnavailable, match="make install"):
        lint_bpmn(b"<x/>")


def test_node_that_fails_or_hangs_raises_lint_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failing = tmp_path / "node-failing"
    failing.write_text("#!/bin/sh\necho 'boom' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv(lint.NODE_VARIABLE, str(failing))
    with pytest.raises(LintUnavailable, match="exit 3.*boom"):
        lint_bpmn(b"<x/>")

    hanging = tmp_path / "node-hanging"
    hanging.write_text("#!/bin/sh\nexec sleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setenv(lint.NODE_VARIABLE, str(hanging))
    started = time.monotonic()
    with pytest.raises(LintUnavailable, match="longer than 0.5 s"):
        lint_bpmn(b"<x/>", timeout=0.5)
    assert time.monotonic() - started < 10
