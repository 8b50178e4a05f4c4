"""The tool's RSA keys: the signing key comes from BPCOURSE_LTI_PRIVATE_KEY (PEM text, or a file
with BPCOURSE_LTI_PRIVATE_KEY_FILE) or else from the database (LtiKey, made on first use and by
`manage.py lti_rotate_key`); the JWKS publishes every key that may still have signed something."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

from ..models import LtiKey

KEY_BITS = 2048


@dataclass(frozen=True)
class ToolKey:
    """A key pair in PEM and its key id (the RFC 7638 thumbprint of the public key)."""

    kid: str
    private_pem: str
    public_pem: str


def _public_pem(private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def kid_of(public_pem: str) -> str:
    """The key id the JWKS and every signed token carry for a public key."""
    return JWK.from_pem(public_pem.encode("ascii")).thumbprint()


def public_jwk(public_pem: str) -> dict[str, Any]:
    """A public key as a JWK for signing with RS256."""
    jwk = json.loads(JWK.from_pem(public_pem.encode("ascii")).export_public())
    return {**jwk, "kid": kid_of(public_pem), "alg": "RS256", "use": "sig"}


def new_private_pem(bits: int = KEY_BITS) -> str:
    """A fresh RSA private key in PEM (PKCS#8)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def environment_key() -> ToolKey | None:
    """The key given in the environment, if any (it then signs instead of the database's)."""
    pem = os.environ.get("BPCOURSE_LTI_PRIVATE_KEY", "").strip()
    path = os.environ.get("BPCOURSE_LTI_PRIVATE_KEY_FILE", "").strip()
    if not pem and path:
        with open(path, encoding="ascii") as handle:
            pem = handle.read().strip()
    if not pem:
        return None
    public = _public_pem(pem.replace("\\n", "\n"))
    return ToolKey(kid=kid_of(public), private_pem=pem.replace("\\n", "\n"), public_pem=public)


def key_rotate(*, retire_others: bool = False) -> LtiKey:
    """Make a new database key the signing key; older keys stay published unless `retire_others`."""
    private = new_private_pem()
    public = _public_pem(private)
    key = LtiKey.objects.create(kid=kid_of(public), private_key=private, public_key=public)
    if retire_others:
        LtiKey.objects.exclude(pk=key.pk).update(active=False)
    return key


def signing_key() -> ToolKey:
    """The key the tool signs with: the environment's, else the newest active database key (made if none)."""
    env = environment_key()
    if env is not None:
        return env
    key = LtiKey.objects.filter(active=True).order_by("-created_at", "-pk").first() or key_rotate()
    return ToolKey(kid=key.kid, private_pem=key.private_key, public_pem=key.public_key)


def jwks() -> dict[str, list[dict[str, Any]]]:
    """The tool's public keys: the signing key first, then every other published database key."""
    current = signing_key()
    keys = [public_jwk(current.public_pem)]
    for key in LtiKey.objects.filter(active=True).exclude(kid=current.kid).order_by("-created_at"):
        keys.append(public_jwk(key.public_key))
    return {"keys": keys}
