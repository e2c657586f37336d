"""Shared by the benchmarks: a scratch database, timing, and writing the result file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

RESULTS_DIR = os.path.join(os.path.dirname(__file__), "results")


def rate(operation: Callable[[int], None], count: int) -> float:
    """Operations per second of ``operation(i)`` for i in range(count)."""
    started = time.perf_counter()
    for i in range(count):
        operation(i)
    return count / (time.perf_counter() - started)


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_result(name: str, database: str, result: dict[str, Any]) -> str:
    os.makedirs(RESULTS_DIR, exist_ok=True)
    result = {
        "benchmark": name,
        "database": database,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **result,
    }
    path = os.path.join(RESULTS_DIR, f"{name}-{database}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    return path
