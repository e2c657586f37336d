"""bpmnlint on the server, with the rules the editor uses in the browser (``.bpmnlintrc``).

bpmnlint is JavaScript: ``lint_bpmn`` runs ``app/admin/static/src/lint-cli.mjs`` with Node on
the diagram (given on standard input, so no temporary file) and reads the JSON it prints.
Node and the npm packages (``node_modules/``, installed by ``make install`` with ``npm ci``)
are looked up beside the project; when either is missing, or Node fails or takes too long,
``LintUnavailable`` says why: lint is advice on top of the engine's own validation, so callers
show that message and go on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".bpmnlintrc"
SCRIPT = Path(__file__).resolve().parent / "static" / "src" / "lint-cli.mjs"
BPMNLINT = ROOT / "node_modules" / "bpmnlint" / "package.json"
TIMEOUT_SECONDS = 20.0
# Node looked up on PATH; EPEOPLE_NODE names another executable.
NODE_VARIABLE = "EPEOPLE_NODE"


class LintIssue(TypedDict):
    message: str
    element_id: str | None
    rule: str
    category: str  # "error" or "warn"


class LintUnavailable(RuntimeError):
    """bpmnlint cannot run here; the message says why and how to fix it."""


def _node() -> str:
    configured = os.environ.get(NODE_VARIABLE)
    found = configured or shutil.which("node")
    if not found or not os.access(found, os.X_OK):
        raise LintUnavailable(
            f"Node.js is not installed ({configured or 'node'} not found): bpmnlint cannot run. "
            "Install Node.js 20 or later and run `make install`."
        )
    return found


def lint_bpmn(
    xml: bytes, *, timeout: float = TIMEOUT_SECONDS, config: Path = CONFIG
) -> list[LintIssue]:
    """Lint one BPMN diagram; return its issues, ``[]`` for a clean one.

    Each issue is ``{"message", "element_id", "rule", "category"}``: ``rule`` is the bpmnlint
    rule (``parse`` when the XML cannot be read, ``import`` for a reference to nothing),
    ``category`` is ``"error"`` or ``"warn"``, ``element_id`` may be None.
    """
    node = _node()
    if not BPMNLINT.is_file() or not config.is_file():
        raise LintUnavailable(
            "bpmnlint is not installed (node_modules/bpmnlint is missing): run `make install`."
        )
    try:
        completed = subprocess.run(
            [node, str(SCRIPT), "--config", str(config)],
            input=xml,
            capture_output=True,
            timeout=timeout,
            cwd=config.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LintUnavailable(f"bpmnlint took longer than {timeout:g} s and was stopped.") from None
    except OSError as error:
        raise LintUnavailable(f"Node.js could not be started: {error}") from None
    if completed.returncode != 0:
        lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[0] if lines else "no message"
        raise LintUnavailable(f"bpmnlint failed (exit {completed.returncode}): {detail}")
    try:
        issues = json.loads(completed.stdout)["issues"]
    except (ValueError, KeyError, TypeError):
        raise LintUnavailable("bpmnlint printed something that is not its JSON report.") from None
    return [
        LintIssue(
            message=str(issue.get("message", "")),
            element_id=issue.get("element_id") or None,
            rule=str(issue.get("rule", "")),
            category=str(issue.get("category", "error")),
        )
        for issue in issues
    ]
