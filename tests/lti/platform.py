"""A small LMS for the LTI tests, independent of the tool's code: its own RSA key and
JOSE library (jwcrypto), its JWKS served over real HTTP on a port of its own, and the
two messages an LMS sends a tool: the OIDC login initiation and the signed id_token."""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from jwcrypto import jwk, jwt

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


class Platform:
    def __init__(self, issuer: str = "https://lms.example.edu", client_id: str = "descent-1",
                 host: str = "127.0.0.1"):  # fmt: skip
        self.issuer, self.client_id = issuer, client_id
        self.deployment_id = "deployment-1"
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid="lms-key-1")
        self.published = [self.key]  # the JWKS: the signing key, and old ones still valid
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        port = self.port = self._server.server_address[1]
        self.keyset_url = f"http://{host}:{port}/jwks"
        self.auth_url = f"http://{host}:{port}/authorize"
        self.token_url = f"http://{host}:{port}/token"
        self.jwks_requests = 0
        self.base = f"http://{host}:{port}"
        # Assignment and Grade Services: the tool's keys to check its token requests
        # with (set by the test), tokens issued, scores received; `down` answers 503.
        self.tool_keys = None
        self.tokens: set[str] = set()
        self.scores: list[dict] = []
        self.down = False
        self.refused = 0  # requests answered 503 while down
        # Names and Role Provisioning Services: the course's members, in pages of this size.
        self.members: list[dict] = []
        self.page_size = 2
        # The course's gradebook columns (AGS line items) made by the tool, in order.
        self.line_items: list[dict] = []

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/jwks":
                    platform.jwks_requests += 1
                    keys = [json.loads(key.export_public()) for key in platform.published]
                    self._answer(200, {"keys": keys})
                elif self.path.startswith("/course"):
                    self._html(platform.course_page())
                elif self.path.startswith("/authorize"):
                    self._html(platform.authorize(parse_qs(urlsplit(self.path).query)))
                elif self.path.startswith("/memberships"):
                    self._answer(*platform.memberships(self.path, self.headers))
                elif self.path.startswith("/lineitems") and "/scores" not in self.path:
                    self._answer(*platform.line_items_page(self.path, self.headers))
                else:
                    self.send_error(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                self._answer(*platform.post(self.path, self.headers, body))

            def _html(self, text: str):
                raw = text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _answer(self, status, data, link=""):
                raw = json.dumps(data).encode()
                self.send_response(status)
                if link:
                    self.send_header("Link", link)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        return Handler

    def post(self, path: str, headers, body: str) -> tuple[int, dict]:
        if self.down:
            self.refused += 1
            return 503, {"error": "down for maintenance"}
        if path == "/token":
            return self.token(parse_qs(body))
        if path.startswith("/lineitems/") and path.endswith("/scores"):
            return self.score(path, headers, body)
        if path == "/lineitems":
            return self.line_item_create(headers, body)
        return 404, {"error": "no such endpoint"}

    def token(self, form: dict) -> tuple[int, dict]:
        """OAuth 2 client credentials with a JWT assertion signed by the tool."""
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type"}
        try:
            checked = jwt.JWT(jwt=form["client_assertion"][0], key=self.tool_keys)
            claims = json.loads(checked.claims)
        except Exception as exc:  # any failure of the assertion is the same answer
            return 401, {"error": "invalid_client", "detail": str(exc)}
        if not (
            claims["iss"] == claims["sub"] == self.client_id and claims["aud"] == self.token_url
        ):
            return 401, {"error": "invalid_client"}
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                     "scope": form.get("scope", [""])[0]}  # fmt: skip

    def score(self, path: str, headers, body: str) -> tuple[int, dict]:
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return 401, {"error": "unknown token"}
        if headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
            return 415, {"error": "not a score"}
        self.scores.append(
            {
                "lineitem": path.removesuffix("/scores"),
                **json.loads(body),
                "received_at": time.time(),
            }
        )
        return 200, {}

    def _bearer_ok(self, headers) -> bool:
        return (headers.get("Authorization") or "").removeprefix("Bearer ") in self.tokens

    def line_items_page(self, path: str, headers) -> tuple:
        """The line-item container, filtered by resource link as AGS allows, in pages."""
        if self.down:
            return 503, {"error": "down for maintenance"}
        if not self._bearer_ok(headers):
            return 401, {"error": "unknown token"}
        asked = parse_qs(urlsplit(path).query)
        wanted = asked.get("resource_link_id", [None])[0]
        items = [i for i in self.line_items if wanted is None or i.get("resourceLinkId") == wanted]
        page = int(asked.get("page", ["0"])[0])
        start = page * self.page_size
        more = start + self.page_size < len(items)
        query = urlencode({**({"resource_link_id": wanted} if wanted else {}), "page": page + 1})
        link = f'<{self.base}/lineitems?{query}>; rel="next"' if more else ""
        return 200, items[start : start + self.page_size], link

    def line_item_create(self, headers, body: str) -> tuple[int, dict]:
        if not self._bearer_ok(headers):
            return 401, {"error": "unknown token"}
        if headers.get("Content-Type") != "application/vnd.ims.lis.v2.lineitem+json":
            return 415, {"error": "not a line item"}
        item = json.loads(body)
        if not isinstance(item.get("scoreMaximum"), (int, float)) or not item.get("label"):
            return 400, {"error": "a line item needs a label and a score maximum"}
        item["id"] = f"{self.base}/lineitems/made-{len(self.line_items) + 1}"
        self.line_items.append(item)
        return 201, item

    def rotate_key(self, kid: str) -> None:
        """A new signing key, published beside the old one (which still verifies)."""
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid=kid)
        self.published.append(self.key)

    def retire(self, kid: str) -> None:
        self.published = [key for key in self.published if key["kid"] != kid]

    def memberships(self, path: str, headers) -> tuple:
        if self.down:
            return 503, {"error": "down for maintenance"}
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return 401, {"error": "unknown token"}
        page = int(parse_qs(urlsplit(path).query).get("page", ["0"])[0])
        start = page * self.page_size
        body = {"id": f"{self.base}/memberships", "context": {"id": "course-101"},
                "members": self.members[start : start + self.page_size]}  # fmt: skip
        more = start + self.page_size < len(self.members)
        link = f'<{self.base}/memberships?page={page + 1}>; rel="next"' if more else ""
        return 200, body, link

    # In a browser: the LMS's course page frames the tool; its authorisation endpoint
    # answers the tool's login with the signed launch, posted by the browser.
    tool_base = ""
    frame_target = ""
    frame_user = "student-1"

    def course_page(self) -> str:
        login = (
            self.tool_base
            + "/lti/login/?"
            + urlencode(self.login_params(self.frame_target, login_hint=self.frame_user))
        )
        return (
            "<!doctype html><title>LMS course</title><h1>Machine learning (LMS)</h1>"
            f'<iframe id="tool" title="Descent" src="{html.escape(login)}" '
            'style="width:1200px;height:1400px"></iframe>'
        )

    def authorize(self, asked: dict) -> str:
        target = asked["redirect_uri"][0]
        token = self.id_token(
            nonce=asked["nonce"][0],
            target=self.frame_target,
            sub=asked["login_hint"][0],
            roles=[LEARNER],
            **{"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": self.ags_claim("1")},
        )
        return (
            f'<!doctype html><form id="f" method="post" action="{html.escape(target)}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{html.escape(asked["state"][0])}">'
            "</form><script>document.getElementById('f').submit()</script>"
        )

    def nrps_claim(self) -> dict:
        return {"context_memberships_url": f"{self.base}/memberships", "service_versions": ["2.0"]}

    def ags_claim(self, lineitem: str | None) -> dict:
        """The AGS claim of a launch: naming a line item, or (None) only the container."""
        claim = {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": f"{self.base}/lineitems",
        }
        if lineitem is not None:
            claim["lineitem"] = f"{self.base}/lineitems/{lineitem}"
        return claim

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # The tool's registration of this platform, as an administrator enters it.
    def register(self, *, active: bool = True):
        from lti_tool.models import LtiDeployment, LtiRegistration

        registration = LtiRegistration.objects.create(
            name="Test LMS",
            issuer=self.issuer,
            client_id=self.client_id,
            auth_url=self.auth_url,
            token_url=self.token_url,
            keyset_url=self.keyset_url,
        )
        LtiDeployment.objects.create(
            registration=registration, deployment_id=self.deployment_id, is_active=active
        )
        return registration

    def login_params(self, target: str, *, login_hint: str = "hint-1") -> dict:
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": target,
            "lti_message_hint": "message-1",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(self, *, nonce: str, target: str, sub: str, roles, context=None,
                 key=None, **overrides) -> str:  # fmt: skip
        now = int(time.time())
        context = context or {"id": "course-101", "label": "ML101", "title": "Machine learning"}
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": f"{sub}@lms.example.edu",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target,
            LTI + "resource_link": {"id": "link-" + uuid.uuid4().hex[:8], "title": "Exercise"},
            LTI + "roles": list(roles),
            LTI + "context": {**context, "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": self.nrps_claim(),
        }  # fmt: skip
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        signer = key or self.key
        token = jwt.JWT(header={"alg": "RS256", "kid": signer["kid"], "typ": "JWT"}, claims=claims)
        token.make_signed_token(signer)
        return token.serialize()

    def launch(self, client, target: str, *, sub: str = "lms-user-1", roles=(LEARNER,),
               context=None, **token_options):  # fmt: skip
        """The whole dance in a browser (Django's test client): the login, the platform's
        authorisation answer with the nonce the tool asked for, then the launch."""
        response = client.get("/lti/login/", self.login_params(target))
        assert response.status_code == 302, response.content[:500]
        asked = parse_qs(urlsplit(response["Location"]).query)
        state, nonce = asked["state"][0], asked["nonce"][0]
        token = self.id_token(
            nonce=nonce, target=target, sub=sub, roles=roles, context=context, **token_options
        )
        return client.post("/lti/launch/", {"id_token": token, "state": state}), token, state
