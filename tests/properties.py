"""Running Hypothesis inside a test body, so that the drawn examples share the test's fixtures
(one database, one logged-in client) instead of asking pytest for them once per example."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# No example database (runs stay independent of each other), no per-example deadline (the
# machine is shared), and fixtures reused across examples on purpose.
EXAMPLES = settings(
    max_examples=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_examples(strategy: st.SearchStrategy[Any], check: Callable[[Any], None], examples: settings = EXAMPLES) -> None:
    """Run ``check`` on values drawn from ``strategy``; a failure shows the smallest one found."""

    @given(strategy)
    @examples
    def run(value: Any) -> None:
        check(value)

    run()
