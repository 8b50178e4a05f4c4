"""Approve a user as an instructor (they may create courses), or withdraw it with --revoke."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exercises.courses.services.instructors import instructor_grant, instructor_revoke

from exercises.management.users import user_named


class Command(BaseCommand):
    help = "Give a user the exercises.teach permission (create courses); --revoke takes it away."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="withdraw the approval instead")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_named(options["username"])
        if options["revoke"]:
            instructor_revoke(user=user)
            note = " (a superuser keeps every permission)" if user.is_superuser else ""
            self.stdout.write(f"{user.username} may no longer create courses{note}.")
        else:
            instructor_grant(user=user)
            self.stdout.write(f"{user.username} may now create courses.")
