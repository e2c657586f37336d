"""The locust side of the load test, run in its own process by ``python -m benchmarks.load``.

Importing locust monkey-patches the standard library for gevent, so it never shares a process
with the database code that sets the run up and checks it.

Citizens sign in, open the complaint form (for its CSRF token) and submit it; relations agents
of the central office (BCRC) open the tasklist, claim a qualification task and complete it.
Every petition the server confirmed (302 to its page) is recorded by tracking number, and every
completed task by id, so the caller can compare them with the database.

    python -m benchmarks.load.scenario HOST ACCOUNTS.json SECONDS USERS OUTPUT.json
"""

from __future__ import annotations

import json
import random
import re
import sys
from typing import Any

import gevent
from locust import HttpUser, between, task
from locust.env import Environment

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')
# A qualification form offers these decisions; other tasks of the office are left alone.
QUALIFY_MARK = 'value="request_info"'
# Filled in by main() before any user starts.
ACCOUNTS: dict[str, list[str]] = {"citizen": [], "agent": []}
PASSWORD = ""
SUBMITTED: list[str] = []
COMPLETED: list[str] = []
CLAIM_CONFLICTS: list[str] = []


def _token(response: Any) -> str:
    match = CSRF.search(response.text or "")
    if match is None:
        response.failure("no CSRF token on the page")
        return ""
    return match.group(1)


class _Person(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)
    role = ""

    def on_start(self) -> None:
        email = ACCOUNTS[self.role].pop()
        with self.client.get("/login", name="login page", catch_response=True) as page:
            token = _token(page)
        with self.client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
            name="log in", allow_redirects=False, catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")


class Citizen(_Person):
    weight = 3
    role = "citizen"

    @task(5)
    def submit_complaint(self) -> None:
        with self.client.get("/petitions/new/complaint", name="start form", catch_response=True) as page:
            token = _token(page)
        number = random.randrange(10**6)
        data = {
            "subject": f"Street light out, pole {number}",
            "description": "The street light in front of number 12 has been out for a week. شكرا",
            "location": "Sfax",
            "csrf_token": token,
        }
        with self.client.post(
            "/petitions/new/complaint", data=data, name="submit petition",
            allow_redirects=False, catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/petitions/TN-" in location:
                SUBMITTED.append(location.rsplit("/", 1)[-1])
            else:
                response.failure(f"submit answered {response.status_code}")

    @task(1)
    def home(self) -> None:
        """The baseline: a page that reads almost nothing."""
        self.client.get("/", name="home page")

    @task(1)
    def my_petitions(self) -> None:
        self.client.get("/petitions/mine", name="my petitions")


class Agent(_Person):
    weight = 1
    role = "agent"

    @task
    def qualify_one(self) -> None:
        listing = self.client.get("/tasks/?assigned=unassigned", name="tasklist")
        ids = TASK_LINK.findall(listing.text or "")
        if not ids:
            return
        task_id = random.choice(ids)
        with self.client.get(f"/tasks/{task_id}", name="task page", catch_response=True) as page:
            if page.status_code == 404:  # completed by a colleague since the list was read
                page.success()
                return
            if QUALIFY_MARK not in (page.text or ""):
                return
            token = _token(page)
        with self.client.post(
            f"/tasks/{task_id}/claim", data={"csrf_token": token}, name="claim task",
            allow_redirects=False, catch_response=True,
        ) as claim:
            if claim.status_code in (404, 409):  # a colleague was quicker: the right answer
                claim.success()
                CLAIM_CONFLICTS.append(task_id)
                return
            if claim.status_code != 302:
                claim.failure(f"claim answered {claim.status_code}")
                return
        decision = {"decision": "accept", "competent_body": "mun-sfax", "csrf_token": token}
        with self.client.post(
            f"/tasks/{task_id}/complete", data=decision, name="complete qualification",
            allow_redirects=False, catch_response=True,
        ) as response:
            if response.status_code == 302:
                COMPLETED.append(task_id)
            else:
                response.failure(f"complete answered {response.status_code}")


def _percentiles(entry: Any) -> dict[str, Any]:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "max_ms": round(entry.max_response_time or 0, 1),
        "per_second": round(entry.total_rps, 2),
    }


def run(host: str, accounts: dict[str, Any], seconds: float, users: int) -> dict[str, Any]:
    global PASSWORD
    PASSWORD = accounts["password"]
    ACCOUNTS["citizen"] = list(accounts["citizens"])
    ACCOUNTS["agent"] = list(accounts["agents"])
    # Users finish the task they are in when the time is up: nothing is cut mid-submission.
    env = Environment(user_classes=[Citizen, Agent], host=host, stop_timeout=60)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users / 5, 1))
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return {
        "requests": {name: _percentiles(entry) for (name, _method), entry in sorted(env.stats.entries.items())},
        "total": _percentiles(env.stats.total),
        "errors": [
            {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in env.stats.errors.values()
        ],
        "exceptions": len(runner.exceptions),
        "submitted": SUBMITTED,
        "completed": COMPLETED,
        "claim_conflicts": len(CLAIM_CONFLICTS),
    }


def main(argv: list[str]) -> None:
    host, accounts_path, seconds, users, output = argv
    with open(accounts_path, encoding="utf-8") as handle:
        accounts = json.load(handle)
    result = run(host, accounts, float(seconds), int(users))
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
