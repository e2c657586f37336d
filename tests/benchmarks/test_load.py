"""A short run of the load test (benchmarks/load): gunicorn on PostgreSQL under locust for about
15 seconds, in its own processes. It asserts correctness only: no request failed and no
petition was lost; speed is reported by the benchmark, never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_short_load_loses_nothing_and_fails_no_request(postgres_only):
    admin_url = os.environ["EPEOPLE_TEST_DATABASE"]
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--seconds", "15", "--users", "8", "--workers", "3",
         "--database", admin_url, "--label", "load-test"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(os.path.join(ROOT, "benchmarks", "results", "load-test-postgresql.json"), encoding="utf-8") as handle:
        result = json.load(handle)
    assert result["failures"] == 0 and result["errors"] == [], result["errors"]
    assert result["petitions_confirmed"] > 0 and result["tasks_completed_confirmed"] > 0
    assert result["petitions_lost"] == 0 and result["petitions_unconfirmed_in_database"] == 0
    assert result["petitions_in_database"] == result["petitions_confirmed"]
    assert result["tasks_completed_in_audit"] == result["tasks_completed_confirmed"]
