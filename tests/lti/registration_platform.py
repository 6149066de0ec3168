"""The tests' LMS (tests/lti/platform.py) with LTI Dynamic Registration's two endpoints,
over the same real HTTP server: its OpenID configuration, and a registration endpoint
that checks the registration token, keeps what the tool posted, and answers the client
it made. Once it has registered the tool, its launches carry that client's ID."""

from __future__ import annotations

import json
import uuid

from tests.lti.platform import Platform

CONFIG_PATH = "/.well-known/openid-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class RegisteringPlatform(Platform):
    def __init__(self, **options):
        super().__init__(**options)
        # The spec: the issuer is on the host of the configuration's URL.
        self.issuer = self.base
        self.registration_token = "reg-" + uuid.uuid4().hex
        self.openid_configuration_url = self.base + CONFIG_PATH
        self.config_requests = 0
        self.config_authorizations: list[str] = []
        # What the tool posted to /register, and with which Authorization header.
        self.registrations: list[dict] = []
        self.authorizations: list[str] = []
        # The client it makes for the tool; a test may change either, or the config.
        self.issued_client_id = "dynamic-client-" + uuid.uuid4().hex[:6]
        self.issued_deployment_id: str | None = "dynamic-deployment-1"
        self.config_changes: dict = {}
        self.config_body: bytes | None = None  # served as it is, instead of the JSON
        self.registration_answer: tuple[int, dict] | None = None

    def openid_configuration(self) -> dict:
        config = {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.keyset_url,
            "registration_endpoint": self.base + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "testlms",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }
        config.update(self.config_changes)
        return config

    def bearer_refused(self, headers) -> tuple[int, dict] | None:
        """The registration token, when this LMS gave one, is asked of both requests (as
        Canvas does)."""
        expected = f"Bearer {self.registration_token}" if self.registration_token else ""
        if (headers.get("Authorization") or "") != expected:
            return 401, {
                "error": "invalid_token",
                "error_description": "Unknown registration token",
            }
        return None

    def register_client(self, headers, body: str) -> tuple[int, dict]:
        self.authorizations.append(headers.get("Authorization") or "")
        refused = self.bearer_refused(headers)
        if refused:
            return refused
        posted = json.loads(body)
        self.registrations.append(posted)
        if self.registration_answer is not None:
            return self.registration_answer
        answer = {**posted, "client_id": self.issued_client_id}
        tool = dict(posted.get(TOOL_CONFIGURATION) or {})
        if self.issued_deployment_id is not None:
            tool["deployment_id"] = self.issued_deployment_id
        answer[TOOL_CONFIGURATION] = tool
        # From now on this LMS launches as the client it made.
        self.client_id = self.issued_client_id
        if self.issued_deployment_id is not None:
            self.deployment_id = self.issued_deployment_id
        return 200, answer

    def _handler(self):
        base_handler = super()._handler()
        platform = self

        class Handler(base_handler):
            def do_GET(self):
                if self.path != CONFIG_PATH:
                    super().do_GET()
                    return
                platform.config_requests += 1
                platform.config_authorizations.append(self.headers.get("Authorization") or "")
                refused = platform.bearer_refused(self.headers)
                if platform.down:
                    self._answer(503, {"error": "down for maintenance"})
                elif refused:
                    self._answer(*refused)
                elif platform.config_body is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(platform.config_body)
                else:
                    self._answer(200, platform.openid_configuration())

            def do_POST(self):
                if self.path != "/register":
                    super().do_POST()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if platform.down:
                    self._answer(503, {"error": "down for maintenance"})
                else:
                    self._answer(*platform.register_client(self.headers, body))

        return Handler
