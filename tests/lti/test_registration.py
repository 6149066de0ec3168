"""LTI Dynamic Registration against the tests' LMS over real HTTP
(tests/lti/registration_platform.py): a one-time link made in the admin registers the
LMS, whose launches then work; every refusal (the link, the platform's configuration,
its answer) says why, writes nothing and leaves the link usable; the admin shows the
tool's URLs."""

import json
import re
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lti_tool.models import LtiDeployment, LtiRegistration, LtiUser

from lti import registration as registration_module
from lti.models import RegistrationInvite
from lti.models_registration import token_digest
from tests.lti.conftest import HOST, exercise_url
from tests.lti.platform import INSTRUCTOR
from tests.lti.registration_platform import TOOL_CONFIGURATION, RegisteringPlatform

pytestmark = pytest.mark.django_db

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem "
    "https://purl.imsglobal.org/spec/lti-ags/scope/score "
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly "
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)


@pytest.fixture
def lms(settings):
    # The tests' LMS is on this machine: a host an administrator would have to allow.
    settings.LTI_SERVICE_HOSTS = ["127.0.0.1"]
    platform = RegisteringPlatform()
    yield platform
    platform.close()


def invite(**fields) -> tuple[RegistrationInvite, str]:
    made = RegistrationInvite(**fields)
    token = made.new_token()
    made.save()
    return made, token


def open_link(lms, token: str, client=None, **params):
    """What the LMS does with the pasted link: open it with its configuration's URL."""
    query = {"openid_configuration": lms.openid_configuration_url,
             "registration_token": lms.registration_token, **params}  # fmt: skip
    query = {key: value for key, value in query.items() if value is not None}
    return (client or Client()).get(reverse("lti:register", args=[token]), query)


def written() -> tuple:
    return LtiRegistration.objects.count(), LtiDeployment.objects.count()


def assert_refused(response, status: int, words: str):
    assert response.status_code == status
    page = response.content.decode()
    assert "Descent could not register itself with your LMS" in page
    assert "Nothing was registered" in page
    assert words in page, page


def listed_states(admin_client) -> dict:
    """The invite admin's list: each link's note and state."""
    page = admin_client.get(reverse("admin:lti_registrationinvite_changelist")).content.decode()
    row = r'<th class="field-__str__"><a [^>]+>([^<]+)</a></th><td class="field-state_shown">(\w+)</td>'
    return dict(re.findall(row, page))


def assert_frameable(response):
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "frame-ancestors 'none'" not in policy


def test_an_lms_registers_descent_through_a_one_time_link(lms):
    link, token = invite(note="Test LMS")
    response = open_link(lms, token)

    assert response.status_code == 200, response.content[:800]
    registration = LtiRegistration.objects.get()
    assert (registration.issuer, registration.client_id) == (lms.base, lms.issued_client_id)
    assert (registration.auth_url, registration.token_url, registration.keyset_url) == (
        lms.auth_url, lms.token_url, lms.keyset_url,
    )  # fmt: skip
    assert registration.is_active
    assert registration.name == f"testlms — {lms.base}"
    deployment = LtiDeployment.objects.get()
    assert (deployment.registration, deployment.deployment_id) == (
        registration,
        "dynamic-deployment-1",
    )
    assert deployment.is_active
    link.refresh_from_db()
    assert link.used_at is not None
    assert link.registration == registration
    assert link.state() == RegistrationInvite.State.USED

    page = response.content.decode()
    assert "Descent is registered with your LMS" in page
    assert lms.issued_client_id in page
    assert "dynamic-deployment-1" in page
    assert "org.imsglobal.lti.close" in page
    nonce = response.wsgi_request.csp_nonce
    assert f'<script nonce="{nonce}">' in page
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert_frameable(response)


def test_the_tool_tells_the_platform_its_urls_messages_and_scopes(lms):
    _, token = invite()
    open_link(lms, token)

    bearer = f"Bearer {lms.registration_token}"
    assert (lms.config_authorizations, lms.authorizations) == ([bearer], [bearer])
    [posted] = lms.registrations
    assert posted["application_type"] == "web"
    assert posted["response_types"] == ["id_token"]
    assert posted["grant_types"] == ["implicit", "client_credentials"]
    assert posted["initiate_login_uri"] == HOST + reverse("lti:login")
    assert posted["redirect_uris"] == [HOST + reverse("lti:launch")]
    assert posted["client_name"] == "Descent"
    assert posted["jwks_uri"] == HOST + reverse("lti:jwks")
    assert posted["token_endpoint_auth_method"] == "private_key_jwt"
    assert posted["scope"] == SCOPES
    assert posted[TOOL_CONFIGURATION] == {
        "domain": "testserver",
        "target_link_uri": HOST + "/",
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": [
            {"type": "LtiResourceLinkRequest"},
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": HOST + reverse("lti:launch"),
                "label": "Descent",
            },
        ],  # fmt: skip
    }


def test_a_launch_through_the_new_registration_works(lms, course):
    call_command("rotate_keys")
    _, token = invite()
    assert open_link(lms, token).status_code == 200
    assert lms.client_id == lms.issued_client_id  # the LMS launches as the client it made

    client = Client()
    login = client.get("/lti/login/", lms.login_params(HOST + exercise_url(course)))
    assert login.status_code == 302
    assert login["Location"].startswith(lms.auth_url + "?")
    response, _, _ = lms.launch(
        client, HOST + exercise_url(course), sub="teacher-1", roles=[INSTRUCTOR]
    )
    assert response.status_code == 302, response.content[:800]
    assert response["Location"] == reverse("lti:setup")
    lti_user = LtiUser.objects.get(sub="teacher-1")
    assert lti_user.registration == LtiRegistration.objects.get(client_id=lms.issued_client_id)
    assert lms.jwks_requests >= 1  # the id_token was checked with the keys it registered


def test_a_platform_that_names_no_deployment_is_registered_without_one(lms):
    lms.issued_deployment_id = None
    _, token = invite()
    response = open_link(lms, token)

    assert response.status_code == 200
    assert LtiRegistration.objects.count() == 1
    assert LtiDeployment.objects.count() == 0
    assert "did not name a deployment" in response.content.decode()


def test_a_registration_without_a_registration_token_sends_no_authorization(lms):
    lms.registration_token = ""
    _, token = invite()
    assert open_link(lms, token, registration_token=None).status_code == 200
    assert (lms.config_authorizations, lms.authorizations) == ([""], [""])


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda: "x" * 43, 404, "not one Descent made"),
        (lambda: invite(expires_at=timezone.now() - timedelta(minutes=1))[1], 410, "has expired"),
        (lambda: invite(used_at=timezone.now())[1], 410, "has been used already"),
    ],
    ids=["unknown", "expired", "used"],
)
def test_a_link_that_is_unknown_expired_or_used_is_refused_before_the_lms_is_asked(
    lms, make, status, words
):
    response = open_link(lms, make())
    assert_refused(response, status, words)
    assert_frameable(response)
    assert written() == (0, 0)
    assert lms.config_requests == 0
    assert lms.registrations == []


def test_a_second_use_of_a_link_is_refused(lms):
    _, token = invite()
    assert open_link(lms, token).status_code == 200
    lms.issued_client_id = "another-client"

    assert_refused(open_link(lms, token), 410, "has been used already")
    assert written() == (1, 1)
    assert len(lms.registrations) == 1


def test_a_configuration_whose_issuer_is_on_another_host_is_refused(lms):
    lms.config_changes = {"issuer": "https://lms.example.edu"}
    link, token = invite()
    response = open_link(lms, token)

    assert_refused(response, 502, "is not on the host its configuration came from")
    assert written() == (0, 0)
    assert lms.registrations == []
    link.refresh_from_db()
    assert link.state() == RegistrationInvite.State.WAITING


def test_an_lms_on_this_network_is_refused_unless_an_administrator_allows_it(lms, settings):
    made, token = invite()
    settings.LTI_SERVICE_HOSTS = []
    response = open_link(lms, token)
    assert_refused(response, 502, "127.0.0.1 is neither this LMS")
    assert written() == (0, 0)
    assert lms.registrations == []
    settings.LTI_SERVICE_HOSTS = ["127.0.0.1"]
    assert open_link(lms, token).status_code == 200
    assert written() == (1, 1)


def test_a_platform_that_is_down_is_refused_and_the_link_still_works_afterwards(lms):
    link, token = invite()
    lms.down = True
    assert_refused(open_link(lms, token), 502, "answered HTTP 503")
    assert written() == (0, 0)
    link.refresh_from_db()
    assert link.used_at is None

    lms.down = False
    assert open_link(lms, token).status_code == 200
    assert written() == (1, 1)


def test_a_platform_that_cannot_be_reached_is_refused(lms):
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{spare.getsockname()[1]}/.well-known/openid-configuration"
    _, token = invite()
    assert_refused(open_link(lms, token, openid_configuration=closed), 502, "could not be reached")
    assert written() == (0, 0)


def test_a_refusal_of_the_registration_endpoint_is_shown_with_its_reason(lms):
    lms.registration_answer = (
        400,
        {"error": "invalid_client_metadata", "error_description": "redirect_uris must use https"},
    )
    link, token = invite()
    response = open_link(lms, token)

    assert_refused(
        response,
        502,
        "refused the registration (HTTP 400): invalid_client_metadata: redirect_uris must use https.",
    )
    assert written() == (0, 0)
    link.refresh_from_db()
    assert link.used_at is None


def test_a_registration_token_the_lms_does_not_know_is_refused(lms):
    link, token = invite()
    response = open_link(lms, token, registration_token="not-the-lms-token")

    assert_refused(response, 502, "answered HTTP 401")
    assert lms.registrations == []
    assert written() == (0, 0)
    link.refresh_from_db()
    assert link.used_at is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>not json</html>", "is not JSON"),
        (b" " * 70_000 + b"{}", "is over 65536 bytes"),
        (b"[" * 30_000, "is not JSON"),
        (json.dumps({"issuer": "x"}).encode(), "issuer: Value error, is not an http(s) URL"),
    ],
    ids=["html", "too-large", "too-deep", "incomplete"],
)
def test_a_configuration_that_is_not_what_the_spec_says_is_refused(lms, body, words):
    lms.config_body = body
    _, token = invite()
    assert_refused(open_link(lms, token), 502, words)
    assert written() == (0, 0)
    assert lms.registrations == []


def test_a_configuration_missing_the_registration_endpoint_is_refused(lms):
    config = lms.openid_configuration()
    del config["registration_endpoint"]
    lms.config_body = json.dumps(config).encode()
    _, token = invite()
    assert_refused(open_link(lms, token), 502, "registration_endpoint: Field required")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"client_name": "Descent"}, "client_id: Field required"),
        ({"client_id": "client\u0000one"}, "client_id: Value error, contains characters that"),
        ({"client_id": "c" * 256}, "client_id: Value should have at most 255"),
        ({"client_id": "c-1", TOOL_CONFIGURATION: {"deployment_id": ["d"]}}, "deployment_id"),
    ],
    ids=["no-client-id", "nul", "too-long", "deployment-not-text"],
)
def test_a_platform_answer_that_cannot_be_stored_is_refused(lms, answer, words):
    lms.registration_answer = (200, answer)
    link, token = invite()
    assert_refused(open_link(lms, token), 502, words)
    assert written() == (0, 0)
    link.refresh_from_db()
    assert link.used_at is None


def test_a_platform_that_numbers_its_clients_is_registered_with_the_number_as_text(lms):
    answer = {"client_id": 10000000000042, TOOL_CONFIGURATION: {"deployment_id": 7}}
    lms.registration_answer = (200, answer)
    _, token = invite()
    assert open_link(lms, token).status_code == 200
    registration = LtiRegistration.objects.get()
    assert registration.client_id == "10000000000042"
    assert registration.deployments.get().deployment_id == "7"


@pytest.mark.parametrize(
    "query",
    [{"openid_configuration": None}, {"openid_configuration": "file:///etc/passwd"}],
    ids=["missing", "not-http"],
)
def test_a_link_opened_without_a_usable_configuration_address_is_refused(lms, query):
    _, token = invite()
    response = open_link(lms, token, **query)
    assert_refused(response, 400, "openid_configuration")
    assert lms.config_requests == 0
    assert written() == (0, 0)


def test_a_client_already_registered_is_refused_and_nothing_is_added(lms):
    existing = LtiRegistration.objects.create(
        name="By hand", issuer=lms.base, client_id=lms.issued_client_id,
        auth_url=lms.auth_url, token_url=lms.token_url, keyset_url=lms.keyset_url,
    )  # fmt: skip
    link, token = invite()
    response = open_link(lms, token)

    assert_refused(response, 409, "already has a registration for this LMS")
    assert list(LtiRegistration.objects.all()) == [existing]
    assert LtiDeployment.objects.count() == 0
    link.refresh_from_db()
    assert link.used_at is None


def test_of_two_uses_at_once_only_the_one_that_claims_the_link_registers(lms, monkeypatch):
    link, token = invite()
    asked = registration_module.client_register

    def the_other_use_finishes_first(*args, **kwargs):
        answer = asked(*args, **kwargs)
        RegistrationInvite.objects.filter(pk=link.pk).update(used_at=timezone.now())
        return answer

    monkeypatch.setattr(registration_module, "client_register", the_other_use_finishes_first)
    assert_refused(open_link(lms, token), 409, "used by another request a moment ago")
    assert written() == (0, 0)
    link.refresh_from_db()
    assert link.registration is None


def test_the_admin_shows_a_registrations_tool_urls(admin_client, lms):
    registration = LtiRegistration.objects.create(
        name="By hand", issuer=lms.base, client_id="c-1",
        auth_url=lms.auth_url, token_url=lms.token_url, keyset_url=lms.keyset_url,
    )  # fmt: skip
    page = admin_client.get(
        reverse("admin:lti_tool_ltiregistration_change", args=[registration.pk])
    ).content.decode()

    assert "Tool&#x27;s URLs for this LMS</h2>" in page
    for url in (
        HOST + reverse("lti:login"),
        HOST + reverse("lti:login_for", args=[registration.uuid]),
        HOST + reverse("lti:launch"),
        HOST + reverse("lti:jwks"),
    ):
        assert f"<code>{url}</code>" in page
    launch = HOST + reverse("lti:launch")
    assert f"Deep-linking URL</th><td><code>{launch}</code>" in page
    # django-lti's own fields are still there.
    assert 'name="client_id"' in page


def test_the_admin_add_page_shows_the_urls_known_before_saving(admin_client):
    page = admin_client.get(reverse("admin:lti_tool_ltiregistration_add")).content.decode()
    assert f"<code>{HOST}{reverse('lti:launch')}</code>" in page
    assert "shown once the registration is saved" in page


def test_the_invite_admin_shows_the_link_once_and_it_registers_the_lms(admin_client, lms):
    expires = timezone.localtime() + timedelta(days=2)
    response = admin_client.post(
        reverse("admin:lti_registrationinvite_add"),
        {"note": "Moodle of the maths department",
         "expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": expires.strftime("%H:%M:%S")},
        follow=True,
    )  # fmt: skip

    page = response.content.decode()
    [link] = re.findall(r"<code>(http://testserver/lti/register/[^<]+/)</code>", page)
    token = link.removeprefix("http://testserver/lti/register/").removesuffix("/")
    made = RegistrationInvite.objects.get()
    assert made.token_hash == token_digest(token)
    assert made.note == "Moodle of the maths department"
    assert made.created_by.username == "admin"
    assert abs(made.expires_at - expires) < timedelta(seconds=1)
    assert made.state() == RegistrationInvite.State.WAITING

    listing = admin_client.get(reverse("admin:lti_registrationinvite_changelist")).content
    change = admin_client.get(reverse("admin:lti_registrationinvite_change", args=[made.pk]))
    for later in (listing.decode(), change.content.decode()):
        assert token not in later
        assert made.token_hash not in later
    assert listed_states(admin_client) == {"Moodle of the maths department": "waiting"}
    probe = reverse("admin:lti_registrationinvite_changelist")
    assert admin_client.get(probe, {"token_hash__startswith": "a"}).status_code == 400

    # The link exactly as shown, opened by the LMS.
    lms_adds = {"openid_configuration": lms.openid_configuration_url,
                "registration_token": lms.registration_token}  # fmt: skip
    assert Client().get(link, lms_adds).status_code == 200
    assert listed_states(admin_client) == {"Moodle of the maths department": "used"}
    made.refresh_from_db()
    assert made.registration == LtiRegistration.objects.get()


def test_the_invite_admin_defaults_to_a_week_and_refuses_a_past_expiry(admin_client):
    add = reverse("admin:lti_registrationinvite_add")
    form = admin_client.get(add).context["adminform"].form
    week = form.fields["expires_at"].initial()
    assert abs(week - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)

    past = timezone.localtime() - timedelta(days=1)
    response = admin_client.post(
        add, {"expires_at_0": past.strftime("%Y-%m-%d"), "expires_at_1": past.strftime("%H:%M:%S")}
    )
    assert response.status_code == 200
    assert "An unused link must expire in the future." in response.content.decode()
    assert RegistrationInvite.objects.count() == 0


def test_the_invite_admin_lists_each_links_state(admin_client):
    invite(note="waits")
    invite(note="too late", expires_at=timezone.now() - timedelta(hours=1))
    invite(note="done", used_at=timezone.now())
    assert listed_states(admin_client) == {
        "waits": "waiting",
        "too late": "expired",
        "done": "used",
    }


def test_staff_can_expire_a_waiting_link_at_once(admin_client, lms):
    link, token = invite(note="leaked")
    admin_client.post(
        reverse("admin:lti_registrationinvite_changelist"),
        {"action": "expire_now", "_selected_action": [link.pk]},
    )
    assert listed_states(admin_client) == {"leaked": "expired"}
    assert_refused(open_link(lms, token), 410, "has expired")
