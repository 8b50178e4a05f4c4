"""Create the demo accounts (a student and an instructor) for a local run; prints them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEMO_USERS = [
    # username, password, is_staff, is_superuser
    ("student", "student-demo-pass", False, False),
    ("instructor", "instructor-demo-pass", True, True),
]


class Command(BaseCommand):
    help = "Create the demo student and instructor accounts (local runs only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="also when DEBUG is off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts have well-known passwords: refusing with DEBUG off (use --force).")
        User = get_user_model()
        for username, password, is_staff, is_superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            role = "instructor (admin at /admin/)" if is_staff else "student"
            self.stdout.write(f"demo {role}: username {username!r} password {password!r}"
                              f"{'' if created else ' (reset)'}")
