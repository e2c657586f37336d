"""Give a hand-written test diagram the diagram interchange (DI) an editor would write: a
shape per flow node in a row and a straight edge per flow, so bpmnlint's rules pass."""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "exclusiveGateway", "task")


def with_di(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    process = root.find(f"{{{BPMN}}}process")
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id="diagram", nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI})
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id="plane", bpmnElement=process.get("id"))
    centres = {}
    nodes = [n for n in process if etree.QName(n).localname in NODES]
    for i, node in enumerate(nodes):
        kind = etree.QName(node).localname
        width, height = (36, 36) if kind.endswith("Event") else (50, 50) if kind.endswith("Gateway") else (100, 80)
        x, y = 100 + i * 160, 200 - height / 2
        centres[node.get("id")] = (x + width / 2, 200)
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{node.get('id')}_di", bpmnElement=node.get("id"))
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(x), y=str(y), width=str(width), height=str(height))
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow.get('id')}_di", bpmnElement=flow.get("id"))
        for end in ("sourceRef", "targetRef"):
            x, y = centres[flow.get(end)]
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=str(x), y=str(y))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
