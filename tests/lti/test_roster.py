"""Roster sync (Names and Role Provisioning Services) from the test platform's member
list, and the cohort's LMS page: members join with their roles, leavers are archived and
returners restored, only accounts from this LMS are touched, an unreadable list changes
nothing, and each role sees and does what it may."""

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto import jwk
from lti_tool.models import LtiUser

from courses.models import Membership
from courses.services import cohort_join
from grading import queues
from lti import roster
from lti.models import CohortLink, ScoreSync
from tests.factories import SubmissionFactory
from tests.lti.conftest import HOST, exercise_url
from tests.lti.platform import ASSISTANT, LEARNER

pytestmark = pytest.mark.django_db

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def member(sub, roles=(LEARNER,), status="Active", **fields):
    return {"user_id": sub, "roles": list(roles), "status": status, "name": sub.title(), **fields}


@pytest.fixture
def lms(platform, linked):
    platform.tool_keys = jwk.JWKSet.from_json(Client().get(reverse("lti:jwks")).content)
    return platform


def cohort_role(cohort, sub):
    user = LtiUser.objects.get(sub=sub).auth_user
    membership = Membership.objects.get(cohort=cohort, user=user)
    return membership.role, membership.archived_at is not None


def test_members_join_with_their_roles_and_leavers_are_archived(lms, linked, student):
    cohort_join(cohort=linked, user=student)  # joined with the code: not the LMS's to manage
    lms.members = [
        member("teacher-1", roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]),
        member("ada", given_name="Ada", family_name="Lovelace", email="ada@lms.example.edu"),
        member("tom", roles=[ASSISTANT]),
        member("bob"),
        member("gone", status="Inactive"),
    ]
    report = roster.sync(CohortLink.objects.get())
    assert sorted(report.added) == ["Ada Lovelace", "Bob", "Tom"]
    assert cohort_role(linked, "ada") == ("student", False)
    assert cohort_role(linked, "tom") == ("assistant", False)
    assert cohort_role(linked, "teacher-1") == ("instructor", False)
    assert LtiUser.objects.get(sub="ada").auth_user.email == "ada@lms.example.edu"
    # Bob drops the course; Ada's enrolment ends; both archived, their work kept.
    lms.members = [
        member("teacher-1"),
        member("ada", status="Inactive"),
        member("tom", [ASSISTANT]),
    ]
    report = roster.sync(CohortLink.objects.get())
    assert sorted(report.left) == ["Ada Lovelace", "Bob"]
    assert cohort_role(linked, "bob") == ("student", True)
    assert cohort_role(linked, "ada") == ("student", True)
    # The code-joined student and the assistant are untouched.
    assert Membership.objects.get(cohort=linked, user=student).archived_at is None
    assert cohort_role(linked, "tom") == ("assistant", False)
    # Bob re-enrols.
    lms.members.append(member("bob"))
    report = roster.sync(CohortLink.objects.get())
    assert report.returned == ["Bob"]
    assert cohort_role(linked, "bob") == ("student", False)


def test_a_list_over_several_pages_is_read_whole(lms, linked):
    lms.page_size = 2
    lms.members = [member(f"s{index}") for index in range(7)]
    report = roster.sync(CohortLink.objects.get())
    assert len(report.added) == 7


def test_unreadable_entries_are_skipped_and_counted(lms, linked):
    lms.members = [member("ok"), {"roles": []}, {"user_id": 7}, "text", member("x" * 300)]
    report = roster.sync(CohortLink.objects.get())
    assert report.added == ["Ok"]
    assert report.skipped == 4
    assert "4 entries unreadable" in report.summary


def test_an_lms_that_is_down_changes_nothing_and_the_page_says_why(lms, linked, client):
    lms.members = [member("ada")]
    roster.sync(CohortLink.objects.get())
    lms.down = True
    before = list(Membership.objects.values_list("user_id", "role", "archived_at"))
    assert roster.sync_recorded(CohortLink.objects.get().pk) is None
    assert list(Membership.objects.values_list("user_id", "role", "archived_at")) == before
    link = CohortLink.objects.get()
    assert "did not give the membership list" in link.roster_error
    client.force_login(linked.memberships.get(role="instructor").user)
    page = client.get(reverse("lti:cohort", args=[linked.uuid])).content.decode()
    assert "could not be read" in page


# The cohort's LMS page -----------------------------------------------------------------


def test_the_instructor_sees_the_link_and_acts(
    lms, linked, course, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(queues, "send", lambda task, *args: queued.append((task, args)))
    lms.launch(Client(), HOST + exercise_url(course), sub="ada", **{AGS: lms.ags_claim("1")})
    ada = LtiUser.objects.get(sub="ada").auth_user
    SubmissionFactory(
        student=ada, exercise=course.exercises.get(slug="double"), state="done", score=1
    )
    client = Client()
    client.force_login(linked.memberships.get(role="instructor").user)
    page = client.get(reverse("lti:cohort", args=[linked.uuid])).content.decode()
    assert "Machine learning" in page
    assert "Send again" in page  # the exercise's row, with its own button
    assert course.exercises.get(slug="double").title in page
    assert "Sync the roster now" in page
    response = client.post(reverse("lti:roster_sync", args=[linked.uuid]), follow=True)
    assert "being read from the LMS" in response.content.decode()
    assert queued[0] == ("lti.sync_roster", (CohortLink.objects.get().pk,))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lti:grades_push", args=[linked.uuid]), follow=True)
    assert "1 score on the way to the LMS" in response.content.decode()
    sync = ScoreSync.objects.get()
    assert (sync.user, sync.wanted, sync.sent) == (ada, 1, 0)
    assert ("lti.push_score", (sync.pk,)) in queued


def test_an_assistant_reads_and_others_are_refused(lms, linked, second_student, student, client):
    Membership.objects.create(cohort=linked, user=second_student, role=Membership.Role.ASSISTANT)
    page = reverse("lti:cohort", args=[linked.uuid])
    client.force_login(second_student)
    text = client.get(page).content.decode()
    assert "Machine learning" in text
    assert "Sync the roster now" not in text
    assert client.post(reverse("lti:roster_sync", args=[linked.uuid])).status_code == 403
    assert client.post(reverse("lti:grades_push", args=[linked.uuid])).status_code == 403
    client.force_login(student)
    assert client.get(page).status_code == 403


def test_a_cohort_without_an_lms_says_how_to_link_one(client, cohort_instructor, course):
    from courses.services import cohort_create

    cohort = cohort_create(course=course, name="Plain", created_by=cohort_instructor)
    client.force_login(cohort_instructor)
    page = client.get(reverse("lti:cohort", args=[cohort.uuid])).content.decode()
    assert "No LMS course is linked" in page
    assert "http://testserver/lti/jwks/" in page
