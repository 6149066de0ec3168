"""How pylti1p3 finds a registration and a deployment: django-lti's lookups, except that
an unknown deployment is refused rather than created (django-lti makes an inactive row
for an admin to switch on; a forged launch must write nothing), and the platform's keys
are fetched with a timeout. BoundedSession: how every call to an LMS is bounded."""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from lti_tool.models import LtiDeployment
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.deployment import Deployment
from requests.adapters import HTTPAdapter

# A platform's JWKS that does not answer within this fails the launch, not the worker.
KEYSET_TIMEOUT_S = 5


class DescentToolConfig(DjangoToolConfig):
    def _deployment(self, **lookups):
        self.deployment = LtiDeployment.objects.filter(**lookups).first()
        if self.deployment is None:
            return None
        return Deployment().set_deployment_id(self.deployment.deployment_id)

    def find_deployment(self, iss, deployment_id):
        return self._deployment(
            registration__uuid=self.registration_uuid,
            registration__issuer=iss,
            registration__is_active=True,
            deployment_id=deployment_id,
        )

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        lookups = {
            "registration__issuer": iss,
            "registration__client_id": client_id,
            "registration__is_active": True,
            "deployment_id": deployment_id,
        }
        if self.registration_uuid is not None:
            lookups["registration__uuid"] = self.registration_uuid
        return self._deployment(**lookups)


class UnsafeURL(Exception):
    """An LMS asked the tool to call an address it may not call."""


# What the tool reads from an LMS in one answer (a page of members or line items, a
# token, a key set): enough for a few thousand members, not enough to fill a worker.
MAX_ANSWER_BYTES = 16 * 1024 * 1024


def _host_allowed(host: str, trusted: frozenset[str]) -> bool:
    """A host an administrator typed (the registration's URLs, LTI_SERVICE_HOSTS) is
    trusted as it is; any other must resolve only to public addresses, so that a URL
    in a launch cannot aim the worker at this network (the database, a metadata
    service, another internal site)."""
    if host in trusted:
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(address.split("%", 1)[0]).is_global for address in addresses
    )


def trusted_hosts(registration=None) -> frozenset[str]:
    hosts = set(getattr(settings, "LTI_SERVICE_HOSTS", ()))
    if registration is not None:
        for url in (registration.issuer, registration.auth_url, registration.token_url,
                    registration.keyset_url):  # fmt: skip
            host = urlsplit(url or "").hostname
            if host:
                hosts.add(host)
    return frozenset(hosts)


class _Guard(HTTPAdapter):
    """Every request the session sends, each hop of a redirect included: the host
    checked first, the answer read up to ``max_bytes``."""

    def __init__(self, trusted: frozenset[str] | None, max_bytes: int | None):
        super().__init__()
        self._trusted = trusted
        self._max_bytes = max_bytes

    def send(self, request, **kwargs):
        host = urlsplit(request.url).hostname or ""
        if self._trusted is not None and not _host_allowed(host, self._trusted):
            raise UnsafeURL(
                f"{host or request.url[:200]} is neither this LMS's host nor a public "
                "address (an administrator may allow it in LTI_SERVICE_HOSTS)"
            )
        kwargs["stream"] = True
        response = super().send(request, **kwargs)
        limit = self._max_bytes or MAX_ANSWER_BYTES  # read at call time: tests shrink it
        try:
            body = response.raw.read(limit + 1, decode_content=True)
        finally:
            response.close()
        if len(body) > limit:
            raise UnsafeURL(f"the answer from {host} is over {limit} bytes")
        response._content, response._content_consumed = body, True
        return response


class BoundedSession(requests.Session):
    """How the tool calls an LMS: every request with a timeout and its answer read up to
    MAX_ANSWER_BYTES (or ``max_bytes``); made for a registration (or with ``guard``),
    only to that registration's own hosts, LTI_SERVICE_HOSTS or public addresses. Web
    addresses only (no file:, no other adapters)."""

    def __init__(self, registration=None, *, guard: bool = False, max_bytes: int | None = None):
        super().__init__()
        self.adapters.clear()
        guarded = guard or registration is not None
        adapter = _Guard(trusted_hosts(registration) if guarded else None, max_bytes)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", KEYSET_TIMEOUT_S)
        return super().request(*args, **kwargs)


def message_launch(request) -> DjangoMessageLaunch:
    """The launch posted in ``request``, not validated yet."""
    return DjangoMessageLaunch(
        request,
        DescentToolConfig(),
        launch_data_storage=DjangoCacheDataStorage(),
        requests_session=BoundedSession(),
    )
