"""pylti1p3's view of the registered platforms: LtiPlatform and LtiDeployment rows, every issuer
allowed several client ids, and the tool's current signing key on every registration."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from ..models import LtiDeployment, LtiPlatform
from .keys import signing_key


class ToolRegistration(Registration):
    """A registration that names the tool's key id in the tokens it signs."""

    _kid: str = ""

    def get_kid(self) -> str | None:
        return self._kid or None


def registration_for(platform: LtiPlatform) -> ToolRegistration:
    """pylti1p3's registration of a platform, carrying the tool's signing key."""
    key = signing_key()
    registration = ToolRegistration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    registration.set_key_set_url(platform.keyset_url)
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    registration.set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem)
    registration._kid = key.kid
    return registration


class DatabaseToolConf(ToolConfAbstract):
    """Registrations and deployments from the database (one issuer may have several client ids)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("every issuer may have several client ids")

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> Registration | None:
        platform = self.platform(iss, client_id)
        return registration_for(platform) if platform is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError("every issuer may have several client ids")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        found = LtiDeployment.objects.filter(
            platform__issuer=iss, platform__client_id=client_id, deployment_id=deployment_id
        ).exists()
        return Deployment().set_deployment_id(deployment_id) if found else None

    @staticmethod
    def platform(iss: str, client_id: str | None) -> LtiPlatform | None:
        """The platform registered for an issuer and client id (a lone client id when none is given)."""
        platforms = LtiPlatform.objects.filter(issuer=iss)
        if client_id:
            return platforms.filter(client_id=client_id).first()
        return platforms.first() if platforms.count() == 1 else None
