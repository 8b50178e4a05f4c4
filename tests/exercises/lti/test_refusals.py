"""Every refused launch — nonce replay, state mismatch, wrong audience, expired token, bad
signature, unknown deployment, unknown platform — answers 403 with its own translated page, is
logged, and signs nobody in."""

from __future__ import annotations

import logging
import time

import pytest
from platform_sim import LEARNER, Browser, Link, Platform, User, rsa_key

from exercises.models import LtiIdentity

pytestmark = pytest.mark.django_db(transaction=True)

SAM = User("sam-9", "Sam", "Student", LEARNER)


def link(platform: Platform) -> Link:
    return Link("link-1", "Homework", platform.tool_base + "/lti/launch/", {}, platform.url + "/lineitems/1", 1.0)


def claims(platform: Platform, **changes):
    """A resource launch's claims with some changed."""
    def build(nonce: str) -> dict:
        return {**platform.resource_claims(SAM, nonce, link(platform)), **changes}
    return build


def refused(response, reason: str) -> None:
    assert response.status_code == 403, response.text[:300]
    assert f'data-reason="{reason}"' in response.text
    assert "sessionid" not in response.cookies


def test_a_valid_launch_is_accepted_and_ties_the_account_to_issuer_and_subject(platform: Platform) -> None:
    response = Browser(platform, platform.tool_base).launch(SAM, claims(platform))
    assert response.status_code == 404 and "lti-not-linked" in response.text  # no assignment chosen yet
    assert LtiIdentity.objects.get(issuer=platform.issuer, subject=SAM.sub).user.username.startswith("lti-")


def test_the_platforms_keys_are_cached_and_fetched_again_for_a_new_key_id(platform: Platform) -> None:
    for _ in range(2):
        assert Browser(platform, platform.tool_base).launch(SAM, claims(platform)).status_code == 404
    assert sum(line.startswith("GET /jwks") for line in platform.log) == 1
    platform.private_pem, platform.public_jwk = rsa_key()  # the platform rotates its key
    platform.kid = "sim-rotated"
    platform.public_jwk.update({"kid": platform.kid, "alg": "RS256", "use": "sig"})
    assert Browser(platform, platform.tool_base).launch(SAM, claims(platform)).status_code == 404
    assert sum(line.startswith("GET /jwks") for line in platform.log) == 2


def test_a_replayed_launch_is_refused_as_a_used_nonce(platform: Platform, caplog) -> None:
    browser = Browser(platform, platform.tool_base)
    assert browser.launch(SAM, claims(platform)).status_code == 404
    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        refused(browser.post_launch(browser.last_form), "nonce")
    assert "LTI launch refused (nonce)" in caplog.text


def test_a_launch_whose_state_does_not_match_is_refused(platform: Platform, caplog) -> None:
    browser = Browser(platform, platform.tool_base)
    platform.expect_launch("h", claims(platform))
    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        login = browser.session.post(platform.tool_base + "/lti/login/", data={
            "iss": platform.issuer, "login_hint": SAM.sub, "lti_message_hint": "h", "client_id": platform.client_id,
        }, allow_redirects=False)
        form = __import__("platform_sim").form_fields(browser.session.get(login.headers["Location"]).text)
        refused(browser.post_launch({**form, "state": "state-forged"}), "state")
        refused(Browser(platform, platform.tool_base).post_launch(form), "state")  # another browser: no cookie
    assert "LTI launch refused (state)" in caplog.text


def test_a_launch_for_another_audience_is_refused(platform: Platform, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        refused(Browser(platform, platform.tool_base).launch(SAM, claims(platform, aud="another-tool")), "audience")
    assert "LTI launch refused (audience)" in caplog.text


def test_an_expired_launch_is_refused(platform: Platform, caplog) -> None:
    past = int(time.time()) - 600
    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        refused(Browser(platform, platform.tool_base).launch(SAM, claims(platform, iat=past, exp=past + 60)),
                "expired")
    assert "LTI launch refused (expired)" in caplog.text


def test_a_token_issued_days_ago_is_refused_even_with_a_late_expiry(platform: Platform) -> None:
    old = int(time.time()) - 3 * 86400
    refused(Browser(platform, platform.tool_base).launch(SAM, claims(platform, iat=old, exp=old + 10 * 86400)),
            "expired")


def test_a_launch_signed_with_another_key_is_refused(platform: Platform, caplog) -> None:
    forger_key, _public = rsa_key()

    def forged(nonce: str) -> str:  # the platform's key id, someone else's key
        return platform.sign(claims(platform)(nonce), key=forger_key)

    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        refused(Browser(platform, platform.tool_base).launch(SAM, forged), "signature")
    assert "LTI launch refused (signature)" in caplog.text
    assert not LtiIdentity.objects.exists()


def test_a_launch_from_an_unknown_deployment_is_refused(platform: Platform, caplog) -> None:
    deployment = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-registered"}
    with caplog.at_level(logging.WARNING, logger="exercises.lti.launch"):
        refused(Browser(platform, platform.tool_base).launch(SAM, claims(platform, **deployment)), "deployment")
    assert "LTI launch refused (deployment)" in caplog.text


def test_a_login_from_an_unregistered_platform_is_refused_in_chinese_too(platform: Platform, caplog) -> None:
    browser = Browser(platform, platform.tool_base)
    with caplog.at_level(logging.WARNING, logger="exercises.lti.views.tool"):
        response = browser.session.post(platform.tool_base + "/lti/login/", data={
            "iss": "https://unknown.example", "login_hint": "x", "client_id": "c",
        }, headers={"Accept-Language": "zh-hans"}, allow_redirects=False)
    refused(response, "platform")
    assert "此学习平台尚未在 bpcourse 注册" in response.text
    assert "LTI login refused (platform)" in caplog.text
