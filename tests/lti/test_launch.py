"""LTI 1.3 launches from a platform written in the tests (tests/lti/platform.py: its own
keys and JWKS over HTTP, jwcrypto): an instructor's first launch sets the LMS course up
as a cohort, learners and assistants land in it with their roles on the page they were
sent to, an account is found by the LMS user and never by e-mail, and every launch that
fails a check gets a page saying why and writes nothing."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from jwcrypto import jwk
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiUser

from courses.models import Cohort, Membership
from lti.models import CohortLink, UsedNonce
from tests.lti.conftest import HOST, exercise_url
from tests.lti.platform import ASSISTANT, INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db


def written() -> tuple:
    """Everything a launch could create."""
    return (
        get_user_model().objects.count(),
        LtiUser.objects.count(),
        LtiContext.objects.count(),
        LtiDeployment.objects.count(),
        Membership.objects.count(),
        Cohort.objects.count(),
    )


def test_an_instructors_first_launch_opens_a_cohort_for_the_lms_course(linked, course):
    assert (linked.course, linked.name) == (course, "Machine learning")
    [membership] = linked.memberships.all()
    assert membership.role == Membership.Role.INSTRUCTOR
    assert membership.user.username.startswith("lti-")
    assert not membership.user.has_usable_password()
    link = CohortLink.objects.get()
    assert (link.cohort, link.context.id_on_platform) == (linked, "course-101")


def test_a_learner_lands_signed_in_on_the_page_the_lms_linked(platform, linked, course):
    client = Client()
    response, _, _ = platform.launch(client, HOST + exercise_url(course), sub="student-1")
    assert response.status_code == 302
    assert response["Location"] == exercise_url(course)
    page = client.get(response["Location"])
    assert page.status_code == 200
    user = page.wsgi_request.user
    assert user.first_name == "Ada"
    assert linked.role_of(user) == Membership.Role.STUDENT


def test_the_same_lms_user_is_the_same_account_and_an_address_finds_nobody(
    platform, linked, course, student
):
    # A Descent account already has the address the LMS sends: it is not taken over.
    student.email = "student-1@lms.example.edu"
    student.save()
    first, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="student-1")
    again, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="student-1")
    assert first.status_code == again.status_code == 302
    [account] = LtiUser.objects.filter(sub="student-1").values_list("auth_user", flat=True)
    lti_account = get_user_model().objects.get(pk=account)
    assert lti_account != student
    assert lti_account.email == ""
    assert linked.role_of(student) is None


def test_an_assistant_is_an_assistant(platform, linked, course):
    response, _, _ = platform.launch(
        Client(), HOST + exercise_url(course), sub="ta-1", roles=[ASSISTANT, INSTRUCTOR]
    )
    assert response.status_code == 302
    user = LtiUser.objects.get(sub="ta-1").auth_user
    assert linked.role_of(user) == Membership.Role.ASSISTANT


@pytest.mark.parametrize(
    "target",
    ["https://elsewhere.example/courses/x/", HOST + "/courses/another/", HOST + "/admin/"],
)
def test_a_target_outside_the_course_opens_the_course_home(platform, linked, course, target):
    response, _, _ = platform.launch(Client(), target, sub="student-2")
    assert response["Location"] == reverse("courses:course", args=[course.slug])


def test_a_learner_before_the_instructor_is_told_to_wait(platform, registered, course):
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="early-1")
    assert response.status_code == 200
    assert "Your course is not on Descent yet" in response.content.decode()
    assert not Cohort.objects.exists()


def test_the_course_picker_is_only_for_the_instructor_who_launched(client, student, linked):
    assert client.get(reverse("lti:setup")).status_code == 403
    client.force_login(student)
    assert client.get(reverse("lti:setup")).status_code == 403


# Refused launches: a page that says why, and nothing written -------------------------


def refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content[:400]
    page = response.content.decode()
    assert "Descent could not open this from your LMS" in page
    assert words in page
    assert "Nothing was changed" in page


def test_a_token_signed_with_another_key_is_refused(platform, registered, course):
    forger = jwk.JWK.generate(kty="RSA", size=2048, kid=platform.key["kid"])
    before = written()
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), key=forger)
    refused(response, 400, "Signature verification failed")
    assert written() == before


def test_a_token_for_another_tool_is_refused(platform, registered, course):
    before = written()
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), aud="someone-else")
    refused(response, 400, "The launch is not for this tool")
    assert written() == before


def test_an_expired_token_is_refused(platform, registered, course):
    import time

    before = written()
    past = int(time.time()) - 3600
    response, _, _ = platform.launch(
        Client(), HOST + exercise_url(course), iat=past - 300, exp=past
    )
    refused(response, 400, "Signature has expired")
    assert written() == before


def test_a_replayed_launch_is_refused(platform, linked, course):
    client = Client()
    response, token, state = platform.launch(client, HOST + exercise_url(course), sub="s-9")
    assert response.status_code == 302
    before = written()
    again = client.post("/lti/launch/", {"id_token": token, "state": state})
    refused(again, 400, "This launch was already used")
    assert written() == before
    assert UsedNonce.objects.count() == 2  # the instructor's launch and this one


def test_a_state_from_another_browser_is_refused(platform, registered, course):
    target = HOST + exercise_url(course)
    started = Client().get("/lti/login/", platform.login_params(target))
    asked = parse_qs(urlsplit(started["Location"]).query)
    token = platform.id_token(nonce=asked["nonce"][0], target=target, sub="s-1", roles=[LEARNER])
    before = written()
    # The id_token reaches a browser that never started this login (no state cookie).
    elsewhere = Client().post("/lti/launch/", {"id_token": token, "state": asked["state"][0]})
    refused(elsewhere, 400, "does not match this browser")
    assert written() == before


def test_an_unknown_deployment_is_refused_and_not_created(platform, registered, course):
    before = written()
    response, _, _ = platform.launch(
        Client(),
        HOST + exercise_url(course),
        **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-registered"},
    )
    refused(response, 403, "deployment is not registered")
    assert written() == before


def test_an_inactive_deployment_is_refused(platform, course):
    call_command("rotate_keys")
    platform.register(active=False)
    before = written()
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course))
    refused(response, 403, "not switched on")
    assert written() == before


def test_an_unregistered_platform_cannot_start_a_login(platform, course):
    call_command("rotate_keys")
    response = Client().get("/lti/login/", platform.login_params(HOST + exercise_url(course)))
    refused(response, 403, "This LMS is not registered")


def test_a_site_without_a_signing_key_says_so(platform, course):
    platform.register()
    response = Client().get("/lti/login/", platform.login_params(HOST + exercise_url(course)))
    refused(response, 503, "manage.py rotate_keys")


def test_a_login_without_a_target_is_refused(platform, registered):
    params = platform.login_params("x")
    del params["target_link_uri"]
    refused(Client().get("/lti/login/", params), 400, "which page to open")


def test_the_login_sends_the_browser_to_the_platform_with_state_and_nonce(
    platform, registered, course
):
    client = Client()
    response = client.get("/lti/login/", platform.login_params(HOST + exercise_url(course)))
    location = urlsplit(response["Location"])
    asked = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.auth_url
    assert asked["redirect_uri"] == [HOST + reverse("lti:launch")]
    assert asked["client_id"] == [platform.client_id]
    assert asked["response_mode"] == ["form_post"]
    assert len(asked["state"][0]) >= 16
    assert len(asked["nonce"][0]) >= 16
    assert asked["state"][0] != asked["nonce"][0]


def test_the_platform_rotates_its_key_and_launches_follow(platform, linked, course):
    """The key set is read at each launch (no cache to go stale): a new key verifies at
    once, the old one while the platform still publishes it, and not after."""
    old = platform.key
    platform.rotate_key("lms-key-2")
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="s-new")
    assert response.status_code == 302
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="s-old", key=old)
    assert response.status_code == 302
    platform.retire("lms-key-1")
    before = written()
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub="s-gone", key=old)
    refused(response, 400, "")
    assert written() == before
    assert not LtiUser.objects.filter(sub="s-gone").exists()


# The tool's keys --------------------------------------------------------------------


def test_the_jwks_lists_every_active_key_through_a_rotation(client, db):
    call_command("rotate_keys")
    first = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(first) == 1
    assert "d" not in first[0]  # public parts only
    call_command("rotate_keys")
    both = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(both) == 2
    assert first[0]["kid"] in {key["kid"] for key in both}
    Key.objects.filter(public_key__isnull=False).order_by("datetime_created").first().delete()
    assert len(client.get(reverse("lti:jwks")).json()["keys"]) == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"state": "x"}, {"id_token": "a.b.c", "state": "x"}, {"id_token": "x" * 20_000}],
)
def test_garbage_posted_to_the_launch_gets_the_refusal_page(registered, data):
    before = written()
    response = Client().post("/lti/launch/", data)
    refused(response, 400, "")
    assert written() == before
    assert Client().get("/lti/launch/").status_code == 405


# Deep linking ----------------------------------------------------------------------------

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RETURN_URL = "https://lms.example.edu/deep-link/return"


def deep_link_launch(platform, client, *, roles=(INSTRUCTOR,), multiple=True):
    return platform.launch(
        client,
        HOST + reverse("lti:launch"),
        sub="teacher-1",
        roles=roles,
        **{
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest",
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": None,
            DL: {
                "deep_link_return_url": RETURN_URL,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": multiple,
                "data": "opaque-from-the-lms",
            },
        },
    )[0]


def tool_keys(client):
    return jwk.JWKSet.from_json(client.get(reverse("lti:jwks")).content)


def test_an_instructor_adds_a_whole_module_with_points_and_due_dates(platform, linked, course):
    from datetime import UTC, datetime

    from jwcrypto import jwt as jose

    from courses.models import ScheduleEntry

    due = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    ScheduleEntry.objects.create(cohort=linked, kind="exercise", slug="double", due_at=due)
    client = Client()
    response = deep_link_launch(platform, client)
    assert response["Location"] == reverse("lti:deep_link")
    picker = client.get(reverse("lti:deep_link")).content.decode()
    assert "Whole module: Basics" in picker
    assert "Double every entry" in picker
    answer = client.post(reverse("lti:deep_link"), {"items": ["module:basics"]})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'action="{RETURN_URL}"' in page
    assert "form-action 'self' https://lms.example.edu" in answer["Content-Security-Policy"]
    token = page.split('name="JWT" value="')[1].split('"')[0]
    # The platform checks the answer with the tool's published keys.
    claims = json.loads(jose.JWT(jwt=token, key=tool_keys(client)).claims)
    assert claims["iss"] == platform.client_id
    assert claims["aud"] == [platform.issuer]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-from-the-lms"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    by_title = {item["title"]: item for item in items}
    exercise = by_title["Double every entry"]
    assert exercise["url"] == HOST + exercise_url(course)
    assert exercise["lineItem"]["scoreMaximum"] == 5
    assert exercise["lineItem"]["resourceId"] == "exercise:double"
    assert exercise["submission"]["endDateTime"] == due.isoformat()
    reading = next(item for item in items if "lineItem" not in item)
    assert reading["url"] == HOST + reverse("courses:lesson", args=[course.slug, "basics"])
    checkpoint = next(item for t, item in by_title.items() if t.startswith("Checkpoint"))
    assert checkpoint["lineItem"]["scoreMaximum"] == 100
    assert checkpoint["url"].endswith("#checkpoint")
    # Answered once: the same request cannot be answered again.
    assert client.get(reverse("lti:deep_link")).status_code == 403


def test_an_lms_that_takes_one_item_gets_one(platform, linked):
    client = Client()
    deep_link_launch(platform, client, multiple=False)
    page = client.post(reverse("lti:deep_link"), {"items": ["module:basics"]})
    assert "This LMS takes one item at a time" in page.content.decode()
    one = client.post(reverse("lti:deep_link"), {"items": ["exercise:double"]})
    assert 'name="JWT"' in one.content.decode()


def test_a_learner_cannot_add_items(platform, linked):
    before = written()
    response = deep_link_launch(platform, Client(), roles=[LEARNER])
    refused(response, 403, "Only instructors of the course add Descent items")
    assert written() == before


def test_a_new_lms_course_is_set_up_before_its_items_are_picked(platform, registered, course):
    client = Client()
    response = deep_link_launch(platform, client)
    assert response["Location"] == reverse("lti:setup")
    response = client.post(reverse("lti:setup"), {"course": course.slug})
    assert response["Location"] == reverse("lti:deep_link")
    assert "Whole module: Basics" in client.get(reverse("lti:deep_link")).content.decode()


def test_the_picker_needs_a_request_from_the_lms(client, cohort_instructor):
    client.force_login(cohort_instructor)
    assert client.get(reverse("lti:deep_link")).status_code == 403


# Inside the LMS's frame ----------------------------------------------------------------


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split(";") if "frame-ancestors" in part).strip()


def test_an_lti_sessions_pages_may_be_framed_by_that_lms(platform, linked, course):
    client = Client()
    platform.launch(client, HOST + exercise_url(course), sub="student-1")
    page = client.get(exercise_url(course))
    assert frame_ancestors(page) == (f"frame-ancestors {platform.base} https://lms.example.edu")
    assert "X-Frame-Options" not in page


def test_other_sessions_stay_unframeable(client, student, course):
    client.force_login(student)
    page = client.get(reverse("courses:course", args=[course.slug]))
    assert frame_ancestors(page) == "frame-ancestors 'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_a_framed_login_checks_cookies_first_and_offers_a_new_tab(platform, registered, course):
    client = Client()
    params = platform.login_params(HOST + exercise_url(course))
    response = client.get("/lti/login/", params, headers={"Sec-Fetch-Dest": "iframe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'location.replace("' + platform.auth_url + "?" in page
    assert "Open Descent in a new tab" in page
    assert "new_window=1" in page
    assert "login_hint=hint-1" in page
    assert any(name.startswith("lti1p3-") for name in response.cookies)
    assert platform.base in frame_ancestors(response)
    # The new tab runs the same login unframed: straight on to the LMS.
    tab = client.get(
        "/lti/login/", {**params, "new_window": "1"}, headers={"Sec-Fetch-Dest": "iframe"}
    )
    assert tab.status_code == 302


def test_more_origins_may_frame_from_the_settings(platform, linked, course, settings):
    settings.LTI_FRAME_ANCESTORS = ["https://canvas.school.example"]
    client = Client()
    platform.launch(client, HOST + exercise_url(course), sub="student-1")
    assert "https://canvas.school.example" in frame_ancestors(client.get(exercise_url(course)))


@pytest.mark.parametrize("path", ["//evil.example/courses/x/", "javascript:alert(1)"])
def test_a_target_that_is_not_a_path_here_opens_the_course_home(platform, linked, course, path):
    response, _, _ = platform.launch(Client(), path, sub="student-9")
    assert response["Location"] == reverse("courses:course", args=[course.slug])
