from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from exercises.grading.sweep import submission_sweep


class Command(BaseCommand):
    help = "Re-enqueue submissions left queued (or stuck grading) longer than the sweep age."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="age in seconds (default: BPCOURSE_SWEEP_AGE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        age = options["older_than"]
        if age is None:
            age = settings.BPCOURSE_SWEEP_AGE_SECONDS
        sent = submission_sweep(older_than_seconds=age)
        self.stdout.write(f"re-enqueued {sent} submission(s)")
