"""pylti1p3's service connector for a platform, outside any launch (Celery tasks): access tokens
signed with the tool's key and cached in Django's cache, requests with a timeout."""

from __future__ import annotations

from pylti1p3.contrib.django import DjangoServiceConnector

from ...models import LtiPlatform
from ..http import platform_session
from ..toolconf import registration_for


def platform_connector(platform: LtiPlatform) -> DjangoServiceConnector:
    """A connector that talks to a platform's services on the tool's behalf."""
    return DjangoServiceConnector(registration_for(platform), platform_session())
