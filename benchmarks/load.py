"""Load benchmark: N simulated students submit full answers over HTTP; workers grade them.

Starts everything it measures on 127.0.0.1 and stops it at the end:
  gunicorn (bpcourse.wsgi, 2 sync workers, one per core: compose runs 3, --gunicorn-workers N;
  --gunicorn-threads N for gthread) + 2 Celery workers, the real Redis (REDIS_URL, a spare database and a private queue), a database of
  its own (PostgreSQL `bpcourse_bench` on DATABASE_URL's server when DATABASE_URL is PostgreSQL,
  else a fresh SQLite file in var/bench/).

For each N (default 50 and 200), after an untimed set-up in which every student opens an
`article-random` variant and submits once, it runs two phases of --duration seconds each:
  * students: every student loops  submit all parts → poll its submission until graded (first
    after --poll s, then every --poll-every s, sending back the last answer's ETag so that an
    unchanged status costs a 304) → think (random, exponential, mean --think s). Latency = server `graded_at` − the moment
    the client started sending the submit (same clock), so polling does not inflate it.
  * baseline: the same N clients and think times, but each round trip is a no-op Celery task
    through the same Redis and workers (result fetched through a Redis result backend).
Then it waits until every accepted submission is graded and reports lost ones.

    .venv/bin/python benchmarks/load.py                  # N = 50 and 200
    .venv/bin/python benchmarks/load.py --students 50 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def local_only(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1", None}:
        raise SystemExit(f"refusing a non-local service: {url}")


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def bench_database(url: str, name: str, sqlite_folder: Path) -> tuple[str, str | None]:
    """A fresh database for a benchmark: `name` on a local PostgreSQL `url`'s server, else a new
    SQLite file in `sqlite_folder`; (its URL, the server's admin URL to drop it with, or None)."""
    if url.startswith(("postgres://", "postgresql://")):
        local_only(url)
        import psycopg

        admin = with_path(url, "/postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return with_path(url, "/" + name), admin
    shutil.rmtree(sqlite_folder, ignore_errors=True)
    sqlite_folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{sqlite_folder / 'bench.sqlite3'}", None


def drop_bench_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Services:
    """gunicorn + Celery workers, started and stopped by pid."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.procs: list[subprocess.Popen[bytes]] = []
        self.port = free_port()
        self.queue = f"bench-{uuid.uuid4().hex[:8]}"
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.broker = args.redis_url or with_path(redis_url, "/12")
        local_only(self.broker)
        self.var = ROOT / "var" / "bench"
        self.created_db: str | None = None
        self.database = self._database()
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="bpcourse.settings.dev",
            DJANGO_DEBUG="0",
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database,
            CONN_MAX_AGE="60",
            CELERY_BROKER_URL=self.broker,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            BPCOURSE_VAR_DIR=str(self.var),
            BPCOURSE_RATE_LIMITS="0",  # every simulated student comes from 127.0.0.1
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("REDIS_URL", None)

    def _database(self) -> str:
        url, self.created_db = bench_database(self.args.database_url or os.environ.get("DATABASE_URL", ""),
                                              "bpcourse_bench", self.var)
        return url

    def start(self) -> None:
        logs = self.var / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
                       cwd=ROOT, env=self.env, check=True)
        self._spawn(
            [str(VENV_BIN / "gunicorn"), "bpcourse.wsgi", "-b", f"{HOST}:{self.port}",
             "-w", str(self.args.gunicorn_workers), "--threads", str(self.args.gunicorn_threads),
             "--backlog", "2048", "--log-level", "warning"],
            logs / "gunicorn.log",
        )
        for i in range(self.args.workers):
            self._spawn(
                [str(VENV_BIN / "celery"), "-A", "benchmarks.celery_app", "worker", "-n", f"bench{i}@%h",
                 "-Q", self.queue, f"--pool={self.args.pool}", f"--concurrency={self.args.concurrency}",
                 "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                logs / f"worker{i}.log",
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start; see var/bench/logs")

    def _spawn(self, cmd: list[str], log: Path) -> None:
        self.procs.append(
            subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        )

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by each started process and its descendants."""
        ticks = os.sysconf("SC_CLK_TCK")
        stats: dict[int, tuple[int, float]] = {}
        by_name: dict[str, float] = {"postgres": 0.0, "redis-server": 0.0}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    head, tail = (entry / "stat").read_text().rsplit(")", 1)
                except OSError:
                    continue
                fields = tail.split()
                cpu = (int(fields[11]) + int(fields[12])) / ticks
                stats[int(entry.name)] = (int(fields[1]), cpu)
                comm = head.split("(", 1)[1]
                for name in by_name:
                    if comm.startswith(name):
                        by_name[name] += cpu
        out: dict[str, float] = dict(by_name)
        for proc in self.procs:
            family, frontier = {proc.pid}, [proc.pid]
            while frontier:
                parent = frontier.pop()
                for pid, (ppid, _cpu) in stats.items():
                    if ppid == parent and pid not in family:
                        family.add(pid)
                        frontier.append(pid)
            name = Path(proc.args[0]).name + ("" if "gunicorn" in proc.args[0] else f":{proc.pid}")
            out[name] = sum(stats[pid][1] for pid in family if pid in stats)
        return out

    def snapshot(self) -> tuple[dict[str, float], float, tuple[float, float]]:
        """CPU used so far by our processes, by this client, and by the whole machine."""
        return self.cpu_seconds(), time.process_time(), self.machine_busy()

    @staticmethod
    def machine_busy() -> tuple[float, float]:
        """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
        fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    # Graded twice would show as an attempt counted twice: two graded rows of a variant with one
    # attempt number, or a variant's counter above its graded rows.
    TWICE_SQL = (
        "SELECT (SELECT count(*) FROM (SELECT variant_id, attempt_number FROM exercises_submission "
        "WHERE status = 'graded' GROUP BY variant_id, attempt_number HAVING count(*) > 1) AS d), "
        "(SELECT count(*) FROM exercises_variant v WHERE v.attempt_count <> "
        "(SELECT count(*) FROM exercises_submission s WHERE s.variant_id = v.id AND s.status = 'graded'))"
    )

    def graded_twice(self) -> tuple[int, int]:
        """(attempt numbers given twice, variants whose counter disagrees with their graded rows)."""
        if self.database.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.database.removeprefix("sqlite:///")) as conn:
                return tuple(conn.execute(self.TWICE_SQL).fetchone())  # type: ignore[return-value]
        import psycopg

        with psycopg.connect(self.database) as conn:
            return tuple(conn.execute(self.TWICE_SQL).fetchone())  # type: ignore[return-value]

    def listeners_gone(self, timeout: float = 8.0) -> None:
        """Wait until no grading task listens on the queue (exercises.grading.linger), so that the
        no-op baseline that follows has both worker processes."""
        import redis

        client = redis.Redis.from_url(self.broker)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and client.get(f"bpcourse:grading-wake:{self.queue}") not in (None, b"1"):
            time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        try:
            import redis

            client = redis.Redis.from_url(self.broker)
            client.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
            client.close()
        except Exception:
            pass
        if self.created_db and not self.args.keep_db:
            drop_bench_database(self.created_db, "bpcourse_bench")


# ---------------------------------------------------------------------------------- HTTP


async def http(
    port: int, method: str, path: str, body: dict | None = None, etag: dict[str, str] | None = None
) -> tuple[int, dict]:
    """One HTTP/1.1 request on a fresh connection. With `etag` (a dict kept by the caller) it
    polls as a careful client does: sends back the ETag it got last (If-None-Match) and keeps the
    new one; a 304 answers (304, {})."""
    payload = json.dumps(body).encode() if body is not None else b""
    reader, writer = await asyncio.open_connection(HOST, port)
    conditional = f"If-None-Match: {etag['value']}\r\n" if etag and etag.get("value") else ""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n{conditional}"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    writer.write(head.encode() + payload)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    headers, _, content = rest.partition(b"\r\n\r\n")
    status = int(status_line.split()[1])
    REQUESTS[f"{method} {status}"] += 1
    if etag is not None:
        etag["value"] = next((line.split(b":", 1)[1].strip().decode() for line in headers.split(b"\r\n")
                              if line.lower().startswith(b"etag:")), "")
    try:
        data = json.loads(content) if content else {}
    except ValueError:
        data = {"raw": content[:200].decode(errors="replace")}
    return status, data


# ------------------------------------------------------------------------------------ load


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)  # seconds
    accept: list[float] = field(default_factory=list)  # client send → row stored (web)
    queue: list[float] = field(default_factory=list)  # row stored → graded (broker + worker)
    submitted: int = 0
    accepted: list[tuple[str, float]] = field(default_factory=list)  # (submission id, t0 epoch)
    errors: int = 0
    started: float = 0.0
    ended: float = 0.0
    snapshots: list[tuple[dict[str, float], float, tuple[float, float]]] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)  # "METHOD status" → how many


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


POLL_EVERY = 1.0
REQUESTS: Counter[str] = Counter()  # "METHOD status" → requests sent (reset per phase)


async def wait_graded(port: int, submission_id: str, poll: float, give_up_at: float) -> dict | None:
    """Poll a submission until it is finished (first after `poll` s, then every POLL_EVERY s)."""
    wait = poll
    etag: dict[str, str] = {}
    while time.time() < give_up_at:
        await asyncio.sleep(wait)
        wait = POLL_EVERY
        status, sub = await http(port, "GET", f"/api/submissions/{submission_id}", etag=etag)
        if status == 200 and sub["status"] in {"graded", "error"}:
            return sub
    return None


async def student_setup(port: int, poll: float) -> tuple[str, dict[str, str]] | None:
    """Open a variant, compute every answer (as a student's own code would), submit once."""
    import graders

    status, variant = await http(port, "POST", "/api/practice", {"template": "article-random"})
    if status != 201:
        return None
    values = graders.solve(graders.generate(variant["template"], variant["seed"])).values
    answers = {key: repr(values[key]) for key in variant["part_keys"]}
    status, created = await http(port, "POST", f"/api/variants/{variant['id']}/submissions", {"answers": answers})
    if status != 202 or await wait_graded(port, created["id"], poll, time.time() + 120) is None:
        return None
    return variant["id"], answers


async def student(
    port: int, setup: tuple[str, dict[str, str]], phase: Phase, stop_at: float, think: float, poll: float,
    rng: random.Random,
) -> None:
    variant_id, answers = setup
    await asyncio.sleep(rng.uniform(0, think))
    while time.time() < stop_at:
        t0 = time.time()
        phase.submitted += 1
        status, created = await http(port, "POST", f"/api/variants/{variant_id}/submissions", {"answers": answers})
        if status != 202:
            phase.errors += 1
            continue
        phase.accepted.append((created["id"], t0))
        sub = await wait_graded(port, created["id"], poll, stop_at + 60)
        if sub is not None:
            created, graded = parse_time(sub["created_at"]), parse_time(sub["graded_at"])
            phase.latencies.append(graded - t0)
            phase.accept.append(created - t0)
            phase.queue.append(graded - created)
        await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)


async def run_students(services: Services, n: int, duration: float, think: float, poll: float) -> Phase:
    # Untimed: every student opens a variant and submits once, so that the timed phase measures
    # steady grading rather than the first generation of each network in each process.
    setups = [s for s in await asyncio.gather(*(student_setup(services.port, poll) for _ in range(n))) if s]
    REQUESTS.clear()
    phase = Phase(started=time.time())
    phase.snapshots.append(services.snapshot())
    phase.errors = n - len(setups)
    stop_at = phase.started + duration
    rng = random.Random(n)
    await asyncio.gather(*(student(services.port, s, phase, stop_at, think, poll, rng) for s in setups))
    phase.ended = time.time()
    phase.snapshots.append(services.snapshot())
    phase.requests = Counter(REQUESTS)
    return phase


def run_noop(services: Services, n: int, duration: float, think: float) -> Phase:
    """N clients, each: send benchmarks.noop, wait (BLPOP) for it to have run, think, repeat."""
    import redis
    from celery import Celery

    client = Celery("bench-client", broker=services.broker)
    client.conf.update(task_default_queue=services.queue, broker_pool_limit=n + 2)
    phase = Phase(started=time.time())
    stop_at = phase.started + duration

    def one_client(seed: int) -> None:
        rng = random.Random(seed)
        replies = redis.Redis.from_url(services.broker)
        key = f"bench-reply-{uuid.uuid4().hex}"
        time.sleep(rng.uniform(0, think))
        while time.time() < stop_at:
            t0 = time.perf_counter()
            phase.submitted += 1
            client.send_task("benchmarks.noop", args=[key])
            try:
                reply = replies.blpop([key], timeout=30)
            except redis.RedisError:  # a starved machine: count it, do not abort the run
                reply = None
            if reply is None:
                phase.errors += 1
                continue
            phase.latencies.append(time.perf_counter() - t0)
            time.sleep(rng.expovariate(1 / think) if think > 0 else 0)
        replies.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(one_client, range(n)))
    phase.ended = time.time()
    return phase


async def drain(services: Services, phase: Phase, timeout: float) -> tuple[int, int]:
    """Wait until every accepted submission is graded; return (graded, lost)."""
    pending = {sid for sid, _ in phase.accepted}
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        done = set()
        for sid in list(pending)[:200]:
            status, sub = await http(services.port, "GET", f"/api/submissions/{sid}")
            if status == 200 and sub["status"] == "graded":
                done.add(sid)
        pending -= done
        if pending:
            await asyncio.sleep(0.5)
    return len(phase.accepted) - len(pending), len(pending)


def fmt_ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--think", type=float, default=0.5, help="mean think time between submits (s)")
    parser.add_argument("--poll", type=float, default=0.25, help="first status poll after (s)")
    parser.add_argument("--poll-every", type=float, default=1.0, help="later status polls every (s)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="pool size of each worker")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=1,
                        help="threads per gunicorn worker (1: sync workers, as deployed)")
    parser.add_argument("--redis-url", default="", help="default: REDIS_URL's server, database 12")
    parser.add_argument("--database-url", default="", help="default: DATABASE_URL (PostgreSQL) or SQLite")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    global POLL_EVERY
    POLL_EVERY = args.poll_every

    services = Services(args)
    rows = []
    try:
        services.start()
        print(f"gunicorn :{services.port} ({args.gunicorn_workers} workers × {args.gunicorn_threads} threads), {args.workers} Celery workers "
              f"({args.pool} ×{args.concurrency}), broker {services.broker} queue {services.queue}, "
              f"database {services.database.split('@')[-1]}")
        # Warm up: imports, connections, grader caches.
        asyncio.run(run_students(services, 4, 2.0, 0.1, 0.05))
        services.listeners_gone()
        run_noop(services, 4, 1.0, 0.05)
        for n in args.students:
            phase = asyncio.run(run_students(services, n, args.duration, args.think, args.poll))
            (cpu0, client0, busy0), (cpu1, client1, busy1) = phase.snapshots
            busy = (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1)
            graded, lost = asyncio.run(drain(services, phase, 60))
            services.listeners_gone()
            span = max(phase.ended - phase.started, 1e-9)
            noop_cpu0 = services.cpu_seconds()
            base = run_noop(services, n, args.duration, args.think)
            noop_cpu1 = services.cpu_seconds()
            base_rate = len(base.latencies) / max(base.ended - base.started, 1e-9)
            p95_ratio = percentile(phase.latencies, 95) / percentile(base.latencies, 95)
            workers = sum(cpu1[k] - cpu0.get(k, 0) for k in cpu1 if k.startswith("celery"))
            noop_workers = sum(noop_cpu1[k] - noop_cpu0.get(k, 0) for k in noop_cpu1 if k.startswith("celery"))
            web = cpu1.get("gunicorn", 0) - cpu0.get("gunicorn", 0)
            per = {
                "worker": workers / max(graded, 1) * 1000,
                "web": web / max(len(phase.accepted), 1) * 1000,
                "noop": noop_workers / max(len(base.latencies), 1) * 1000,
                "ratio": graded / span / base_rate,
                "p95": p95_ratio,
            }
            rows.append((n, phase, graded, lost, span, base, per))
            print(
                f"\nN={n}: {len(phase.accepted)} submissions accepted ({phase.errors} errors), "
                f"{graded} graded, {lost} lost; throughput {graded / span:.1f} graded/s\n"
                f"  submit→graded ms  p50 {fmt_ms(phase.latencies, 50)}  p95 {fmt_ms(phase.latencies, 95)}"
                f"  p99 {fmt_ms(phase.latencies, 99)}  (n={len(phase.latencies)})\n"
                f"    of which web: send → stored  p50 {fmt_ms(phase.accept, 50)}  p95 {fmt_ms(phase.accept, 95)};"
                f"  stored → graded  p50 {fmt_ms(phase.queue, 50)}  p95 {fmt_ms(phase.queue, 95)}\n"
                f"  no-op round trip  p50 {fmt_ms(base.latencies, 50)}  p95 {fmt_ms(base.latencies, 95)}"
                f"  p99 {fmt_ms(base.latencies, 99)}  (n={len(base.latencies)}, "
                f"{len(base.latencies) / max(base.ended - base.started, 1e-9):.1f}/s)\n"
                f"  p95 ratio submit→graded / no-op: {p95_ratio:.2f}; graded/s ÷ no-op rate: {per['ratio']:.2f}\n"
                f"  CPU ms per submission: workers {per['worker']:.2f} per graded (a no-op task "
                f"{per['noop']:.2f}), web {per['web']:.2f} per accepted (its submit and status polls)\n"
                f"  web requests: " + ", ".join(f"{k} × {v}" for k, v in sorted(phase.requests.items()))
                + f"; web CPU {web / max(sum(phase.requests.values()), 1) * 1000:.2f} ms per request\n"
                f"  CPU s during the students phase: "
                + ", ".join(f"{k} {cpu1[k] - cpu0.get(k, 0):.1f}" for k in cpu1)
                + f", load client {client1 - client0:.1f}; whole machine {busy:.0%} busy"
            )
        twice = services.graded_twice()
        print(f"\ngraded twice: {twice[0]} attempt numbers given twice, {twice[1]} variants whose attempt "
              "counter differs from their graded submissions (both 0: every submission graded once)")
    finally:
        services.stop()
    if rows:
        print("\n|  N | accepted | graded | lost | graded/s | no-op/s | ÷ | p50 ms | p95 ms | p99 ms "
              "| no-op p50 | no-op p95 | p95 × no-op | worker CPU ms/graded | web CPU ms/submission |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, phase, graded, lost, span, base, per in rows:
            base_rate = len(base.latencies) / max(base.ended - base.started, 1e-9)
            print(
                f"| {n} | {len(phase.accepted)} | {graded} | {lost} | {graded / span:.1f} | {base_rate:.1f} | "
                f"{per['ratio']:.2f} | "
                f"{percentile(phase.latencies, 50) * 1000:.1f} | {percentile(phase.latencies, 95) * 1000:.1f} | "
                f"{percentile(phase.latencies, 99) * 1000:.1f} | {percentile(base.latencies, 50) * 1000:.1f} | "
                f"{percentile(base.latencies, 95) * 1000:.1f} | {per['p95']:.1f} | {per['worker']:.2f} | "
                f"{per['web']:.2f} |"
            )


if __name__ == "__main__":
    main()
