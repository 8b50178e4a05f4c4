"""Register an LTI 1.3 platform (issuer, client id, its URLs, deployment ids) and print the values
to paste into it; with --show only print the values."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exercises.lti.keys import jwks
from exercises.lti.services.registration import platform_register, tool_values


class Command(BaseCommand):
    help = "Register an LTI 1.3 platform and print the tool's URLs and values to paste into it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", help="a name for the platform (shown to staff)")
        parser.add_argument("--issuer", help="the platform's issuer (iss), e.g. https://canvas.instructure.com")
        parser.add_argument("--client-id", help="the client id the platform gave the tool")
        parser.add_argument("--auth-login-url", help="the platform's OIDC authentication request URL")
        parser.add_argument("--token-url", help="the platform's access token URL")
        parser.add_argument("--keyset-url", help="the platform's public keyset (JWKS) URL")
        parser.add_argument("--audience", default="", help="access token audience, if not the token URL")
        parser.add_argument("--deployment-id", action="append", default=[], help="a deployment id (repeatable)")
        parser.add_argument("--site-url", default=settings.BPCOURSE_SITE_URL, help="this site's public base URL")
        parser.add_argument("--show", action="store_true", help="only print the values to paste")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["show"]:
            needed = ["issuer", "client_id", "auth_login_url", "token_url", "keyset_url"]
            missing = [f"--{name.replace('_', '-')}" for name in needed if not options[name]]
            if missing:
                raise CommandError("missing: " + ", ".join(missing))
            platform = platform_register(
                name=options["name"] or options["issuer"], issuer=options["issuer"], client_id=options["client_id"],
                auth_login_url=options["auth_login_url"], auth_token_url=options["token_url"],
                keyset_url=options["keyset_url"], deployment_ids=options["deployment_id"],
                auth_audience=options["audience"],
            )
            deployments = ", ".join(platform.deployments.values_list("deployment_id", flat=True)) or "none yet"
            self.stdout.write(f"Registered {platform.name}: issuer {platform.issuer}, client id "
                              f"{platform.client_id}, deployments: {deployments}")
        values = tool_values(base_url=options["site_url"])
        self.stdout.write("Paste into the platform:")
        for label, key in [("Tool name", "tool_name"), ("Domain", "domain"),
                           ("OpenID Connect login / initiation URL", "login_url"),
                           ("Redirect URI(s)", "redirect_uri"), ("Target link URI", "target_link_uri"),
                           ("Deep linking URL", "deep_linking_url"), ("Public keyset (JWKS) URL", "jwks_url"),
                           ("Dynamic registration URL", "dynamic_registration_url")]:
            self.stdout.write(f"  {label}: {values[key]}")
        self.stdout.write(f"  Services (scopes): {' '.join(values['scopes'])}")
        self.stdout.write(f"  Signing key id (kid): {jwks()['keys'][0]['kid']}")
