"""Authoring preview benchmark: the server time of the assignment form's live preview (POST
/courses/<id>/assignments/preview/) for the article's network, the largest networks allowed, and
refused ones, as ratios against the article's network measured in the same run.

Runs in-process through Django's test client (no network) on a fresh SQLite database, with the
settings' default size cap and check budget. Every request of a "cold" row describes a network
the process has not seen (a different learning rate or value range each time), so no cache
helps it; "refused again" rows repeat a refused network with another learning rate each time
(the refusal is remembered whatever the learning rate). Figures are medians of wall and CPU
(this thread's) time per request.

    .venv/bin/python benchmarks/authoring_preview.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(folder: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bpcourse.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    os.environ["BPCOURSE_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusals are 400s
    call_command("migrate", verbosity=0)


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the authoring form posts (every part of the network asked: `parts` left empty)."""
    from django.utils import timezone

    now = timezone.now()
    data: dict[str, Any] = {
        "title": "Bench", "instructions": "", "network": "builtin", "builtin": "article-random",
        "layers": "2-2-2", "activations": "sigmoid, sigmoid", "loss": "half_sse", "bias": "shared",
        "learning_rate": "0.5", "fixed_values": "", "default_points": "1", "points_overrides": "",
        "tolerance_kind": "sigfigs", "tolerance_value": "4", "followthrough": "on", "followthrough_credit": "100",
        "show_diagnosis": "on", "attempts_allowed": "3", "attempt_penalty": "10", "scoring": "best",
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "late_policy": "none", "late_penalty_per_day": "10", "late_until": "", "reveal": "after_due",
    }
    for grid in ("inputs", "weights", "biases", "targets"):
        for end, value in (("low", "0.05"), ("high", "0.95"), ("step", "0.05")):
            data[f"{grid}_{end}"] = value
    data.update(overrides)
    return data


# The built-in 4-8-8-3 network's value ranges, which keep deep tanh networks out of saturation.
DEEP_RANGES = {"inputs_low": "-0.9", "inputs_high": "0.9", "weights_low": "-0.6", "weights_high": "0.6",
               "biases_low": "-0.3", "biases_high": "0.3"}
LARGEST_CUSTOM = dict(network="custom", layers="6-8-8-2", activations="tanh, tanh, sigmoid", bias="per_neuron",
                      train_biases="on", **DEEP_RANGES)  # 386 quantities: the largest shape under the cap of 400
SATURATING = dict(network="custom", layers="8-8-8", activations="tanh, tanh", bias="per_neuron",
                  train_biases="on")  # positive weights: every draw saturates, whatever the learning rate
ATTACK = dict(network="custom", layers="8-8-8-8-8-8", activations="tanh, tanh, tanh, tanh, tanh",
              bias="per_neuron", train_biases="on")  # finding 5: 930 quantities


def _measure(call: Callable[[int], int], repeat: int) -> tuple[float, float, set[int]]:
    """Median wall and CPU seconds of call(i) over `repeat` calls, and the statuses seen."""
    walls, cpus, statuses = [], [], set()
    for i in range(repeat):
        wall, cpu = time.perf_counter(), time.thread_time()
        statuses.add(call(i))
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup(folder)
        return _run(args.repeat)


def _run(repeat: int) -> int:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from exercises.courses.services import courses as course_services

    instructor = User.objects.create_user("bench-prof", password="bench-pass-123456")
    course = course_services.course_create(title="Bench", instructor=instructor)
    client = Client()
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    fresh = itertools.count(1)

    def post(**overrides: Any) -> Callable[[int], int]:
        def call(i: int) -> int:
            return client.post(url, form_data(**overrides)).status_code
        return call

    def cold(**overrides: Any) -> Callable[[int], int]:
        """A network not seen before at each call: another value range (and learning rate)."""
        def call(i: int) -> int:
            n = next(fresh)
            low = f"{float(overrides.get('inputs_low', '0.05')) + 0.0001 * n:.4f}"
            return client.post(url, form_data(**{**overrides, "inputs_low": low,
                                                  "learning_rate": f"{0.3 + 0.0001 * n:.4f}"})).status_code
        return call

    def relearn(**overrides: Any) -> Callable[[int], int]:
        """The same network with another learning rate at each call (finding 5's attack)."""
        def call(i: int) -> int:
            return client.post(url, form_data(**overrides, learning_rate=f"{0.5 + 0.0001 * next(fresh):.4f}")).status_code
        return call

    for _ in range(3):  # warm-up: templates, translations, the article's numbers
        post()(0)
    refused_once = cold(**LARGEST_CUSTOM)
    first_saturating = _measure(post(**SATURATING), 1)
    rows = [
        ("article network (builtin article-random)", _measure(post(), repeat)),
        ("largest built-in: deep-4-8-8-3 (340 parts)", _measure(post(builtin="deep-4-8-8-3"), repeat)),
        ("custom 2-2-2 (the article's shape), cold", _measure(cold(network="custom"), repeat)),
        ("largest custom shape 6-8-8-2 (386), cold", _measure(refused_once, repeat)),
        ("  the same, again with another η (redone)", _measure(relearn(**{**LARGEST_CUSTOM, "inputs_low": "-0.9"}), repeat)),
        ("8-8-8 tanh, saturating: first check (once)", first_saturating),
        ("  again with another η (remembered)", _measure(relearn(**SATURATING), repeat)),
        ("8-8-8-8-8-8 tanh (930 parts), other η each", _measure(relearn(**ATTACK), repeat)),
    ]
    base_wall, base_cpu = rows[0][1][0], rows[0][1][1]
    print(f"size cap {settings.BPCOURSE_MAX_NETWORK_PARTS} parts; check budget "
          f"{settings.BPCOURSE_AUTHORING_MAX_DRAWS} draws / {settings.BPCOURSE_AUTHORING_MAX_SECONDS * 1e3:.0f} ms CPU; "
          f"median of {repeat}")
    print(f"{'preview request':<46}{'status':>8}{'wall ms':>9}{'×':>7}{'CPU ms':>9}{'×':>7}")
    for name, (wall, cpu, statuses) in rows:
        status = "/".join(str(s) for s in sorted(statuses))
        print(f"{name:<46}{status:>8}{wall * 1e3:>9.1f}{wall / base_wall:>7.1f}{cpu * 1e3:>9.1f}{cpu / base_cpu:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
