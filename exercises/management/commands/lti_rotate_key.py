"""Rotate the LTI tool's signing key: a new RSA key in the database signs from now on; the
previous ones stay in the JWKS (platforms may hold tokens it signed) unless --retire-others."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exercises.lti.keys import environment_key, jwks, key_rotate


class Command(BaseCommand):
    help = "Make a new LTI signing key (database); --retire-others stops publishing the old ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retire-others", action="store_true",
                            help="stop publishing every older database key (after platforms have refreshed)")

    def handle(self, *args: Any, **options: Any) -> None:
        key = key_rotate(retire_others=options["retire_others"])
        self.stdout.write(f"New signing key {key.kid}.")
        if environment_key() is not None:
            self.stdout.write(self.style.WARNING(
                "BPCOURSE_LTI_PRIVATE_KEY(_FILE) is set: that key keeps signing until it is unset."))
        self.stdout.write("Published key ids: " + ", ".join(k["kid"] for k in jwks()["keys"]))
