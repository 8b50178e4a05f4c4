"""A simulated LTI 1.3 platform for the tests, served over HTTP from a thread: its own RSA key
and JWKS, an OIDC authorization endpoint, an OAuth2 token endpoint that checks the tool's signed
client assertion against the tool's own JWKS (fetched over HTTP), names and roles (NRPS), line
items and scores (AGS), the deep linking return, and dynamic registration.

It records every request it serves (`log`) and every score it receives (`scores_received`); a
score whose timestamp is not newer than the one on record changes nothing (as AGS requires), so
`results` holds what the gradebook shows.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = [ROLE + "Instructor"]
TA = [ROLE + "Instructor#TeachingAssistant"]
LEARNER = [ROLE + "Learner"]
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class QuietServer(ThreadingHTTPServer):
    """A threading server that says nothing when a client it was answering has died (kill -9)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def rsa_key() -> tuple[str, dict[str, Any]]:
    """A fresh RSA private key (PEM) and its public JWK."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    public = json.loads(JWK.from_pem(pem.encode()).export_public())
    return pem, public


@dataclass
class User:
    """An LMS user."""

    sub: str
    given_name: str
    family_name: str
    roles: list[str]
    email: str = ""

    def member(self) -> dict[str, Any]:
        return {"user_id": self.sub, "status": "Active", "given_name": self.given_name,
                "family_name": self.family_name, "name": f"{self.given_name} {self.family_name}",
                "email": self.email, "roles": self.roles}


@dataclass
class Link:
    """A resource link the platform placed from a deep linking response, with its line item."""

    resource_link_id: str
    title: str
    url: str
    custom: dict[str, str]
    lineitem_id: str
    score_maximum: float


@dataclass
class Platform:
    """The simulated LMS. `start()` serves it; `url` is its base, also its issuer unless given."""

    client_id: str = "bpcourse-client"
    deployment_id: str = "deployment-1"
    context_id: str = "course-101"
    context_title: str = "Neural Networks 101"
    issuer: str = ""
    log: list[str] = field(default_factory=list)
    scores_received: list[dict[str, Any]] = field(default_factory=list)
    results: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    members: list[User] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    score_failures: int = 0  # answer the next N score posts with 500
    hold_scores: threading.Event | None = None  # when set up, a score post waits for it (after it counts)
    hold_tokens: threading.Event | None = None  # when set up, a token request waits for it (before a token)
    tool_base: str = ""
    tool_keys: dict[str, Any] | None = None  # the tool's JWKS when no tool is served (in-process tests)
    host: str = "127.0.0.1"  # "localhost": the same site as a live_server, as a browser sees it

    def __post_init__(self) -> None:
        self.private_pem, self.public_jwk = rsa_key()
        self.kid = "sim-" + secrets.token_hex(4)
        self.public_jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        self.pending: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.server = QuietServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://{self.host}:{self.server.server_address[1]}"
        self.issuer = self.issuer or self.url

    # ------------------------------------------------------------------ lifecycle and registration
    def start(self) -> Platform:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for hold in (self.hold_scores, self.hold_tokens):
            if hold is not None:
                hold.set()
        self.server.shutdown()
        self.server.server_close()

    def registration(self) -> dict[str, Any]:
        """What the tool's administrator types in (manage.py lti_register / the admin)."""
        return {"name": "Simulated LMS", "issuer": self.issuer, "client_id": self.client_id,
                "auth_login_url": self.url + "/auth", "auth_token_url": self.url + "/token",
                "keyset_url": self.url + "/jwks", "deployment_ids": [self.deployment_id]}

    # ------------------------------------------------------------------ id tokens
    def sign(self, claims: dict[str, Any], *, key: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(claims, key or self.private_pem, algorithm="RS256", headers={"kid": kid or self.kid})

    def base_claims(self, user: User, nonce: str, message_type: str) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer, "aud": self.client_id, "sub": user.sub, "nonce": nonce, "iat": now, "exp": now + 300,
            "given_name": user.given_name, "family_name": user.family_name, "email": user.email,
            LTI + "message_type": message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id, LTI + "roles": user.roles,
            LTI + "context": {"id": self.context_id, "title": self.context_title, "label": "NN101"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/contexts/{self.context_id}/memberships",
                "service_versions": ["2.0"],
            },
        }

    def resource_claims(self, user: User, nonce: str, link: Link) -> dict[str, Any]:
        claims = self.base_claims(user, nonce, "LtiResourceLinkRequest")
        claims.update({
            LTI + "target_link_uri": link.url,
            LTI + "resource_link": {"id": link.resource_link_id, "title": link.title},
            LTI + "custom": link.custom,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [SCOPE_LINEITEM, SCOPE_SCORE],
                "lineitems": f"{self.url}/contexts/{self.context_id}/lineitems",
                "lineitem": link.lineitem_id,
            },
        })
        return claims

    def deep_link_claims(self, user: User, nonce: str) -> dict[str, Any]:
        claims = self.base_claims(user, nonce, "LtiDeepLinkingRequest")
        claims.update({
            LTI + "target_link_uri": self.tool_base + "/lti/launch/",
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": self.url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["window", "iframe"],
                "accept_multiple": False, "data": "opaque-dl-data",
            },
        })
        return claims

    def expect_launch(self, hint: str, build: Any) -> None:
        """The next authorization request with this lti_message_hint answers build(nonce) → claims."""
        self.pending[hint] = {"build": build}

    # ------------------------------------------------------------------ tool-side checks
    def tool_jwks(self) -> dict[str, Any]:
        if self.tool_keys is not None:
            return self.tool_keys
        return requests.get(self.tool_base + "/lti/jwks.json", timeout=5).json()

    def verify_from_tool(self, token: str, audience: str) -> dict[str, Any]:
        """Decode a JWT the tool signed, with the key its JWKS publishes under the token's kid."""
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in self.tool_jwks()["keys"] if k["kid"] == kid)
        public = JWK(**jwk).export_to_pem()
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)

    def record(self, line: str) -> None:
        with self.lock:
            self.log.append(line)


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            self._raw = raw
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def _bearer_scopes(self) -> list[str] | None:
            auth = self.headers.get("Authorization", "")
            return platform.tokens.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None

        def do_GET(self) -> None:  # noqa: N802
            path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
            if path == "/jwks":
                platform.record("GET /jwks (tool fetches the platform's keys)")
                return self._send(200, {"keys": [platform.public_jwk]})
            if path == "/auth":
                return self._authorize({k: v[0] for k, v in query.items()})
            if path.endswith("/memberships"):
                scopes = self._bearer_scopes()
                if scopes is None or SCOPE_NRPS not in scopes:
                    platform.record(f"GET {path} → 401")
                    return self._send(401, {"error": "bad token"})
                platform.record(f"GET {path} (names and roles: {len(platform.members)} members)")
                return self._send(200, {"id": self.path, "context": {"id": platform.context_id},
                                        "members": [u.member() for u in platform.members]},
                                  "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
            if path == "/.well-known/openid-configuration":
                platform.record("GET /.well-known/openid-configuration")
                return self._send(200, {
                    "issuer": platform.issuer, "authorization_endpoint": platform.url + "/auth",
                    "token_endpoint": platform.url + "/token", "jwks_uri": platform.url + "/jwks",
                    "registration_endpoint": platform.url + "/register",
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "simulated-lms", "version": "1.0"},
                })
            return self._send(404, {"error": "not found"})

        def _authorize(self, params: dict[str, str]) -> None:
            hint = params.get("lti_message_hint", "")
            pending = platform.pending.pop(hint, None)
            ok = (params.get("client_id") == platform.client_id and params.get("response_type") == "id_token"
                  and params.get("redirect_uri", "").startswith(platform.tool_base) and pending is not None)
            if not ok:
                platform.record("GET /auth → 400")
                return self._send(400, {"error": "invalid_request"})
            claims = pending["build"](params["nonce"])
            token = claims if isinstance(claims, str) else platform.sign(claims)
            platform.record(f"GET /auth (OIDC authorization; answers with an id_token for {hint})")
            html = (f'<form method="post" action="{params["redirect_uri"]}">'
                    f'<input type="hidden" name="id_token" value="{token}">'
                    f'<input type="hidden" name="state" value="{params["state"]}"></form>'
                    '<script>document.forms[0].submit();</script>')  # a browser goes on by itself
            return self._send(200, html, "text/html")

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path == "/token":
                return self._token(self._form())
            if path == "/deep-link-return":
                return self._deep_link_return(self._form())
            if path.endswith("/scores"):
                return self._score(path)
            if path == "/register":
                return self._register()
            return self._send(404, {"error": "not found"})

        def _token(self, form: dict[str, str]) -> None:
            if platform.hold_tokens is not None and not platform.hold_tokens.is_set():
                platform.record("POST /token (held: the platform is slow to answer)")
                platform.hold_tokens.wait(60)
                return self._send(503, {"error": "too late"})
            try:
                claims = platform.verify_from_tool(form["client_assertion"], audience=platform.url + "/token")
                assert claims["iss"] == claims["sub"] == platform.client_id
                assert form["grant_type"] == "client_credentials"
            except Exception as exc:  # noqa: BLE001 — any defect is a refusal
                platform.record(f"POST /token → 401 ({type(exc).__name__})")
                return self._send(401, {"error": "invalid_client"})
            token = secrets.token_urlsafe(16)
            scopes = form.get("scope", "").split()
            platform.tokens[token] = scopes
            platform.record(f"POST /token (client assertion verified with the tool's JWKS; scopes {' '.join(s.rsplit('/', 1)[-1] for s in scopes)})")
            return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                    "scope": " ".join(scopes)})

        def _deep_link_return(self, form: dict[str, str]) -> None:
            claims = platform.verify_from_tool(form["JWT"], audience=platform.issuer)
            assert claims["iss"] == platform.client_id
            assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
            assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-dl-data"
            for item in claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]:
                number = len(platform.links) + 1
                platform.links.append(Link(
                    resource_link_id=f"link-{number}", title=item["title"], url=item["url"],
                    custom=item.get("custom", {}),
                    lineitem_id=f"{platform.url}/contexts/{platform.context_id}/lineitems/{number}",
                    score_maximum=float(item["lineItem"]["scoreMaximum"]),
                ))
                platform.record(f"POST /deep-link-return (link '{item['title']}', custom {item.get('custom')}, "
                                f"line item of {item['lineItem']['scoreMaximum']} points)")
            return self._send(200, "<p>Linked.</p>", "text/html")

        def _score(self, path: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length).decode())
            scopes = self._bearer_scopes()
            if scopes is None or SCOPE_SCORE not in scopes or \
                    self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                platform.record(f"POST {path} → 401")
                return self._send(401, {"error": "bad token"})
            lineitem = platform.url + path.removesuffix("/scores")
            with platform.lock:
                platform.scores_received.append({"lineitem": lineitem, **body})
                failing = platform.score_failures > 0
                if failing:
                    platform.score_failures -= 1
                key = (lineitem, body["userId"])
                if not failing:
                    held = platform.results.get(key)
                    if held is None or body["timestamp"] > held["timestamp"]:
                        platform.results[key] = body
            if failing:
                platform.record(f"POST {path} → 500 (simulated outage)")
                return self._send(500, {"error": "outage"})
            if platform.hold_scores is not None and not platform.hold_scores.is_set():
                platform.record(f"POST {path} (score {body['scoreGiven']} stored; the answer is held)")
                platform.hold_scores.wait(60)
            platform.record(f"POST {path} (score {body['scoreGiven']}/{body['scoreMaximum']} for {body['userId']}, "
                            f"timestamp {body['timestamp']})")
            return self._send(200, {})

        def _register(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length).decode())
            if self.headers.get("Authorization") != "Bearer reg-token":
                return self._send(401, {"error": "bad registration token"})
            platform.record(f"POST /register (tool {body['client_name']}, login {body['initiate_login_uri']})")
            platform.registered = body  # type: ignore[attr-defined]
            tool = dict(body["https://purl.imsglobal.org/spec/lti-tool-configuration"])
            tool["deployment_id"] = platform.deployment_id
            return self._send(200, {**body, "client_id": platform.client_id,
                                    "https://purl.imsglobal.org/spec/lti-tool-configuration": tool})

    return Handler


class Browser:
    """A person's browser talking to the tool and the platform over HTTP (requests, cookies kept)."""

    def __init__(self, platform: Platform, tool_base: str) -> None:
        self.platform = platform
        self.tool = tool_base
        self.session = requests.Session()
        self.trace: list[str] = []

    def launch(self, user: User, build: Any, *, hint: str | None = None) -> requests.Response:
        """Login initiation → platform authorization → launch; the tool's answer (redirects not followed)."""
        hint = hint or f"launch-{uuid.uuid4().hex[:8]}"
        self.platform.expect_launch(hint, build)
        login = self.session.post(self.tool + "/lti/login/", data={
            "iss": self.platform.issuer, "login_hint": user.sub, "target_link_uri": self.tool + "/lti/launch/",
            "lti_message_hint": hint, "client_id": self.platform.client_id,
            "lti_deployment_id": self.platform.deployment_id,
        }, allow_redirects=False)
        self.trace.append(f"POST /lti/login/ → {login.status_code} (redirect to the platform's /auth)")
        assert login.status_code == 302, login.text[:500]
        auth = self.session.get(login.headers["Location"], allow_redirects=False)
        assert auth.status_code == 200, auth.text
        self.last_form = form_fields(auth.text)
        return self.post_launch(self.last_form)

    def post_launch(self, form: dict[str, str]) -> requests.Response:
        response = self.session.post(self.tool + "/lti/launch/", data=form, allow_redirects=False)
        where = response.headers.get("Location", "")
        self.trace.append(f"POST /lti/launch/ (id_token, state) → {response.status_code}" + (f" {where}" if where else ""))
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.get(self.tool + path, **kwargs)
        self.trace.append(f"GET {path} → {response.status_code}")
        return response

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> requests.Response:
        token = self.session.cookies.get("csrftoken", "")
        response = self.session.post(self.tool + path, data={"csrfmiddlewaretoken": token, **data},
                                     headers={"X-CSRFToken": token, "Referer": self.tool + path}, **kwargs)
        self.trace.append(f"POST {path} → {response.status_code}")
        return response


def form_fields(html: str, field_name: str | None = None) -> dict[str, str]:
    """The hidden inputs of the page's (first, or first with `field_name`) form, its action under 'action'."""
    for attributes, body in re.findall(r"<form([^>]*)>(.*?)</form>", html, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        if field_name is not None and field_name not in fields:
            continue
        action = re.search(r'action="([^"]+)"', attributes)
        if action:
            fields["action"] = action.group(1)
        return fields
    return {}
