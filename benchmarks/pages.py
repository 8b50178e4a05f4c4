"""Page benchmark: server time of the site's pages and of a synchronous practice submit.

Runs in-process through Django's test client (no network), on a fresh SQLite database, with
grading inline (Celery eager) so a submit includes the grading. The baseline is a trivial view
(`HttpResponse("ok")`) measured in the same run; figures are medians and ratios to it.

    .venv/bin/python benchmarks/pages.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bpcourse.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["BPCOURSE_TASKS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _timed(call: Callable[[], object], repeat: int) -> float:
    """Median seconds of one call after a warm-up."""
    for _ in range(5):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _get_with(client: object, url: str) -> Callable[[], object]:
    def call() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return call


def _graded_student(count: int) -> object:
    """A student with `count` graded practice attempts (article-random, half of them with flipped signs)."""
    from django.contrib.auth import get_user_model

    import graders
    from exercises.models import Submission
    from exercises.practice import services as practice_services

    user = get_user_model().objects.create_user(username="bench-student", password="bench-pw-123456")
    for i in range(count):
        variant = practice_services.variant_create(template="article-random", seed=f"bench-{i}", owner=user)
        values = graders.solve(graders.generate("article-random", f"bench-{i}")).quantities()
        answers = {k: f"{(-v if i % 2 and k.startswith('dE_dout') else v):.6g}" for k, v in values.items()}
        practice_services.submission_create(variant=variant, answers=answers, user=user)  # graded inline (eager)
    graded = Submission.objects.filter(user=user, status=Submission.Status.GRADED).count()
    assert graded == count, graded
    return user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup(str(Path(folder) / "bench.sqlite3"))
        return _run(args.repeat)


def _run(repeat: int) -> int:
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    import graders
    from bpcourse import urls
    from exercises.web.forms import FORM_TOKEN_FIELD

    urls.urlpatterns.append(path("bench-trivial", lambda request: HttpResponse("ok")))
    clear_url_caches()
    client = Client()
    practice_url = "/practice/article-random/bench/"
    spec = graders.generate("article-random", "bench")
    answers = {k: f"{v:.6g}" for k, v in graders.solve(spec).quantities().items()}
    token = re.compile(rf'name="{FORM_TOKEN_FIELD}" value="([^"]+)"')

    def submit() -> None:
        page = client.get(practice_url).content.decode()
        data = dict(answers, **{FORM_TOKEN_FIELD: token.search(page).group(1)})
        # browsers send forms urlencoded (the test client's default is multipart)
        response = client.post(practice_url, urlencode(data),
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, response.status_code

    def get(url: str) -> Callable[[], object]:
        def call() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return call

    baseline = _timed(get("/bench-trivial"), repeat)
    practice_page = _timed(get(practice_url), repeat)
    student = Client()
    student.force_login(_graded_student(50))
    progress_page = _timed(_get_with(student, "/progress/"), repeat)
    figures = {
        "trivial view (baseline)": baseline,
        "home": _timed(get("/"), repeat),
        "walkthrough": _timed(get("/walkthrough/"), repeat),
        "practice page (article-random)": practice_page,
        # a submit = its page load + the POST; subtract the page load measured above
        "practice submit + synchronous grading": _timed(submit, max(50, repeat // 3)) - practice_page,
        "my progress (signed in, 50 graded attempts)": progress_page,
    }
    print(f"{'server time (median, in-process, SQLite)':<44}{'ms':>9}{'× baseline':>12}")
    for name, seconds in figures.items():
        print(f"{name:<44}{seconds * 1e3:>9.2f}{seconds / baseline:>11.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
