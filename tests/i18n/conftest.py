"""Fixtures for the language tests: the portal ones (demo bodies, real diagrams, people)."""

from __future__ import annotations

import re

from tests.petitions.conftest import (  # noqa: F401 (fixtures, found by name)
    open_task,
    person,
    petition_of,
)

# Arabic-Indic (U+0660-0669) and Extended Arabic-Indic (U+06F0-06F9) digits: Tunisia writes
# numbers with Western digits, in Arabic text too.
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
