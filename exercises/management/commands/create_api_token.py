"""Create a personal API token for a user (printed once; only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exercises.api.tokens import api_token_create

from exercises.management.users import user_named


class Command(BaseCommand):
    help = "Create an API token for `Authorization: Bearer …` and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label, e.g. the machine it is used on")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_named(options["username"])
        _token, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
