"""Scale benchmark: page and step latency as the number of stored petitions grows.

One scratch PostgreSQL database is filled in steps (``benchmarks.seed``: real petitions cloned
with COPY) to each size of ``--sizes``; at each size the app (production settings, in process
through Flask's test client, so the numbers are the server's own time) serves:

- the tasklist (``GET /tasks/``) of a body agent of the Sfax municipality,
- the completion of one of that agent's drafting tasks (``POST /tasks/<id>/complete``),
- the public statistics page (``GET /statistics/``).

Each size gets a fresh database whose newest ``--open`` petitions are open (the backlog) and the
rest closed: an office's queue does not grow with the archive, the archive does. After seeding,
the statistics summary gets a full refresh, as the worker would have done, so the statistics
page reads a summary of all the petitions. The sizes are measured in turns, request by request
(all databases stay up until the end), so a change in the machine's load during the run falls
on every size alike. Printed: each
latency's growth from the first size to the last (the issue's target is at most 1.2x from
10 k to 1 M).

    python -m benchmarks.scale                                  # 2 k and 20 k, quick
    python -m benchmarks.scale --sizes 10000,100000,1000000
    python -m benchmarks.scale --sizes 10000,100000,1000000 --seeded 1000000=URL

``--seeded SIZE=URL`` measures SIZE on a database kept by ``python -m benchmarks.seed --petitions
SIZE --open N`` (same ``--open``) instead of seeding it again: 1 M petitions take a while to seed.
The database is upgraded to the current schema first, and is changed by the measurement (tasks
are completed): seed it again for another run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from sqlalchemy import select

from app.cli import upgrade_database
from app.db import get_session, temporary_database
from app.stats.cli import refresh_statistics
from app.engine.models import HumanTask
from benchmarks.common import write_result
from benchmarks.httpload import CSRF
from benchmarks.seed import BODY, bench_app, prepare, seed

AGENT = ("sfax.agent@example.org", "demo-password-7")
DRAFT = {"decision": "submit", "answer": "Les travaux sont programmés pour la semaine prochaine."}


class Site:
    """One size's database and app, logged in as the agent, with the three timed operations."""

    def __init__(self, url: str, size: int, args: argparse.Namespace, seeded_before: bool) -> None:
        self.size = size
        self.app = bench_app(url)
        if seeded_before:
            upgrade_database(url)
            self.facts: dict[str, Any] = {"seed_seconds": None}
        else:
            prepare(self.app)
            self.facts = {"seed_seconds": seed(self.app, size, args.open)["seed_seconds"]}
        began = time.perf_counter()
        refresh_statistics(self.app, self.app.extensions["db"], full=True)
        self.facts["statistics_refresh_seconds"] = round(time.perf_counter() - began, 1)
        self.client = self.app.test_client()
        self.csrf = self._login()
        with self.app.app_context():
            self.tasks = iter(list(get_session().scalars(
                select(HumanTask.id).where(HumanTask.task_name == "draft_answer", HumanTask.body == BODY)
                .order_by(HumanTask.id).limit(args.repeat + 3)
            )))
        self.operations: dict[str, Callable[[], None]] = {
            "tasklist_ms": lambda: self._expect(self.client.get("/tasks/"), 200),
            "complete_ms": self._complete,
            "statistics_ms": lambda: self._expect(self.client.get("/statistics/"), 200),
        }
        for _ in range(3):  # warm: spec cache, pool, templates
            for operation in self.operations.values():
                operation()

    def _login(self) -> str:
        token = CSRF.search(self.client.get("/login").data)
        response = self.client.post("/login", data={"csrf_token": token.group(1).decode(),
                                                    "email": AGENT[0], "password": AGENT[1]})
        assert response.status_code == 302, "the agent could not log in"
        return CSRF.search(self.client.get("/tasks/").data).group(1).decode()

    def _complete(self) -> None:
        self._expect(self.client.post(f"/tasks/{next(self.tasks)}/complete",
                                      data={"csrf_token": self.csrf, **DRAFT}), 302)

    @staticmethod
    def _expect(response: Any, status: int) -> None:
        if response.status_code != status:
            raise RuntimeError(f"{response.request.path}: HTTP {response.status_code}, expected {status}")

    def close(self) -> None:
        self.app.extensions["db"].engine.dispose()


def measure(sites: list[Site], repeat: int) -> dict[int, dict[str, Any]]:
    """Median milliseconds of each operation at each size, the sizes taking turns request by
    request, so that a change in the machine's load falls on all sizes alike."""
    times: dict[tuple[int, str], list[float]] = {}
    for _ in range(repeat):
        for site in sites:
            for name, operation in site.operations.items():
                began = time.perf_counter()
                operation()
                times.setdefault((site.size, name), []).append(time.perf_counter() - began)
    return {
        site.size: {**{name: round(statistics.median(times[site.size, name]) * 1000, 2)
                       for name in site.operations}, **site.facts}
        for site in sites
    }


def _size_and_url(option: str) -> tuple[int, str]:
    size, _, url = option.partition("=")
    return int(size), url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--sizes", default="2000,20000", help="stored petitions, ascending")
    parser.add_argument("--open", type=int, default=1500, help="open petitions (the backlog)")
    parser.add_argument("--repeat", type=int, default=25, help="timed requests per measurement")
    parser.add_argument("--seeded", action="append", default=[], metavar="SIZE=URL",
                        help="measure SIZE on this database kept by benchmarks.seed (repeatable)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result: dict[str, Any] = {"open": args.open, "repeat": args.repeat, "load_average_before": os.getloadavg()[0],
                              "sizes": {}}
    kept = dict(_size_and_url(option) for option in args.seeded)
    with ExitStack() as stack:
        sites = []
        for size in sizes:
            url = kept.get(size) or stack.enter_context(temporary_database(args.database, "epeople_bench_scale"))
            sites.append(Site(url, size, args, seeded_before=size in kept))
            stack.callback(sites[-1].close)
        result["sizes"] = measure(sites, args.repeat)
    for size in sizes:
        print(f"{size} petitions: {result['sizes'][size]}")
    first, last = result["sizes"][sizes[0]], result["sizes"][sizes[-1]]
    result["growth"] = {key: round(last[key] / first[key], 2) for key in ("tasklist_ms", "complete_ms", "statistics_ms")}
    result["load_average_after"] = os.getloadavg()[0]
    path = write_result("scale", "postgresql", result)
    growth = result["growth"]
    print(
        f"scale/postgresql {sizes[0]} -> {sizes[-1]} petitions: tasklist {growth['tasklist_ms']}x "
        f"({first['tasklist_ms']} -> {last['tasklist_ms']} ms), completion {growth['complete_ms']}x "
        f"({first['complete_ms']} -> {last['complete_ms']} ms), statistics {growth['statistics_ms']}x "
        f"({first['statistics_ms']} -> {last['statistics_ms']} ms) -> {path}"
    )


if __name__ == "__main__":
    main()
