"""Validating a launch (an OIDC id_token posted by the platform) with pylti1p3, each failure
turned into one named reason: state, nonce (unknown or used before), platform, audience,
signature, expired, deployment, token or message. The reason picks the translated page."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

import jwt
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.exception import LtiException, LtiKeyException

from ..models import LtiNonce, LtiPlatform
from .http import platform_session
from .toolconf import DatabaseToolConf

logger = logging.getLogger(__name__)

# Used nonces are kept this long; a token issued earlier than that is refused as expired, so a
# nonce forgotten can never be replayed.
NONCE_KEPT = timedelta(days=2)
KEYSET_SECONDS = 600  # how long a platform's public keys are kept
REASONS = ("state", "nonce", "platform", "audience", "signature", "expired", "deployment", "token", "message")


class LaunchRefused(Exception):
    """A launch that must not go on; `reason` is one of REASONS, `detail` is for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def _refuse(reason: str, step: Any) -> Any:
    try:
        return step()
    except LaunchRefused:
        raise
    except LtiException as exc:
        raise LaunchRefused(reason, str(exc)) from exc


class ToolLaunch(DjangoMessageLaunch):
    """pylti1p3's launch with the audience checked in the token, used nonces remembered, and
    every refusal named."""

    def validate_state(self) -> ToolLaunch:
        return _refuse("state", super().validate_state)

    def validate_jwt_format(self) -> ToolLaunch:
        return _refuse("token", super().validate_jwt_format)

    def validate_nonce(self) -> ToolLaunch:
        _refuse("nonce", super().validate_nonce)
        if LtiNonce.objects.filter(nonce=self._get_jwt_body().get("nonce", "")).exists():
            raise LaunchRefused("nonce", "nonce used before")
        return self

    def validate_registration(self) -> ToolLaunch:
        try:
            return super().validate_registration()
        except LtiException as exc:
            known = LtiPlatform.objects.filter(issuer=self._get_jwt_body().get("iss", "")).exists()
            raise LaunchRefused("audience" if known else "platform", str(exc)) from exc

    def get_public_key(self) -> tuple[str, str]:
        """The platform's key for the token's key id, from its keyset cached for KEYSET_SECONDS;
        a key id the cached set lacks (the platform rotated) fetches the keyset again."""
        registration = self._registration
        assert registration is not None
        url = registration.get_key_set_url() or ""
        cache_key = "lti-keyset:" + hashlib.sha256(url.encode()).hexdigest()
        cached = cache.get(cache_key)
        if cached:
            registration.set_key_set(cached)
            try:
                return super().get_public_key()
            except LtiKeyException:
                pass
        fresh = self.fetch_public_key(url)
        cache.set(cache_key, fresh, KEYSET_SECONDS)
        registration.set_key_set(fresh)
        return super().get_public_key()

    def validate_jwt_signature(self) -> ToolLaunch:
        public_key, alg = _refuse("signature", self.get_public_key)
        try:
            jwt.decode(
                self._get_id_token(), public_key, algorithms=[alg], audience=self.get_client_id(),
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused("expired", str(exc)) from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRefused("audience", str(exc)) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchRefused("signature", str(exc)) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRefused("token", str(exc)) from exc
        issued = self._get_jwt_body().get("iat")
        if not isinstance(issued, int | float) or issued < (timezone.now() - NONCE_KEPT).timestamp():
            raise LaunchRefused("expired", "issued too long ago")
        return self

    def validate_deployment(self) -> ToolLaunch:
        return _refuse("deployment", super().validate_deployment)

    def validate_message(self) -> ToolLaunch:
        return _refuse("message", super().validate_message)

    def save_launch_data(self) -> ToolLaunch:
        """Remember the nonce (a second use is a replay), then keep the launch for deep linking."""
        try:
            with transaction.atomic():
                LtiNonce.objects.create(nonce=self._get_jwt_body()["nonce"])
            LtiNonce.objects.filter(used_at__lt=timezone.now() - NONCE_KEPT).delete()
        except IntegrityError as exc:
            raise LaunchRefused("nonce", "nonce used before") from exc
        return super().save_launch_data()


def launch_storage() -> DjangoCacheDataStorage:
    """Where pylti1p3 keeps states, nonces and launches between requests (Django's cache)."""
    return DjangoCacheDataStorage()


def launch_validate(request: Any) -> ToolLaunch:
    """The validated launch of a request; LaunchRefused (logged) when it must be refused."""
    launch = ToolLaunch(request, DatabaseToolConf(), launch_data_storage=launch_storage(),
                        requests_session=platform_session())
    try:
        launch.validate()
    except LaunchRefused as exc:
        logger.warning("LTI launch refused (%s): %s", exc.reason, exc.detail)
        raise
    except (LtiException, KeyError, ValueError, TypeError) as exc:
        logger.warning("LTI launch refused (token): %s", exc)
        raise LaunchRefused("token", str(exc)) from exc
    return launch


def launch_restore(request: Any, launch_id: str) -> ToolLaunch:
    """A launch validated earlier, from the cache (deep linking's second step); LtiException if gone."""
    return ToolLaunch.from_cache(launch_id, request, DatabaseToolConf(), launch_data_storage=launch_storage(),
                                 requests_session=platform_session())
