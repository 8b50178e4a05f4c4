"""Personal API tokens: created once, looked up by hash, revoked."""
from __future__ import annotations


import pytest

from exercises.api import tokens





pytestmark = pytest.mark.django_db


def test_api_tokens(user):
    token, raw = tokens.api_token_create(user=user, name="laptop")
    assert raw.startswith("bpc_") and token.token_hash != raw
    assert tokens.api_token_get(raw_token=raw) == token
    assert tokens.api_token_get(raw_token=raw + "x") is None
    tokens.api_token_revoke(token=token)
    assert tokens.api_token_get(raw_token=raw) is None
