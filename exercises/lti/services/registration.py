"""Registering platforms: by hand (admin, `manage.py lti_register`) or by LTI Dynamic Registration
(pylti1p3next's DynamicRegistration), and the tool's values a platform's administrator pastes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from pylti1p3.dynamic_registration import DynamicRegistration

from ...models import LtiDeployment, LtiPlatform
from .. import claims
from ..http import platform_session

TOOL_NAME = "bpcourse"
TOOL_DESCRIPTION = "Backpropagation by hand, auto-graded"


def platform_register(*, name: str, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str,
                      keyset_url: str, deployment_ids: Iterable[str], auth_audience: str = "") -> LtiPlatform:
    """Create or update a platform (issuer, client id) and add its deployment ids."""
    with transaction.atomic():
        platform, _created = LtiPlatform.objects.update_or_create(
            issuer=issuer, client_id=client_id,
            defaults={"name": name, "auth_login_url": auth_login_url, "auth_token_url": auth_token_url,
                      "keyset_url": keyset_url, "auth_audience": auth_audience},
        )
        for deployment_id in deployment_ids:
            if deployment_id:
                LtiDeployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
    return platform


def tool_values(*, base_url: str) -> dict[str, Any]:
    """What a platform's administrator pastes into the LMS to add the tool."""
    base = base_url.rstrip("/")
    launch = base + reverse("exercises:lti_launch")
    return {
        "tool_name": TOOL_NAME,
        "domain": base.split("://", 1)[-1],
        "login_url": base + reverse("exercises:lti_login"),
        "redirect_uri": launch,
        "target_link_uri": launch,
        "deep_linking_url": launch,
        "jwks_url": base + reverse("exercises:lti_jwks"),
        "dynamic_registration_url": base + reverse("exercises:lti_register"),
        "scopes": [claims.SCOPE_LINEITEM, claims.SCOPE_SCORE, claims.SCOPE_MEMBERSHIPS],
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "privacy": "names and email (used for rosters; accounts are matched by issuer and subject only)",
    }


class ToolDynamicRegistration(DynamicRegistration):
    """LTI Dynamic Registration: the platform's OpenID configuration in, a registered platform out."""

    client_name = TOOL_NAME
    description = TOOL_DESCRIPTION

    def __init__(self, *, base_url: str, openid_configuration: str, registration_token: str | None) -> None:
        self.values = tool_values(base_url=base_url)
        self.base_url = base_url.rstrip("/")
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.platform: LtiPlatform | None = None

    def get_request_session(self) -> Any:
        return platform_session()

    def get_initiate_login_uri(self) -> str:
        return self.values["login_url"]

    def get_jwks_uri(self) -> str:
        return self.values["jwks_url"]

    def get_redirect_uris(self) -> list[str]:
        return [self.values["redirect_uri"]]

    def get_scopes(self) -> list[str]:
        return list(self.values["scopes"])

    def get_domain(self) -> str:
        return self.values["domain"]

    def get_target_link_uri(self) -> str:
        return self.values["target_link_uri"]

    def get_claims(self) -> list[str]:
        return list(self.values["claims"])

    def get_messages(self) -> list[dict[str, str]]:
        return [{"type": "LtiDeepLinkingRequest", "target_link_uri": self.values["deep_linking_url"],
                 "label": TOOL_NAME}]

    def get_logo_uri(self) -> str:
        return self.base_url + "/static/exercises/favicon.svg"

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str | None:  # type: ignore[override]
        return self.registration_token

    def complete_registration(self, openid_configuration: dict[str, Any],
                              openid_registration: dict[str, Any]) -> LtiPlatform:
        """Store the platform the LMS just registered the tool with."""
        tool = openid_registration.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
        platform_conf = openid_configuration.get("https://purl.imsglobal.org/spec/lti-platform-configuration") or {}
        self.platform = platform_register(
            name=str(platform_conf.get("product_family_code") or openid_configuration["issuer"])[:200],
            issuer=str(openid_configuration["issuer"]), client_id=str(openid_registration["client_id"]),
            auth_login_url=str(openid_configuration["authorization_endpoint"]),
            auth_token_url=str(openid_configuration["token_endpoint"]),
            keyset_url=str(openid_configuration["jwks_uri"]),
            auth_audience=str(openid_configuration.get("authorization_server") or ""),
            deployment_ids=[str(tool["deployment_id"])] if tool.get("deployment_id") else [],
        )
        return self.platform
