"""Scores to the LMS's gradebook (Assignment and Grade Services), observed on the test
platform's side: a graded attempt arrives with the points that count, a score staff
change follows, a score sent while the LMS is down arrives once it is back, once, and
an exercise the LMS never linked sends nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto import jwk
from lti_tool.models import LtiUser

from courses.services import cohort_score_policy_set
from grading import queues, tasks
from grading.feedback import score_override
from grading.models import Submission
from grading.services import submission_create
from lti import passback
from lti.models import LineItemLink, ScoreSync
from tests.factories import SubmissionFactory
from tests.lti.conftest import HOST, exercise_url

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RIGHT = "import numpy as np\n\n\ndef double(x):\n    return 2.0 * np.asarray(x, dtype=np.float64)\n"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(monkeypatch, platform):
    """Pushes the grading worker asks for, run by the test when it says so; the tool's
    keys handed to the platform, as a registration does."""
    platform.tool_keys = jwk.JWKSet.from_json(Client().get(reverse("lti:jwks")).content)
    sent = []
    monkeypatch.setattr(passback, "queue", sent.append)
    monkeypatch.setattr(queues, "send", lambda *args: None)
    return sent


def student_launch(platform, course, *, sub="student-1", lineitem="1"):
    options = {AGS: platform.ags_claim(lineitem)} if lineitem else {}
    response, _, _ = platform.launch(Client(), HOST + exercise_url(course), sub=sub, **options)
    assert response.status_code == 302
    return LtiUser.objects.get(sub=sub).auth_user


def test_a_graded_attempt_arrives_in_the_lms_gradebook(platform, linked, course, queued):
    user = student_launch(platform, course)
    assert LineItemLink.objects.get().url == f"{platform.base}/lineitems/1"
    exercise = course.exercises.get(slug="double")
    submission, _ = submission_create(student=user, exercise=exercise, source=RIGHT)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "passed"
    [sync_id] = queued
    assert passback.push(sync_id) == "sent"
    [score] = platform.scores
    assert score["lineitem"] == "/lineitems/1"
    assert score["userId"] == "student-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (5.0, 5.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    # Up to date: nothing more goes.
    assert passback.push(sync_id) == "nothing"
    assert len(platform.scores) == 1


def test_a_score_sent_while_the_lms_is_down_arrives_once_when_it_is_back(
    platform, linked, course, queued
):
    user = student_launch(platform, course)
    exercise = course.exercises.get(slug="double")
    graded = SubmissionFactory(student=user, exercise=exercise, state="done", score=0.6)
    Submission.objects.filter(pk=graded.pk).update(score_factor=0.5, late_by_s=86_400)
    passback.on_score_changed(student_id=user.id, exercise_id=exercise.id)
    [sync_id] = queued
    platform.down = True
    assert passback.push(sync_id) == "retry"
    assert passback.push(sync_id) == "retry"
    sync = ScoreSync.objects.get()
    assert sync.attempts == 2
    assert "503" in sync.last_error
    assert platform.scores == []
    # The sweep finds it once its wait is over.
    assert sync_id not in passback.due_syncs()
    assert sync_id in passback.due_syncs(sync.next_attempt_at)
    platform.down = False
    assert passback.push(sync_id) == "sent"
    assert passback.push(sync_id) == "nothing"
    [score] = platform.scores
    # The late penalty applies: 0.6 of 5 points, half of it counts.
    assert score["scoreGiven"] == 1.5
    assert ScoreSync.objects.get().attempts == 0


def test_a_score_staff_change_follows(platform, linked, course, queued):
    user = student_launch(platform, course)
    exercise = course.exercises.get(slug="double")
    graded = SubmissionFactory(student=user, exercise=exercise, state="done", score=1.0)
    instructor = linked.memberships.get(role="instructor").user
    score_override(submission=graded, score=0.2, reason="copied", by=instructor)
    [sync_id] = queued
    assert passback.push(sync_id) == "sent"
    assert platform.scores[-1]["scoreGiven"] == 1.0


def test_an_exercise_the_lms_never_linked_sends_nothing(platform, linked, course, queued):
    user = student_launch(platform, course, lineitem=None)
    exercise = course.exercises.get(slug="double")
    SubmissionFactory(student=user, exercise=exercise, state="done", score=1.0)
    passback.on_score_changed(student_id=user.id, exercise_id=exercise.id)
    assert queued == []
    assert not ScoreSync.objects.exists()


def test_a_line_item_without_the_score_scope_is_not_used(platform, linked, course, queued):
    claim = platform.ags_claim("2")
    claim["scope"] = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"]
    platform.launch(Client(), HOST + exercise_url(course), sub="s-3", **{AGS: claim})
    assert not LineItemLink.objects.exists()


def test_a_platform_that_refuses_the_tools_token_request_gets_retried(
    platform, linked, course, queued
):
    user = student_launch(platform, course)
    platform.tool_keys = jwk.JWKSet()  # the platform lost the tool's keys
    exercise = course.exercises.get(slug="double")
    SubmissionFactory(student=user, exercise=exercise, state="done", score=1.0)
    passback.on_score_changed(student_id=user.id, exercise_id=exercise.id)
    [sync_id] = queued
    assert passback.push(sync_id) == "retry"
    assert "401" in ScoreSync.objects.get().last_error
    assert platform.scores == []


def test_the_score_sent_is_the_one_the_cohorts_policy_counts(platform, linked, course, queued):
    user = student_launch(platform, course)
    exercise = course.exercises.get(slug="double")
    early = SubmissionFactory(student=user, exercise=exercise, state="done", score=1.0)
    late = SubmissionFactory(student=user, exercise=exercise, state="done", score=0.4)
    Submission.objects.filter(pk=late.pk).update(created_at=early.created_at + timedelta(hours=1))
    passback.on_score_changed(student_id=user.id, exercise_id=exercise.id)
    assert passback.push(queued.pop()) == "sent"
    assert platform.scores[-1]["scoreGiven"] == 5.0  # the best attempt, by default
    # The instructor changes the policy: the LMS is told without a new attempt.
    assert cohort_score_policy_set(cohort=linked, policy="latest")
    [sync_id] = queued
    assert passback.push(sync_id) == "sent"
    assert platform.scores[-1]["scoreGiven"] == 2.0  # the latest: 0.4 of 5 points
