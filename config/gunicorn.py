"""gunicorn settings for production: ``gunicorn -c config/gunicorn.py 'app:create_app()'``.

A request spends most of its time in Python (templates, validation, the workflow step) and the
rest waiting on PostgreSQL, so a few processes per core, each with a few threads, keep the
cores busy without queuing on the GIL. Measured on the 2-core benchmark machine
(``benchmarks/README.md``): 4 workers x 2 threads. On larger machines start with
``WEB_CONCURRENCY = 2 x cores`` and the same 2 threads; each worker holds at most
``threads`` database connections from its pool (``DATABASE_POOL_SIZE``), so PostgreSQL needs
``hosts x WEB_CONCURRENCY x threads`` connections plus the workers' (or a PgBouncer in front).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
# Each worker builds its own app after the fork: no database connection is shared between
# processes, and the per-process spec cache fills on the first request of each version.
preload_app = False
keepalive = 5
# Recycle workers now and then, so a slow leak in a library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10000))
max_requests_jitter = max_requests // 10
timeout = 30
graceful_timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # None: no access log (the proxy keeps one)
