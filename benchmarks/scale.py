"""Scale benchmark: page and step latency as the number of stored petitions grows.

One scratch PostgreSQL database is filled in steps (``benchmarks.seed``: real petitions cloned
with COPY) to each size of ``--sizes``; at each size the app (production settings, in process
through Flask's test client, so the numbers are the server's own time) serves:

- the tasklist (``GET /tasks/``) of a body agent of the Sfax municipality,
- the completion of one of that agent's drafting tasks (``POST /tasks/<id>/complete``),
- the public statistics page (``GET /statistics/``).

Each size gets a fresh database whose newest ``--open`` petitions are open (the backlog) and the
rest closed: an office's queue does not grow with the archive, the archive does. Printed: each
latency's growth from the first size to the last (the issue's target is at most 1.2x from
10 k to 1 M).

    python -m benchmarks.scale                                  # 2 k and 20 k, quick
    python -m benchmarks.scale --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import get_session, temporary_database
from app.engine.models import HumanTask
from benchmarks.common import write_result
from benchmarks.httpload import CSRF
from benchmarks.seed import BODY, bench_app, prepare, seed

AGENT = ("sfax.agent@example.org", "demo-password-7")
DRAFT = {"decision": "submit", "answer": "Les travaux sont programmés pour la semaine prochaine."}


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000, 2)


def _login(client: FlaskClient) -> str:
    token = CSRF.search(client.get("/login").data)
    response = client.post("/login", data={"csrf_token": token.group(1).decode(), "email": AGENT[0],
                                           "password": AGENT[1]})
    assert response.status_code == 302, "the agent could not log in"
    return CSRF.search(client.get("/tasks/").data).group(1).decode()


def _expect(response: Any, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.path}: HTTP {response.status_code}, expected {status}")


def measure(app: Any, repeat: int) -> dict[str, float]:
    client = app.test_client()
    csrf = _login(client)
    with app.app_context():
        tasks = list(get_session().scalars(
            select(HumanTask.id).where(HumanTask.task_name == "draft_answer", HumanTask.body == BODY)
            .order_by(HumanTask.id).limit(repeat + 3)
        ))
    queue = iter(tasks)

    def complete() -> None:
        _expect(client.post(f"/tasks/{next(queue)}/complete", data={"csrf_token": csrf, **DRAFT}), 302)

    for _ in range(3):  # warm: spec cache, pool, templates
        _expect(client.get("/tasks/"), 200)
        _expect(client.get("/statistics/"), 200)
        complete()
    return {
        "tasklist_ms": _median_ms(lambda: _expect(client.get("/tasks/"), 200), repeat),
        "complete_ms": _median_ms(complete, repeat),
        "statistics_ms": _median_ms(lambda: _expect(client.get("/statistics/"), 200), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--sizes", default="2000,20000", help="stored petitions, ascending")
    parser.add_argument("--open", type=int, default=1500, help="open petitions (the backlog)")
    parser.add_argument("--repeat", type=int, default=25, help="timed requests per measurement")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result: dict[str, Any] = {"open": args.open, "repeat": args.repeat, "load_average_before": os.getloadavg()[0],
                              "sizes": {}}
    for size in sizes:
        with temporary_database(args.database, "epeople_bench_scale") as url:
            app = bench_app(url)
            prepare(app)
            seeded = seed(app, size, args.open)
            result["sizes"][size] = {**measure(app, args.repeat), "seed_seconds": seeded["seed_seconds"]}
            print(f"{size} petitions: {result['sizes'][size]}")
            app.extensions["db"].engine.dispose()
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
