"""A light HTTP load driver and gunicorn launcher for the web benchmarks.

The driver is ``http.client`` on keep-alive connections, one thread per simulated user, each
with its own cookie jar (so its own Flask session and CSRF token). It is deliberately thin: the
same driver loads epeople and the bare baseline, and the fewer cycles it takes from the two
shared cores, the less it flatters the faster side.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


class User:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, *, follows_redirect: bool = False
    ) -> tuple[int, bytes]:
        """One request. ``follows_redirect``: a browser would now open the page it is sent to,
        which shows and so removes the flash message the response put in the session cookie;
        keeping that cookie instead would grow it by one message per request, and measure the
        signing of an ever longer cookie rather than the endpoint."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.csrf, **form} if self.csrf else form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one, once.
                self.connection.close()
                if attempt == 2:
                    raise
        else:
            raise AssertionError("unreachable")
        kept = not (follows_redirect and response.status == 302)
        for cookie in response.headers.get_all("Set-Cookie") or [] if kept else []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        if response.headers.get("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, data

    def fetch_csrf(self, path: str) -> None:
        """Read the session's CSRF token from a page (Flask-WTF keeps one per session)."""
        status, page = self.request("GET", path)
        found = CSRF.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {status})")
        self.csrf = found.group(1).decode()

    def login(self, email: str, password: str) -> None:
        self.fetch_csrf("/login")
        status, _ = self.request("POST", "/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login of {email} failed (HTTP {status})")


@dataclass
class Load:
    """What one measured run did."""

    seconds: float = 0.0
    done: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def add(self, other: Load) -> None:
        self.seconds += other.seconds
        self.done += other.done
        self.failed += other.failed
        self.latencies += other.latencies
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


Action = Callable[[User], int]  # does one request, returns the HTTP status


def drive(users: list[User], actions: list[Action], expected: int, seconds: float) -> Load:
    """Each user repeats its action for ``seconds``; counts answers with status ``expected``."""
    load = Load()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(user: User, action: Action) -> None:
        own = Load()
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status = action(user)
            except StopIteration:
                break
            except (OSError, http.client.HTTPException):
                user.connection.close()  # counted as a failure; the next request reconnects
                status = 0
            own.latencies.append(time.perf_counter() - began)
            own.statuses[status] = own.statuses.get(status, 0) + 1
            if status == expected:
                own.done += 1
            else:
                own.failed += 1
        with lock:
            load.add(own)

    began = time.perf_counter()
    threads = [threading.Thread(target=run, args=pair) for pair in zip(users, actions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], workers: int, threads: int) -> Iterator[None]:
    """Serve ``app`` with ``config/gunicorn.py`` on ``port`` until the block ends."""
    environment = {
        **os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads),
    }
    log = tempfile.NamedTemporaryFile(prefix=f"gunicorn-{port}-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "config/gunicorn.py", app],
        cwd=ROOT, env=environment, stdout=log, stderr=log,
    )
    try:
        _wait_until_up(port, process, log.name)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log, encoding="utf-8", errors="replace") as handle:
                raise RuntimeError(f"gunicorn exited: {handle.read()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")
