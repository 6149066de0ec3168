"""Gradebook columns beyond the ones the LMS names: a column Descent makes in the LMS
course's line-item container when a launch names only that (made once, found again after
a lost answer), checkpoint scores beside exercise scores, the cohort's LMS page per item,
and the limits on where the tool's calls to an LMS may go."""

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto import jwk
from lti_tool.models import LtiUser

from courses.models import LessonProgress, Quiz
from courses.services import quiz_attempt_submit
from grading import queues
from lti import config, passback
from lti.models import LineItemLink, ScoreSync
from tests.factories import SubmissionFactory
from tests.lti.conftest import HOST, exercise_url

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(monkeypatch, platform):
    platform.tool_keys = jwk.JWKSet.from_json(Client().get(reverse("lti:jwks")).content)
    sent = []
    monkeypatch.setattr(passback, "queue", sent.append)
    monkeypatch.setattr(queues, "send", lambda *args: None)
    return sent


def launch(platform, target, *, sub="student-1", claim=None, link_id="link-7"):
    options = {LINK: {"id": link_id, "title": "Item"}}
    if claim is not None:
        options[AGS] = claim
    response, _, _ = platform.launch(Client(), HOST + target, sub=sub, **options)
    assert response.status_code == 302, response.content[:300]
    return LtiUser.objects.get(sub=sub).auth_user


def graded(user, course, score=1.0):
    exercise = course.exercises.get(slug="double")
    SubmissionFactory(student=user, exercise=exercise, state="done", score=score)
    passback.on_score_changed(student_id=user.id, exercise_id=exercise.id)


def checkpoint_url(course):
    quiz = Quiz.objects.get(lesson__course=course)
    return reverse("courses:lesson", args=[course.slug, quiz.lesson.slug]) + "#checkpoint"


# A column Descent makes ----------------------------------------------------------------


def test_a_link_without_a_column_gets_one_made_once_and_found_again(
    platform, linked, course, queued
):
    first = launch(platform, exercise_url(course), claim=platform.ags_claim(None))
    link = LineItemLink.objects.get()
    assert link.url is None
    assert link.container_url == f"{platform.base}/lineitems"
    graded(first, course, score=0.8)
    assert passback.push(queued.pop()) == "sent"
    [made] = platform.line_items
    assert made["resourceId"] == "exercise:double"
    assert made["resourceLinkId"] == "link-7"
    assert made["scoreMaximum"] == 5.0
    assert made["label"] == course.exercises.get(slug="double").title
    link.refresh_from_db()
    assert link.url == made["id"]
    [score] = platform.scores
    assert score["lineitem"] == "/lineitems/made-1"
    assert score["scoreGiven"] == 4.0
    # A second student through the same link: the same column, no second one made.
    second = launch(platform, exercise_url(course), sub="student-2", claim=platform.ags_claim(None))
    assert LineItemLink.objects.count() == 1
    graded(second, course, score=1.0)
    assert passback.push(queued.pop()) == "sent"
    assert len(platform.line_items) == 1
    assert [s["userId"] for s in platform.scores] == ["student-1", "student-2"]


def test_a_column_made_whose_answer_was_lost_is_found_not_made_again(
    platform, linked, course, queued
):
    user = launch(platform, exercise_url(course), claim=platform.ags_claim(None))
    # The LMS made it, but Descent never learnt its address (the answer was lost), and
    # other links' columns come first in the container, over more than one page.
    platform.line_items += [
        {"id": f"{platform.base}/lineitems/other-{n}", "label": "Other", "scoreMaximum": 1,
         "resourceLinkId": "link-7", "resourceId": f"exercise:other-{n}"}
        for n in range(3)
    ]  # fmt: skip
    platform.line_items.append(
        {"id": f"{platform.base}/lineitems/lost", "label": "Double", "scoreMaximum": 5,
         "resourceLinkId": "link-7", "resourceId": "exercise:double"}
    )  # fmt: skip
    graded(user, course)
    assert passback.push(queued.pop()) == "sent"
    assert len(platform.line_items) == 4
    assert LineItemLink.objects.get().url == f"{platform.base}/lineitems/lost"
    assert platform.scores[0]["lineitem"] == "/lineitems/lost"


def test_no_column_is_made_without_the_lineitem_scope(platform, linked, course, queued):
    claim = platform.ags_claim(None)
    claim["scope"] = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    launch(platform, exercise_url(course), claim=claim)
    assert not LineItemLink.objects.exists()


def test_making_a_column_while_the_lms_is_down_is_retried(platform, linked, course, queued):
    user = launch(platform, exercise_url(course), claim=platform.ags_claim(None))
    graded(user, course)
    [sync_id] = queued
    platform.down = True
    assert passback.push(sync_id) == "retry"
    assert platform.line_items == []
    assert LineItemLink.objects.get().url is None
    platform.down = False
    assert passback.push(sync_id) == "sent"
    assert len(platform.line_items) == 1
    assert len(platform.scores) == 1


# Checkpoints ------------------------------------------------------------------------------


def test_a_checkpoint_attempt_arrives_out_of_100(platform, linked, course, queued):
    user = launch(platform, checkpoint_url(course), claim=platform.ags_claim("quiz-1"))
    link = LineItemLink.objects.get()
    quiz = Quiz.objects.get(lesson__course=course)
    assert (link.quiz, link.exercise) == (quiz, None)
    progress, _ = LessonProgress.objects.get_or_create(user=user, lesson=quiz.lesson)
    # The real path: the attempt's own signal asks for the send, after the commit.
    attempt = quiz_attempt_submit(user=user, quiz=quiz, answers={}, token=progress.quiz_token)
    [sync_id] = queued
    assert passback.push(sync_id) == "sent"
    [score] = platform.scores
    assert score["lineitem"] == "/lineitems/quiz-1"
    assert score["scoreMaximum"] == 100.0
    assert score["scoreGiven"] == pytest.approx(100 * attempt.score)


def test_a_lesson_link_without_the_checkpoint_sends_nothing(platform, linked, course, queued):
    quiz = Quiz.objects.get(lesson__course=course)
    target = reverse("courses:lesson", args=[course.slug, quiz.lesson.slug])
    launch(platform, target, claim=platform.ags_claim("reading-1"))
    assert not LineItemLink.objects.exists()


# The cohort's LMS page, per item ----------------------------------------------------------


def test_the_lms_page_counts_per_item_and_resends_one_item(platform, linked, course, queued):
    first = launch(platform, exercise_url(course), claim=platform.ags_claim("1"))
    second = launch(platform, exercise_url(course), sub="student-2", claim=platform.ags_claim("1"))
    launch(platform, checkpoint_url(course), sub="student-2", claim=platform.ags_claim("quiz-1"))
    graded(first, course)
    graded(second, course)
    assert passback.push(queued.pop(0)) == "sent"  # the first student's score went
    staff = Client()
    staff.force_login(linked.memberships.get(role="instructor").user)
    page = staff.get(reverse("lti:cohort", args=[linked.uuid])).content.decode()
    assert "Checkpoint" in page
    row = page[page.index(course.exercises.get(slug="double").title) :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[1:5]]
    assert cells == ["1", "1", "1", "0"]  # one column, 1 up to date, 1 on the way, 0 failing
    response = staff.post(
        reverse("lti:grades_push", args=[linked.uuid]), {"item": "exercise:double"}
    )
    assert response.status_code == 302
    assert ScoreSync.objects.filter(link__exercise__slug="double").count() == 2
    assert len(queued) == 3  # the one still waiting, and both sent again
    message = staff.get(reverse("lti:cohort", args=[linked.uuid])).content.decode()
    assert "2 scores for" in message
    refused = staff.post(reverse("lti:grades_push", args=[linked.uuid]), {"item": "quiz:nope"})
    assert refused.status_code == 302
    assert "has no gradebook column" in staff.get(refused["Location"]).content.decode()
    assert len(queued) == 3


# Where the tool's calls may go ------------------------------------------------------------


def test_a_launch_cannot_aim_the_worker_at_this_network(platform, linked, course, queued):
    claim = platform.ags_claim("1")
    claim["lineitem"] = "http://10.0.0.7/lineitems/1"  # not the LMS's host, not public
    user = launch(platform, exercise_url(course), claim=claim)
    graded(user, course)
    assert passback.push(queued.pop()) == "retry"
    error = ScoreSync.objects.get().last_error
    assert "10.0.0.7 is neither this LMS's host nor a public address" in error
    assert platform.scores == []


def test_a_host_an_administrator_allows_may_be_called(platform, linked, course, queued, settings):
    claim = platform.ags_claim("1")
    claim["lineitem"] = claim["lineitem"].replace("127.0.0.1", "localhost")
    user = launch(platform, exercise_url(course), claim=claim)
    graded(user, course)
    assert passback.push(queued.pop()) == "retry"
    settings.LTI_SERVICE_HOSTS = ["localhost"]
    ScoreSync.objects.update(next_attempt_at=None)
    assert passback.push(ScoreSync.objects.get().pk) == "sent"
    assert len(platform.scores) == 1


@pytest.mark.parametrize(
    ("host", "trusted", "allowed"),
    [
        ("127.0.0.1", set(), False),
        ("localhost", set(), False),
        ("169.254.169.254", set(), False),  # a cloud's metadata service
        ("10.1.2.3", {"10.1.2.3"}, True),
        ("8.8.8.8", set(), True),
        ("[::1]", set(), False),
        ("no-such-host.invalid", set(), False),
    ],
)
def test_which_hosts_the_tool_calls(host, trusted, allowed):
    assert config._host_allowed(host.strip("[]"), frozenset(trusted)) is allowed


def test_an_answer_too_large_is_not_read_whole(platform, linked, course, queued, monkeypatch):
    user = launch(platform, exercise_url(course), claim=platform.ags_claim(None))
    platform.line_items += [
        {"id": f"{platform.base}/lineitems/x{n}", "label": "x" * 200, "scoreMaximum": 1,
         "resourceLinkId": "link-7"} for n in range(2)
    ]  # fmt: skip
    monkeypatch.setattr(config, "MAX_ANSWER_BYTES", 300)
    graded(user, course)
    assert passback.push(queued.pop()) == "retry"
    assert "is over 300 bytes" in ScoreSync.objects.get().last_error
    assert len(platform.line_items) == 2
