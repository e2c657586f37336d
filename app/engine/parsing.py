"""Turning uploaded BPMN into specs, safely, with errors an administrator can act on.

SpiffWorkflow parses with lxml's defaults and checks little of what breaks at run time, so we
parse with a hardened parser first (no DTDs, no entities, size cap), check references, forms
and scripts ourselves, and only then hand the tree to ``SpiffBpmnParser``. Every problem
comes back as a ``DiagramError`` with file, line and element id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine.scripts import check_source
from app.engine.types import DiagramError, InvalidDiagram

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
# SpiffWorkflow names its own internal tasks like this: a BPMN element with such an id
# silently replaces them and the process loses its tasks.
RESERVED_IDS = {"Start", "End", "Root"}
FORM_PROPERTY = "formJsonSchemaFilename"
GATEWAYS_NEEDING_CONDITIONS = ("exclusiveGateway", "inclusiveGateway")


@dataclass(frozen=True)
class ParsedDiagram:
    process_id: str
    name: str
    filename: str
    bpmn: bytes
    sha256: str
    start_form: str | None
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]


def _hardened_tree(data: bytes, filename: str, max_bytes: int) -> etree._Element:
    if len(data) > max_bytes:
        raise InvalidDiagram(
            [DiagramError(f"file is {len(data)} bytes; the limit is {max_bytes}", filename)]
        )
    declaration = re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.IGNORECASE)
    if declaration:
        line = data.count(b"\n", 0, declaration.start()) + 1
        raise InvalidDiagram(
            [DiagramError("DTD and entity declarations are not allowed in BPMN files", filename, line)]
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidDiagram(
            [DiagramError(f"not well-formed XML: {error.msg}", filename, error.lineno)]
        ) from None
    if root.tag != f"{{{BPMN}}}definitions":
        raise InvalidDiagram([DiagramError("the root element must be bpmn:definitions", filename, 1)])
    return root


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _properties(element: etree._Element) -> dict[str, str]:
    found = element.xpath(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS
    )
    return {p.get("name"): p.get("value", "") for p in found}


class _Checker:
    """Our own checks, on the hardened tree, before SpiffWorkflow sees it."""

    def __init__(self, root: etree._Element, filename: str, form_check: Callable[[str], str | None]):
        self.root = root
        self.filename = filename
        self.form_check = form_check
        self.errors: list[DiagramError] = []

    def error(self, message: str, element: etree._Element) -> None:
        self.errors.append(DiagramError(message, self.filename, element.sourceline, element.get("id")))

    def run(self) -> list[DiagramError]:
        seen: dict[str, etree._Element] = {}
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            element_id = element.get("id")
            if element_id is None or etree.QName(element).namespace != BPMN:
                continue
            if element_id in RESERVED_IDS:
                self.error(f"the id '{element_id}' is reserved by the engine; rename it", element)
            if element_id in seen:
                self.error(f"the id '{element_id}' is used twice", element)
            seen[element_id] = element
        for process in self.root.xpath("bpmn:process", namespaces=NS):
            self.check_process(process)
        return self.errors

    def check_process(self, process: etree._Element) -> None:
        ids = {e.get("id") for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
        for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
            for end in ("sourceRef", "targetRef"):
                if flow.get(end) not in ids:
                    self.error(f"{end} '{flow.get(end)}' names no element of this process", flow)
        self.check_gateways(process)
        self.check_expressions(process)
        self.check_user_tasks(process)

    def check_gateways(self, process: etree._Element) -> None:
        flows = {f.get("id"): f for f in process.iter(f"{{{BPMN}}}sequenceFlow")}
        for kind in GATEWAYS_NEEDING_CONDITIONS:
            for gateway in process.iter(f"{{{BPMN}}}{kind}"):
                outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
                if len(outgoing) < 2:
                    continue
                for flow in outgoing:
                    has_condition = flow.find(f"{{{BPMN}}}conditionExpression") is not None
                    if not has_condition and flow.get("id") != gateway.get("default"):
                        self.error(
                            f"flow '{flow.get('id')}' leaves gateway '{gateway.get('id')}' "
                            "with no condition and is not its default flow",
                            flow,
                        )

    def check_expressions(self, process: etree._Element) -> None:
        for script in process.xpath(".//bpmn:scriptTask/bpmn:script", namespaces=NS):
            self.check_code(script.text or "", "exec", script.getparent(), script.sourceline)
        expressions = process.xpath(
            ".//bpmn:conditionExpression | .//bpmn:timeDuration | .//bpmn:timeDate"
            " | .//bpmn:timeCycle",
            namespaces=NS,
        )
        for expression in expressions:
            owner = expression.getparent()
            while owner is not None and owner.get("id") is None:
                owner = owner.getparent()
            self.check_code(expression.text or "", "eval", owner, expression.sourceline)

    def check_code(self, source: str, mode: str, owner: etree._Element, line: int) -> None:
        if not source.strip():
            self.error("empty expression", owner)
            return
        problem = check_source(source.strip(), mode)
        if problem:
            self.errors.append(
                DiagramError(f"{problem} in {owner.get('id')}", self.filename, line, owner.get("id"))
            )

    def check_user_tasks(self, process: etree._Element) -> None:
        in_lane = {
            ref.text.strip()
            for ref in process.xpath(".//bpmn:lane/bpmn:flowNodeRef", namespaces=NS)
            if ref.text
        }
        has_lanes = bool(process.xpath(".//bpmn:lane", namespaces=NS))
        for task in process.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent"):
            form = _properties(task).get(FORM_PROPERTY)
            if form:
                problem = self.form_check(form)
                if problem:
                    self.error(problem, task)
            elif _local(task) == "userTask":
                self.error("user task has no form (property formJsonSchemaFilename)", task)
            if _local(task) == "userTask" and has_lanes and task.get("id") not in in_lane:
                self.error("user task is in no lane", task)


def _main_process_id(parser: SpiffBpmnParser, root: etree._Element) -> str:
    process_ids = parser.get_process_ids()
    called = {e.get("calledElement") for e in root.iter(f"{{{BPMN}}}callActivity")}
    top_level = [p for p in process_ids if p not in called]
    return (top_level or process_ids)[0]


def parse_diagram(
    data: bytes,
    filename: str,
    form_check: Callable[[str], str | None],
    max_bytes: int,
) -> ParsedDiagram:
    """Parse and validate one BPMN file; raise ``InvalidDiagram`` listing every problem."""
    root = _hardened_tree(data, filename, max_bytes)
    errors = _Checker(root, filename, form_check).run()
    if errors:
        raise InvalidDiagram(errors)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename)
        if not parser.get_process_ids():
            raise InvalidDiagram([DiagramError("no executable process in this file", filename)])
        process_id = _main_process_id(parser, root)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        raise InvalidDiagram(
            [
                DiagramError(
                    str(error.args[0]) if error.args else str(error),
                    error.file_name or filename,
                    error.line_number if isinstance(error.line_number, int) else None,
                    error.id or None,
                )
            ]
        ) from None
    except RecursionError:
        raise InvalidDiagram(
            [DiagramError("the process is nested or chained too deeply to run", filename)]
        ) from None
    except SpiffWorkflowException as error:
        raise InvalidDiagram([DiagramError(str(error), filename)]) from None
    start_forms = [
        _properties(e).get(FORM_PROPERTY)
        for e in root.xpath(f"bpmn:process[@id='{process_id}']/bpmn:startEvent", namespaces=NS)
    ]
    return ParsedDiagram(
        process_id=process_id,
        name=spec.description or process_id,
        filename=filename,
        bpmn=data,
        sha256=hashlib.sha256(data).hexdigest(),
        start_form=next((f for f in start_forms if f), None),
        spec=spec,
        subprocess_specs=subprocess_specs,
    )
