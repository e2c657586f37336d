"""Accessibility checks with axe-core (npm, pinned in package-lock.json, in node_modules/).

In a browser test: ``violations = check_accessibility(page)``, then
``assert violations == [], describe(violations)`` (the message lists rule, element and fix).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def check_accessibility(page: Page, impacts: Iterable[str] = SERIOUS) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; return the violations of the given impacts.

    Each violation is axe's own dict: ``id``, ``impact``, ``help``, ``helpUrl`` and ``nodes``
    (each with ``target`` and ``failureSummary``).
    """
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_SCRIPT}): `make install-browser` installs it with "
            "`npm ci`; set EPEOPLE_SKIP_BROWSER=1 to skip the browser tests.",
            pytrace=False,
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
        # not govern: the pages are scanned under their real CSP (no inline scripts allowed).
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            pytest.fail("axe-core did not load into the page", pytrace=False)
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    wanted = set(impacts)
    return [violation for violation in results["violations"] if violation["impact"] in wanted]


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation, for assertion messages."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['failureSummary'].replace(chr(10), ' ')}")
    return "\n".join(lines)
