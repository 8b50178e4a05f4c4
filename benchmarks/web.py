"""Web benchmark: server CPU per request of the two calls a grading client makes (submit answers,
read the verdict), one request at a time, beside a bare WSGI app's — the floor of gunicorn itself.

Starts gunicorn (1 sync worker, bpcourse.wsgi) twice on 127.0.0.1, with the API's fast lane off
and on (BPCOURSE_HOT_PATHS), and a bare WSGI app, measured in turns (rounds), against a database of its own (PostgreSQL `bpcourse_web_bench` on
DATABASE_URL's server, else SQLite in var/bench-web/), with the Redis broker of REDIS_URL's server
as deployed (database 12, a private queue; nothing consumes it); each request on a fresh connection, as the
load benchmark's clients. CPU is the worker's own (/proc), so the client does not count.

    .venv/bin/python benchmarks/web.py [--requests 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

from benchmarks.load import HOST, bench_database, drop_bench_database, free_port, with_path  # noqa: E402

NAME = "bpcourse_web_bench"
BARE_APP = 'def application(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain")])\n    return [b"ok"]\n'


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else b""
    with socket.create_connection((HOST, port)) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, content = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), content


class Gunicorn:
    """One sync worker; its CPU (arbiter and worker) read from /proc."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), app, "-b", f"{HOST}:{self.port}", "-w", "1",
                                      "--log-level", "warning"], cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def cpu(self) -> float:
        pids = [self.proc.pid, *map(int, Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split())]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def per_request_ms(self, call, n: int) -> float:
        for _ in range(20):
            call()
        start = self.cpu()
        for _ in range(n):
            call()
        return (self.cpu() - start) / n * 1000

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def _client_calls(port: int, name: str, graders) -> dict[str, Callable[[], object]]:  # noqa: ANN001
    """A fresh variant's submit (all parts right) and its status read, on one server."""
    status, body = request(port, "POST", "/api/practice", {"template": "article-random"})
    variant = json.loads(body)
    values = graders.solve(graders.generate(variant["template"], variant["seed"])).values
    answers = {key: repr(values[key]) for key in variant["part_keys"]}
    submit_path = f"/api/variants/{variant['id']}/submissions"
    status, body = request(port, "POST", submit_path, {"answers": answers})
    status_path = f"/api/submissions/{json.loads(body)['id']}"
    return {f"submit, {name}": lambda: request(port, "POST", submit_path, {"answers": answers}),
            f"status read, {name}": lambda: request(port, "GET", status_path)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="measurements per row (the median is shown)")
    args = parser.parse_args()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bpcourse.settings.dev", DJANGO_DEBUG="0",
               DJANGO_LOG_LEVEL="WARNING", CONN_MAX_AGE="60", BPCOURSE_RATE_LIMITS="0", PYTHONUNBUFFERED="1")
    env["DATABASE_URL"], admin = bench_database(os.environ.get("DATABASE_URL", ""), NAME, ROOT / "var" / "bench-web")
    # As deployed: the Redis broker and its wake flag (a submit sends a task only when none is on
    # its way; nothing consumes them here), on a spare database and a private queue.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    broker = with_path(redis_url, "/12")
    queue = f"web-bench-{os.getpid()}"
    env.update(CELERY_BROKER_URL=broker, CELERY_TASK_DEFAULT_QUEUE=queue)
    env.pop("REDIS_URL", None)
    subprocess.run([str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True)
    import graders

    servers: dict[str, Gunicorn] = {}
    samples: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "bare_wsgi.py").write_text(BARE_APP)
            servers["bare"] = Gunicorn("bare_wsgi:application", dict(env, PYTHONPATH=folder))
            calls = {"bare WSGI app (gunicorn's floor)": lambda: request(servers["bare"].port, "GET", "/")}
            for lane, name in (("0", "full stack"), ("1", "fast lane")):
                server = servers[name] = Gunicorn("bpcourse.wsgi", dict(env, BPCOURSE_HOT_PATHS=lane))
                calls.update(_client_calls(server.port, name, graders))
            # Rounds take turns, so that the machine's drift touches every row alike: medians.
            for _ in range(args.rounds):
                for label, call in calls.items():
                    server = servers["bare" if label.startswith("bare") else label.rsplit(", ", 1)[1]]
                    samples.setdefault(label, []).append(server.per_request_ms(call, args.requests))
    finally:
        for server in servers.values():
            server.stop()
        import redis

        client = redis.Redis.from_url(broker)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}", f"bpcourse:grading-wake:{queue}",
                      f"bpcourse:grading-poke:{queue}")
        client.close()
        if admin:
            drop_bench_database(admin, NAME)
    rows = [(label, statistics.median(values)) for label, values in samples.items()]
    for name in ("full stack", "fast lane"):
        both = dict(rows)
        rows.append((f"submit + one status read, {name}", both[f"submit, {name}"] + both[f"status read, {name}"]))
    floor = rows[0][1]
    print(f"{'server CPU per request (1 sync worker, one at a time; median)':<52}{'ms':>8}{'× bare':>9}")
    for name, ms in rows:
        print(f"{name:<52}{ms:>8.2f}{ms / floor:>8.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
