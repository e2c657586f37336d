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


def paired(subject: Callable[[int], None], baseline: Callable[[int], None], count: int,
           chunks: int = 10) -> dict[str, float]:
    """Alternate chunks of ``subject`` and ``baseline`` (``count`` calls of each in all) and
    give the median of the per-chunk rate ratios: load from other processes on a shared
    machine then hits both sides alike instead of whichever ran during a burst."""
    size = max(1, count // chunks)
    ratios, subject_rates, baseline_rates = [], [], []
    for chunk in range(0, count, size):
        indexes = range(chunk, min(chunk + size, count))
        theirs = rate(lambda i: baseline(indexes[i]), len(indexes))
        ours = rate(lambda i: subject(indexes[i]), len(indexes))
        ratios.append(ours / theirs)
        subject_rates.append(ours)
        baseline_rates.append(theirs)
    return {"ratio": round(statistics.median(ratios), 2), "per_s": round(statistics.median(subject_rates)),
            "baseline_per_s": round(statistics.median(baseline_rates))}


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
