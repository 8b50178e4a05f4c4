"""The tool's keys (database or environment, rotation keeps old keys published), the JWKS
endpoint, LTI roles mapped to course roles, registration by command (printing the values to
paste) and by LTI Dynamic Registration against the simulated platform."""

from __future__ import annotations

import io

import jwt
import pytest
from django.core.management import call_command
from django.test import Client
from jwcrypto.jwk import JWK
from platform_sim import Platform

from exercises.lti.keys import environment_key, jwks, new_private_pem, signing_key
from exercises.lti.roles import course_role
from exercises.models import LtiDeployment, LtiKey, LtiPlatform

pytestmark = pytest.mark.django_db
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize(("roles", "expected"), [
    ([ROLE + "Learner"], "student"),
    ([ROLE + "Instructor"], "instructor"),
    (["Instructor"], "instructor"),
    ([ROLE + "Instructor", ROLE + "Instructor#TeachingAssistant"], "ta"),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor", ROLE + "Learner"], "student"),
    ([ROLE + "Administrator"], "instructor"),
    ([], "student"),
])
def test_lti_roles_map_to_course_roles(roles, expected) -> None:
    assert course_role(roles) == expected


def test_the_first_signing_key_is_made_in_the_database_and_published(client: Client) -> None:
    assert not LtiKey.objects.exists()
    key = signing_key()
    published = client.get("/lti/jwks.json").json()["keys"]
    assert [k["kid"] for k in published] == [key.kid] == list(LtiKey.objects.values_list("kid", flat=True))
    token = jwt.encode({"x": 1}, key.private_pem, algorithm="RS256")
    assert jwt.decode(token, JWK(**published[0]).export_to_pem(), algorithms=["RS256"]) == {"x": 1}
    assert "d" not in published[0]  # never the private part


def test_rotation_signs_with_a_new_key_and_keeps_the_old_one_published_until_retired() -> None:
    old = signing_key()
    out = io.StringIO()
    call_command("lti_rotate_key", stdout=out)
    new = signing_key()
    assert new.kid != old.kid and f"New signing key {new.kid}" in out.getvalue()
    assert [k["kid"] for k in jwks()["keys"]] == [new.kid, old.kid]
    call_command("lti_rotate_key", "--retire-others", stdout=io.StringIO())
    assert len(jwks()["keys"]) == 1 and jwks()["keys"][0]["kid"] not in (old.kid, new.kid)


def test_a_key_in_the_environment_signs_instead_of_the_database(monkeypatch) -> None:
    stored = signing_key()
    pem = new_private_pem()
    monkeypatch.setenv("BPCOURSE_LTI_PRIVATE_KEY", pem.replace("\n", "\\n"))
    key = signing_key()
    assert key.private_pem.strip() == pem.strip() and key.kid == environment_key().kid != stored.kid
    assert [k["kid"] for k in jwks()["keys"]] == [key.kid, stored.kid]


def test_the_register_command_stores_the_platform_and_prints_the_values_to_paste() -> None:
    out = io.StringIO()
    call_command("lti_register", "--name", "Canvas", "--issuer", "https://canvas.instructure.com",
                 "--client-id", "10000000000001", "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
                 "--token-url", "https://sso.canvaslms.com/login/oauth2/token",
                 "--keyset-url", "https://sso.canvaslms.com/api/lti/security/jwks",
                 "--deployment-id", "1:abc", "--deployment-id", "2:def", "--site-url", "https://bp.example.edu",
                 stdout=out)
    text = out.getvalue()
    platform = LtiPlatform.objects.get(client_id="10000000000001")
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == ["1:abc", "2:def"]
    for line in ["OpenID Connect login / initiation URL: https://bp.example.edu/lti/login/",
                 "Redirect URI(s): https://bp.example.edu/lti/launch/",
                 "Public keyset (JWKS) URL: https://bp.example.edu/lti/jwks.json",
                 "contextmembership.readonly"]:
        assert line in text
    with pytest.raises(Exception, match="missing: --client-id"):
        call_command("lti_register", "--issuer", "x", stdout=io.StringIO())


def test_dynamic_registration_registers_the_platform_for_a_site_admin(admin_client: Client, client: Client) -> None:
    sim = Platform()
    sim.start()
    try:
        url = f"/lti/register/?openid_configuration={sim.url}/.well-known/openid-configuration&registration_token=reg-token"
        assert client.get(url).status_code == 302  # anonymous: sent to log in
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url)
    finally:
        sim.stop()
    assert response.status_code == 200 and 'data-testid="lti-registered"' in response.content.decode()
    platform = LtiPlatform.objects.get(issuer=sim.issuer, client_id=sim.client_id)
    assert (platform.auth_token_url, platform.keyset_url) == (sim.url + "/token", sim.url + "/jwks")
    assert LtiDeployment.objects.get(platform=platform).deployment_id == sim.deployment_id
    sent = sim.registered  # what the tool asked the platform for
    assert sent["initiate_login_uri"].endswith("/lti/login/") and sent["jwks_uri"].endswith("/lti/jwks.json")
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
