"""In-process benchmark of the grading pipeline: CPU per submission, one task per submission
against batches, on the same queued submissions of one run.

Makes a database of its own (PostgreSQL `bpcourse_batch_bench` on DATABASE_URL's server, else a
temporary SQLite file), queues --count full submissions of the article network spread over
--variants variants, and grades them (a) one `submission_grade` call each, as before batches,
then, queued again, (b) with `submissions_grade(limit=--batch)` called for the first queued one
until none is left, and (c) one at a time, each queued alone and graded by a round as a listening
task grades at low load (its CPU counts the rounds only). CPU (process_time, this process: Python, ORM, driver) and wall time per
submission; the database server's own CPU is not counted. No broker: Celery's cost per task
message is the load benchmark's no-op column.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/grading_batch.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NAME = "bpcourse_batch_bench"


def _database(folder: str) -> tuple[str, str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{folder}/bench.sqlite3", None
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing a non-local database: {url}")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAME}"')
    return urlunsplit((parts.scheme, parts.netloc, "/" + NAME, "", "")), admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, admin = _database(folder)
        os.environ.update(DJANGO_SETTINGS_MODULE="bpcourse.settings.test", DATABASE_URL=url, BPCOURSE_NOTIFY_URL="")
        try:
            run(args)
        finally:
            if admin:
                from django.db import connections

                connections.close_all()
                import psycopg

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


def run(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from unittest import mock

    import graders
    from exercises.grading import pipeline
    from exercises.grading.variants import variant_spec
    from exercises.models import Submission
    from exercises.practice import services

    variants = [services.variant_create(template="article-random", seed=f"b{i}") for i in range(args.variants)]
    answers = []
    for variant in variants:
        solution = graders.solve(variant_spec(variant=variant))
        answers.append({p.key: repr(solution.values[p.key]) for p in solution.parts})
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        for i in range(args.count):
            services.submission_create(variant=variants[i % len(variants)], answers=answers[i % len(variants)])
    ids = list(Submission.objects.order_by("enqueued_at").values_list("pk", flat=True))
    pipeline._per_submission_s = 0.001  # a worker that has graded before

    def requeue() -> None:
        Submission.objects.update(status="queued", claim_token=None, grading_started_at=None, attempt_number=None)

    def singly() -> int:
        return sum(pipeline.submission_grade(submission_id=pk) for pk in ids)

    def batched() -> int:
        stored = 0
        while first := Submission.objects.filter(status="queued").order_by("enqueued_at").values_list("pk", flat=True).first():
            stored += pipeline.submissions_grade(submission_id=first, limit=args.batch, seconds=60).stored
        return stored

    def rounds_of_one() -> int:
        """As a listener at low load: each submission is queued alone, then graded by a round."""
        Submission.objects.update(status="graded")
        stored = 0
        for pk in ids:
            Submission.objects.filter(pk=pk).update(status="queued", claim_token=None, grading_started_at=None)
            cpu = time.process_time()
            stored += pipeline.submissions_grade(submission_id=pk, limit=args.batch, seconds=60).stored
            timed[0] += time.process_time() - cpu
        return stored

    timed = [0.0]
    print(f"{args.count} submissions over {args.variants} variants, {django.db.connection.vendor}")
    for round_ in range(args.rounds):
        for name, grade in (("one call per submission", singly), (f"batches of {args.batch}", batched),
                            ("rounds of one (a listener)", rounds_of_one)):
            requeue()
            timed[0] = 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            stored = grade()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if grade is rounds_of_one:  # the grading rounds only, not the re-queueing between them
                cpu = timed[0]
            assert stored == args.count, (name, stored)
            print(f"  round {round_ + 1}, {name:<24} CPU {cpu / stored * 1000:6.3f} ms, "
                  f"wall {wall / stored * 1000:6.3f} ms per submission")


if __name__ == "__main__":
    main()
