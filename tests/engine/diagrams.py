"""The tiny scenario diagrams of tests/engine/data (one .bpmn per scenario)."""

import os

DATA = os.path.join(os.path.dirname(__file__), "data")


def read_diagram(name: str) -> bytes:
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()
