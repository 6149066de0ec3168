"""LTI Dynamic Registration (IMS LTI Dynamic Registration 1.0): an LMS registers Descent
by itself, from a one-time link staff made in the admin (RegistrationInvite).

    LMS admin pastes /lti/register/<token>/ into the LMS
    LMS ──GET /lti/register/<token>/?openid_configuration=…&registration_token=…──▶
    Descent ──GET openid_configuration──▶ the platform's endpoints and issuer
            ──POST registration_endpoint (Bearer registration_token)──▶ the tool's
              URLs, messages and scopes; the platform answers a client_id (and a
              deployment_id)
            LtiRegistration (+ LtiDeployment), invite used: one transaction
    LMS ◀── page posting {subject: "org.imsglobal.lti.close"} to its opener or parent

Everything the platform says is hostile data: read at most 64 KB (5 s per read),
parsed by the pydantic models below, and any surprise is a refusal that writes nothing
and leaves the invite usable."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

import requests
from django.db import DataError, IntegrityError, transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from lti_tool.models import LtiDeployment, LtiRegistration
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from .config import BoundedSession, UnsafeURL
from .framing import allow_framing
from .models_registration import RegistrationInvite
from .views import refused

log = logging.getLogger("descent.lti")

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CLOSE_MESSAGE = "org.imsglobal.lti.close"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")

# A platform's answers are small JSON documents; a bigger one is refused rather than
# held in memory (the session stops reading past it).
BODY_MAX_BYTES = 64 * 1024
# What the query string may carry: long enough for any real URL and token, short enough
# that nothing is sent on in a header or stored unchecked.
CONFIG_URL_MAX = 2000
REGISTRATION_TOKEN_MAX = 4096
INVITE_TOKEN_MAX = 100


class RegistrationRefused(Exception):
    """A registration Descent will not make; the message is shown as it is."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# --- what the platform must say ---------------------------------------------------------


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http(s) URL")
    return value


def _printable(value: str) -> str:
    # NUL, other control characters and lone surrogates: PostgreSQL refuses some, and
    # none belongs in a name compared with the launches' claims.
    if not value.isprintable():
        raise ValueError("contains characters that are not printable")
    return value


def _text_of_number(value):
    # Some platforms number their clients and deployments; they are names all the same.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Kept as the platform wrote them (an issuer is compared character by character with the
# launches' `iss`), within the lengths of lti_tool's columns.
Text = Annotated[str, AfterValidator(_printable)]
StoredUrl = Annotated[Text, StringConstraints(max_length=200), AfterValidator(_http_url)]
Issuer = Annotated[Text, StringConstraints(max_length=255), AfterValidator(_http_url)]
Endpoint = Annotated[Text, StringConstraints(max_length=CONFIG_URL_MAX), AfterValidator(_http_url)]
Identifier = Annotated[
    Text, BeforeValidator(_text_of_number), StringConstraints(min_length=1, max_length=255)
]
Names = Annotated[list[Annotated[str, StringConstraints(max_length=200)]], Field(max_length=100)]


class PlatformFacts(BaseModel):
    product_family_code: Annotated[Text, StringConstraints(max_length=100)] = ""


class OpenIdConfiguration(BaseModel):
    """The platform's OpenID configuration, as far as Descent uses it."""

    model_config = ConfigDict(populate_by_name=True)

    issuer: Issuer
    authorization_endpoint: StoredUrl
    token_endpoint: StoredUrl
    jwks_uri: StoredUrl
    registration_endpoint: Endpoint
    id_token_signing_alg_values_supported: Names | None = None
    token_endpoint_auth_signing_alg_values_supported: Names | None = None
    platform: PlatformFacts | None = Field(default=None, alias=PLATFORM_CONFIGURATION)


class ToolConfigurationAnswer(BaseModel):
    deployment_id: Identifier | None = None


class ClientAnswer(BaseModel):
    """The platform's answer to the registration: the client it made for Descent."""

    model_config = ConfigDict(populate_by_name=True)

    client_id: Identifier
    tool_configuration: ToolConfigurationAnswer | None = Field(
        default=None, alias=TOOL_CONFIGURATION
    )


def _problems(error: ValidationError) -> str:
    found = []
    for problem in error.errors()[:3]:
        where = ".".join(str(part) for part in problem["loc"]) or "the document"
        found.append(f"{where}: {problem['msg']}")
    return "; ".join(found)


# --- the tool's side --------------------------------------------------------------------


@dataclass(frozen=True)
class ToolUrls:
    """Descent's LTI addresses as an LMS must be given them: absolute, on the host the
    request came to."""

    login: str
    launch: str
    jwks: str
    home: str
    domain: str

    @classmethod
    def of(cls, request) -> ToolUrls:
        absolute = request.build_absolute_uri
        return cls(
            login=absolute(reverse("lti:login")),
            launch=absolute(reverse("lti:launch")),
            jwks=absolute(reverse("lti:jwks")),
            home=absolute("/"),
            domain=request.get_host(),
        )

    def client_metadata(self) -> dict:
        """What Descent asks the platform to register (the spec's client registration
        request: OpenID Connect client metadata and the LTI tool configuration)."""
        return {
            "application_type": "web",
            "response_types": ["id_token"],
            "grant_types": ["implicit", "client_credentials"],
            "initiate_login_uri": self.login,
            "redirect_uris": [self.launch],
            "client_name": "Descent",
            "jwks_uri": self.jwks,
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": " ".join(SCOPES),
            TOOL_CONFIGURATION: {
                "domain": self.domain,
                "target_link_uri": self.home,
                "claims": list(CLAIMS),
                "messages": [
                    {"type": "LtiResourceLinkRequest"},
                    {
                        "type": "LtiDeepLinkingRequest",
                        "target_link_uri": self.launch,
                        "label": "Descent",
                    },
                ],
            },
        }


# --- talking to the platform ------------------------------------------------------------


def _read_json(response, what: str):
    """The body, parsed, or a refusal. The session read it already, and refused one over
    BODY_MAX_BYTES (lti/config.py)."""
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):  # not JSON, nested too deep, a number too long
        raise RegistrationRefused(f"{what} is not JSON.", 502) from None


def _error_words(data) -> str:
    """The platform's own explanation of a refusal (OAuth's error and description)."""
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get(key) or "") for key in ("error", "error_description")]
    words = ": ".join(part for part in parts if part)
    words = "".join(char for char in words if char.isprintable())
    return " ".join(words.split())[:200]


def _unreachable(where: str, exc: Exception) -> RegistrationRefused:
    if isinstance(exc, UnsafeURL):  # the session's own limits (lti/config.py)
        return RegistrationRefused(f"{where} was not read: {exc}.", 502)
    return RegistrationRefused(f"{where} could not be reached ({type(exc).__name__}).", 502)


def _headers(registration_token: str) -> dict:
    # The token goes with both requests: the spec asks it for the registration, and
    # Canvas also for its configuration (which account is installing the tool).
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    return headers


def platform_configuration(
    session: requests.Session, url: str, *, registration_token: str
) -> OpenIdConfiguration:
    what = "The LMS's OpenID configuration"
    try:
        with session.get(
            url, allow_redirects=False, headers=_headers(registration_token)
        ) as response:
            if response.status_code != 200:
                raise RegistrationRefused(
                    f"{what} ({url}) answered HTTP {response.status_code}.", 502
                )
            data = _read_json(response, what)
    except (requests.RequestException, UnsafeURL) as exc:
        raise _unreachable(f"The LMS's configuration address ({url})", exc) from None
    try:
        config = OpenIdConfiguration.model_validate(data)
    except ValidationError as exc:
        raise RegistrationRefused(
            f"{what} is not as the spec says: {_problems(exc)}.", 502
        ) from None
    # The spec's defence against a configuration that names another platform's issuer:
    # the issuer must be on the host the configuration was fetched from.
    if urlsplit(config.issuer).hostname != urlsplit(url).hostname:
        raise RegistrationRefused(
            f"The LMS's issuer ({config.issuer}) is not on the host its configuration "
            f"came from ({urlsplit(url).hostname}).",
            502,
        )
    for algorithms in (
        config.id_token_signing_alg_values_supported,
        config.token_endpoint_auth_signing_alg_values_supported,
    ):
        if algorithms is not None and "RS256" not in algorithms:
            raise RegistrationRefused("The LMS does not sign with RS256, as LTI 1.3 requires.", 502)
    return config


def client_register(
    session: requests.Session, *, endpoint: str, metadata: dict, registration_token: str
) -> ClientAnswer:
    what = "The LMS's answer to the registration"
    try:
        with session.post(
            endpoint,
            json=metadata,
            headers=_headers(registration_token),
            allow_redirects=False,
        ) as response:
            if response.status_code not in (200, 201):
                try:
                    explanation = _error_words(_read_json(response, what))
                except RegistrationRefused:
                    explanation = ""
                because = f": {explanation}" if explanation else ""
                raise RegistrationRefused(
                    f"The LMS refused the registration (HTTP {response.status_code}){because}.",
                    502,
                )
            data = _read_json(response, what)
    except (requests.RequestException, UnsafeURL) as exc:
        raise _unreachable("The LMS's registration endpoint", exc) from None
    try:
        return ClientAnswer.model_validate(data)
    except ValidationError as exc:
        raise RegistrationRefused(
            f"{what} is not as the spec says: {_problems(exc)}.", 502
        ) from None


# --- the registration -------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    registration: LtiRegistration
    deployment_id: str | None


def _usable_invite(token: str) -> RegistrationInvite:
    invite = RegistrationInvite.find(token) if len(token) <= INVITE_TOKEN_MAX else None
    if invite is None:
        raise RegistrationRefused("This registration link is not one Descent made.", 404)
    state = invite.state()
    if state == RegistrationInvite.State.USED:
        raise RegistrationRefused(
            "This registration link has been used already: ask Descent's administrator "
            "for a new one.",
            410,
        )
    if state == RegistrationInvite.State.EXPIRED:
        raise RegistrationRefused(
            "This registration link has expired: ask Descent's administrator for a new one.",
            410,
        )
    return invite


def _checked_config_url(url: str) -> str:
    if not url:
        raise RegistrationRefused(
            "The LMS did not say where its configuration is (openid_configuration). Paste "
            "this link into the LMS's tool registration, rather than opening it yourself."
        )
    try:
        if len(url) > CONFIG_URL_MAX:
            raise ValueError("too long")
        return _http_url(url)
    except ValueError:
        raise RegistrationRefused(
            "The LMS's openid_configuration is not an http(s) address."
        ) from None


def registration_create(
    *, token: str, openid_configuration: str, registration_token: str, tool: ToolUrls
) -> Registered:
    """Register the platform that opened the invite ``token``: read its configuration,
    register Descent with it, record what it made. Writes nothing unless it all worked."""
    invite = _usable_invite(token)
    config_url = _checked_config_url(openid_configuration)
    # It goes on in a header: printable ASCII only.
    token_ok = registration_token.isascii() and registration_token.isprintable()
    if len(registration_token) > REGISTRATION_TOKEN_MAX or not token_ok:
        raise RegistrationRefused("The LMS's registration_token is not one Descent can send.")
    # The link's holder chooses the addresses: this network's hosts only when an
    # administrator listed them (LTI_SERVICE_HOSTS), as for every call to an LMS.
    session = BoundedSession(guard=True, max_bytes=BODY_MAX_BYTES)
    config = platform_configuration(session, config_url, registration_token=registration_token)
    answer = client_register(
        session,
        endpoint=config.registration_endpoint,
        metadata=tool.client_metadata(),
        registration_token=registration_token,
    )
    deployment_id = answer.tool_configuration.deployment_id if answer.tool_configuration else None
    already = LtiRegistration.objects.filter(issuer=config.issuer, client_id=answer.client_id)
    if already.exists():
        raise RegistrationRefused(_already(config.issuer, answer.client_id), 409)
    family = config.platform.product_family_code if config.platform else ""
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = LtiRegistration.objects.create(
                name=(f"{family} — {config.issuer}" if family else config.issuer)[:255],
                issuer=config.issuer,
                client_id=answer.client_id,
                auth_url=config.authorization_endpoint,
                token_url=config.token_endpoint,
                keyset_url=config.jwks_uri,
                is_active=True,
            )
            if deployment_id is not None:
                LtiDeployment.objects.create(
                    registration=registration, deployment_id=deployment_id, is_active=True
                )
            # The claim: of two uses of one link at once, one updates the row and the
            # other finds it used and rolls its registration back. (Both have asked the
            # platform by then: the loser's client stays in the LMS, unknown here, and
            # its launches are refused.)
            claimed = (
                RegistrationInvite.objects.usable(now)
                .filter(pk=invite.pk)
                .update(used_at=now, registration=registration)
            )
            if claimed != 1:
                raise RegistrationRefused(
                    "This registration link was used by another request a moment ago.", 409
                )
    except IntegrityError:  # the same client registered by a concurrent request
        raise RegistrationRefused(_already(config.issuer, answer.client_id), 409) from None
    except DataError:  # a value the checks above let through and a column would not take
        raise RegistrationRefused(
            "The LMS's answer has a value Descent cannot store.", 502
        ) from None
    log.info(
        "event=lti_registered issuer=%r client_id=%r deployment_id=%r invite=%s",
        config.issuer, answer.client_id, deployment_id, invite.pk,
    )  # fmt: skip
    return Registered(registration=registration, deployment_id=deployment_id)


def _already(issuer: str, client_id: str) -> str:
    return (
        f"Descent already has a registration for this LMS ({issuer}) with client ID "
        f"{client_id}. Nothing was added; the existing registration is in Descent's admin."
    )


# --- the page the LMS opens -------------------------------------------------------------


def _frameable(response):
    # The LMS opens this page in its own frame or window, and which origin that is cannot
    # be known before the registration is made (an issuer is often not the address its
    # pages are served from). So these two responses, and only they, may be framed by any
    # origin: they carry no form and no action a framing page could trick a user into,
    # and the work they report was done by the GET itself, which needs the link's secret.
    return allow_framing(response, ["*"])


@require_GET
def register(request, token: str):
    """The invite's link, opened by the LMS with its configuration's address."""
    try:
        done = registration_create(
            token=token,
            openid_configuration=request.GET.get("openid_configuration", ""),
            registration_token=request.GET.get("registration_token", ""),
            tool=ToolUrls.of(request),
        )
    except RegistrationRefused as exc:
        log.warning("event=lti_registration_refused status=%s reason=%r", exc.status, str(exc))
        return _frameable(refused(request, str(exc), exc.status, registration=True))
    return _frameable(
        render(
            request,
            "lti/registered.html",
            {
                "registration": done.registration,
                "deployment_id": done.deployment_id,
                "close_message": CLOSE_MESSAGE,
            },
        )
    )
