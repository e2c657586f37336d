"""The default diagrams as files: deployable, wired to forms and lanes, and laid out so that
administrators can read and edit them in bpmn-js (every element drawn, nothing overlapping,
lanes as horizontal bands)."""

from __future__ import annotations

import glob
import os

import pytest
from lxml import etree

from app.engine.parsing import NS as BPMN_NS

NS = {
    **BPMN_NS,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIAGRAMS = sorted(glob.glob(os.path.join(ROOT, "processes", "*.bpmn")))
LANES = {"relations_office", "body_agent", "coordinator", "citizen"}
FLOW_NODES = (
    "startEvent", "endEvent", "userTask", "scriptTask", "receiveTask", "exclusiveGateway",
    "eventBasedGateway", "parallelGateway", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent",
)


def load(path):
    with open(path, "rb") as handle:
        return etree.fromstring(handle.read())


def bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def overlap(a, b, margin=0.0):
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return ax < bx + bw + margin and bx < ax + aw + margin and ay < by + bh + margin and by < ay + ah + margin


def test_both_default_diagrams_exist():
    assert [os.path.basename(p) for p in DIAGRAMS] == ["corruption_report.bpmn", "petition.bpmn"]


@pytest.mark.parametrize("path", DIAGRAMS, ids=os.path.basename)
def test_deploying_the_default_diagram_validates_it(runtime, path):
    with open(path, "rb") as handle:
        parsed = runtime.parse(handle.read(), os.path.basename(path))
    assert parsed.process_id == {"petition.bpmn": "petition", "corruption_report.bpmn": "corruption_report"}[
        os.path.basename(path)
    ]


@pytest.mark.parametrize("path", DIAGRAMS, ids=os.path.basename)
def test_every_user_task_has_a_form_a_body_and_one_of_the_four_lanes(runtime, path):
    root = load(path)
    lanes = {lane.get("name") for lane in root.iterfind(".//bpmn:lane", NS)}
    assert lanes <= LANES and {"relations_office", "coordinator", "citizen"} <= lanes
    lane_of = {
        ref.text: lane.get("name")
        for lane in root.iterfind(".//bpmn:lane", NS)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
    }
    tasks = root.findall(".//bpmn:userTask", NS)
    assert tasks
    for task in tasks:
        properties = {
            p.get("name"): p.get("value")
            for p in task.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)
        }
        assert runtime.forms.check(properties["formJsonSchemaFilename"]) is None, task.get("id")
        assert properties["body"].strip(), task.get("id")
        assert lane_of[task.get("id")] in LANES
        expected_lane = {"escalate": "coordinator", "survey": "citizen", "draft_answer": "body_agent"}
        for prefix, lane in expected_lane.items():
            if task.get("id").startswith(prefix):
                assert lane_of[task.get("id")] == lane, task.get("id")


@pytest.mark.parametrize("path", DIAGRAMS, ids=os.path.basename)
def test_every_element_is_drawn_inside_its_lane_and_no_shapes_overlap(path):
    root = load(path)
    process = root.find("bpmn:process", NS)
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [e for kind in FLOW_NODES for e in process.iterfind(f"bpmn:{kind}", NS)]
    flows = process.findall("bpmn:sequenceFlow", NS)
    assert {n.get("id") for n in nodes} <= set(shapes)
    assert {f.get("id") for f in flows} <= set(edges)

    # Lanes: horizontal bands of one pool, stacked without gaps.
    pool = bounds(shapes[root.find(".//bpmn:participant", NS).get("id")])
    lanes = sorted((bounds(shapes[lane.get("id")]), lane) for lane in process.iterfind(".//bpmn:lane", NS))
    assert all(shapes[lane.get("id")].get("isHorizontal") == "true" for _, lane in lanes)
    assert lanes[0][0][1] == pool[1] and lanes[-1][0][1] + lanes[-1][0][3] == pool[1] + pool[3]
    for (upper, _), (lower, _) in zip(lanes, lanes[1:]):
        assert upper[1] + upper[3] == lower[1] and upper[0] == lower[0] and upper[2] == lower[2]

    lane_bounds = {ref.text: b for b, lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
    boxes = {}
    for node in nodes:
        box = bounds(shapes[node.get("id")])
        if node.tag != f"{{{NS['bpmn']}}}boundaryEvent":
            lane = lane_bounds[node.get("id")]
            assert lane[1] <= box[1] and box[1] + box[3] <= lane[1] + lane[3], f"{node.get('id')} leaves its lane"
            assert lane[0] + 30 <= box[0] and box[0] + box[2] <= lane[0] + lane[2], node.get("id")
            boxes[node.get("id")] = box
        else:  # drawn on its task's border
            host = bounds(shapes[node.get("attachedToRef")])
            centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)
            assert host[0] <= centre[0] <= host[0] + host[2]
            assert centre[1] in (host[1], host[1] + host[3])
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not overlap(boxes[a], boxes[b], margin=5), f"{a} and {b} overlap"


@pytest.mark.parametrize("path", DIAGRAMS, ids=os.path.basename)
def test_every_flow_is_drawn_with_right_angles_from_its_source_to_its_target(path):
    root = load(path)
    shapes = {s.get("bpmnElement"): bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}

    def on_border(point, box):
        x, y = point
        inside = box[0] - 1 <= x <= box[0] + box[2] + 1 and box[1] - 1 <= y <= box[1] + box[3] + 1
        return inside

    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        points = [(float(w.get("x")), float(w.get("y"))) for w in edges[flow.get("id")].iterfind("di:waypoint", NS)]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:])), flow.get("id")
        assert on_border(points[0], shapes[flow.get("sourceRef")]), flow.get("id")
        assert on_border(points[-1], shapes[flow.get("targetRef")]), flow.get("id")
