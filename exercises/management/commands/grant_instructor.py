"""Approve a user as an instructor (they may create courses), or withdraw it with --revoke."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exercises.courses.services.instructors import instructor_grant, instructor_revoke


class Command(BaseCommand):
    help = "Give a user the exercises.teach permission (create courses); --revoke takes it away."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="withdraw the approval instead")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {options['username']!r}") from exc
        if options["revoke"]:
            instructor_revoke(user=user)
            note = " (a superuser keeps every permission)" if user.is_superuser else ""
            self.stdout.write(f"{user.username} may no longer create courses{note}.")
        else:
            instructor_grant(user=user)
            self.stdout.write(f"{user.username} may now create courses.")
