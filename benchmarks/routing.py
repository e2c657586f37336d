"""Routing assistant: body-suggestion accuracy, duplicate detection, and suggestion latency.

    python -m benchmarks.routing [--indexed 100000] [--queries 200] [--seed 8]

Quality is measured on a held-out split of ``data/routing_petitions.jsonl`` (366 petitions in
Arabic, French and mixed, every demo body): whole groups (a base petition and its re-wordings)
are held out, so the model never saw a near-copy of a test text. Latency is measured with
``--indexed`` synthetic petitions (subjects and descriptions of the set recombined) in the
public-answer index, against a baseline in the same run: the indexed SQL lookup a portal
without a model would do (latest published answers of the same type and body).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import time
from itertools import combinations
from typing import Any

import numpy as np

from app.routing.model import ClassifierKind, Example, PublicAnswer, train
from benchmarks.common import median, write_result

DATA = os.path.join(os.path.dirname(__file__), "data", "routing_petitions.jsonl")
# config/default.py's thresholds, measured as shipped (plus a sweep in the result file).
DUPLICATE_MIN_SCORE = 0.55
SAME_CITIZEN_MIN_SCORE = 0.35


def load() -> list[dict[str, Any]]:
    with open(DATA, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def text(row: dict[str, Any]) -> str:
    return f"{row['subject']}\n{row['description']}"


def split(rows: list[dict[str, Any]], seed: int, held_out: float = 0.25) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    groups = sorted({row["group"] for row in rows})
    random.Random(seed).shuffle(groups)
    test_groups = set(groups[: int(len(groups) * held_out)])
    return [r for r in rows if r["group"] not in test_groups], [r for r in rows if r["group"] in test_groups]


def body_accuracy(train_rows: list[dict[str, Any]], test_rows: list[dict[str, Any]], kind: ClassifierKind) -> dict[str, float]:
    model = train([Example(text(r), r["body"]) for r in train_rows], [], kind)
    top1 = top3 = 0
    for row in test_rows:
        ranked = [s.key for s in model.body_scores(text(row), limit=3)]
        top1 += ranked[0] == row["body"]
        top3 += row["body"] in ranked
    return {"top1": round(top1 / len(test_rows), 4), "top3": round(top3 / len(test_rows), 4)}


def duplicate_quality(train_rows: list[dict[str, Any]], test_rows: list[dict[str, Any]],
                      min_score: float, same_citizen_min: float) -> dict[str, float]:
    """Pairs among the held-out petitions: a pair is a duplicate when both share a group."""
    model = train([Example(text(r), r["body"]) for r in train_rows], [])
    vectors = model.vectors([text(r) for r in test_rows])
    similarity = (vectors @ vectors.T).toarray()
    true_positive = predicted = actual = 0
    for i, j in combinations(range(len(test_rows)), 2):
        a, b = test_rows[i], test_rows[j]
        bar = same_citizen_min if a["citizen"] == b["citizen"] else min_score
        flagged = similarity[i, j] >= bar
        duplicate = a["group"] == b["group"]
        predicted += flagged
        actual += duplicate
        true_positive += flagged and duplicate
    return {
        "precision": round(true_positive / predicted, 4) if predicted else 0.0,
        "recall": round(true_positive / actual, 4) if actual else 0.0,
        "pairs": actual,
    }


def synthetic(rows: list[dict[str, Any]], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(rows)['subject']}\n{rng.choice(rows)['description']}" for _ in range(count)]


def latency(rows: list[dict[str, Any]], indexed: int, queries: int, seed: int) -> dict[str, Any]:
    texts = synthetic(rows, indexed, seed)
    started = time.perf_counter()
    model = train([Example(text(r), r["body"]) for r in rows], [PublicAnswer(i + 1, t) for i, t in enumerate(texts)])
    training_seconds = time.perf_counter() - started
    bodies = sorted({r["body"] for r in rows})
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE petition (id INTEGER PRIMARY KEY, type TEXT, body TEXT, status TEXT, "
                     "answer_public INTEGER, answered_at INTEGER, subject TEXT)")
    database.execute("CREATE INDEX ix_public ON petition (type, body, status, answer_public, answered_at)")
    rng = random.Random(seed)
    database.executemany("INSERT INTO petition VALUES (?, ?, ?, 'closed', 1, ?, ?)", [
        (i + 1, rng.choice(["complaint", "inquiry"]), rng.choice(bodies), i, t[:200]) for i, t in enumerate(texts)
    ])
    probes = [text(r) for r in random.Random(seed + 1).choices(rows, k=queries)]

    def similar(probe: str) -> None:
        hits = model.similar_public(probe, 20, 0.25)
        ids = [int(h.key) for h in hits]
        # The service re-checks every hit in the database before showing it: part of the cost.
        marks = ",".join("?" * len(ids)) or "NULL"
        database.execute(f"SELECT id, subject FROM petition WHERE id IN ({marks}) AND status = 'closed' "
                         "AND answer_public = 1 AND type = 'complaint'", ids).fetchall()

    def baseline(probe: str) -> None:
        database.execute("SELECT id, subject FROM petition WHERE type = 'complaint' AND body = ? AND status = 'closed' "
                         "AND answer_public = 1 ORDER BY answered_at DESC LIMIT 5", (rng.choice(bodies),)).fetchall()

    def suggest(probe: str) -> None:
        model.body_scores(probe, 3)

    timings = {name: _times(operation, probes) for name, operation in
               (("similar_answers", similar), ("suggest_bodies", suggest), ("baseline_sql_lookup", baseline))}
    return {
        "indexed": indexed, "queries": queries, "training_seconds": round(training_seconds, 2),
        "model_bytes": len(model.to_bytes()),
        **{f"{name}_ms": stats for name, stats in timings.items()},
        "similar_vs_baseline_median": round(timings["similar_answers"]["median"] / timings["baseline_sql_lookup"]["median"], 1),
    }


def _times(operation: Any, probes: list[str]) -> dict[str, float]:
    values = []
    for probe in probes:
        started = time.perf_counter()
        operation(probe)
        values.append((time.perf_counter() - started) * 1000)
    return {"median": round(median(values), 3), "p95": round(float(np.percentile(values, 95)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--indexed", type=int, default=10_000, help="petitions in the public index (latency)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rows = load()
    train_rows, test_rows = split(rows, args.seed)
    result: dict[str, Any] = {
        "petitions": len(rows), "train": len(train_rows), "held_out": len(test_rows),
        "bodies": {kind.value: body_accuracy(train_rows, test_rows, kind) for kind in ClassifierKind},
        "duplicates": duplicate_quality(train_rows, test_rows, DUPLICATE_MIN_SCORE, SAME_CITIZEN_MIN_SCORE),
        "duplicate_sweep": {str(bar): duplicate_quality(train_rows, test_rows, bar, min(bar, SAME_CITIZEN_MIN_SCORE))
                            for bar in (0.35, 0.45, 0.55, 0.65, 0.75)},
        "latency": latency(rows, args.indexed, args.queries, args.seed),
    }
    path = write_result("routing", "memory", result)
    svm, centroid, duplicates, speed = (result["bodies"]["svm"], result["bodies"]["centroid"],
                                        result["duplicates"], result["latency"])
    print(
        f"routing: held-out {len(test_rows)}/{len(rows)}; svm top1 {svm['top1']:.1%} top3 {svm['top3']:.1%}, "
        f"centroid top1 {centroid['top1']:.1%} top3 {centroid['top3']:.1%}; duplicates P {duplicates['precision']:.1%} "
        f"R {duplicates['recall']:.1%}; {speed['indexed']} indexed: similar {speed['similar_answers_ms']['median']} ms "
        f"(x{speed['similar_vs_baseline_median']} the SQL lookup), suggest {speed['suggest_bodies_ms']['median']} ms -> {path}"
    )


if __name__ == "__main__":
    main()
