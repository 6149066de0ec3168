"""Feedback on code, the staff's side: the review page of one submission (its numbered,
escaped lines, comments under them, the score and its audit trail, regrade requests),
posting comments and overrides from it, the queue of what waits for an answer, and who
gets which answer: the cohort's instructor everything, its assistant everything but the
score, another cohort's instructor and a student a 403, a submission outside the cohort a
404."""

import uuid

import pytest
from django.urls import reverse

from courses.models import Membership
from courses.services import cohort_join
from grading import feedback
from grading.models import Notification, ScoreOverride, SubmissionComment
from tests.conftest import person
from tests.teaching.conftest import submit

pytestmark = pytest.mark.django_db

SOURCE = "import numpy as np\n\ndef double(x):\n    return x if x < 0 else 2 * x  # <i>\n"


@pytest.fixture
def assistant(cohort):
    user = person("tara")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


@pytest.fixture
def submission(cohort, student, exercise):
    sub = submit(student, exercise, verdict="failed", score=0.5)
    sub.source = SOURCE
    sub.save(update_fields=["source"])
    return sub


def page_url(cohort, submission, **query):
    url = reverse("teaching:review", args=[cohort.uuid, submission.uuid])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_comment(client, cohort, submission, **data):
    url = reverse("teaching:review_comment", args=[cohort.uuid, submission.uuid])
    return client.post(url, data)


def post_override(client, cohort, submission, **data):
    url = reverse("teaching:review_override", args=[cohort.uuid, submission.uuid])
    return client.post(url, data)


# The page -------------------------------------------------------------------------------


def test_the_page_shows_numbered_escaped_lines_with_their_comments(
    instructor_client, cohort, submission, cohort_instructor
):
    feedback.comment_add(
        submission=submission, author=cohort_instructor, body="Negative x <too>", line=4
    )
    feedback.comment_add(submission=submission, author=cohort_instructor, body="Nearly there.")
    response = instructor_client.get(page_url(cohort, submission))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="L4"' in page
    assert 'href="?line=4#L4"' in page
    assert "2 * x  # &lt;i&gt;" in page
    assert "<i>" not in page.split('id="code"')[1]
    assert "Negative x &lt;too&gt;" in page
    # The line's comment sits right after its line, before the next section.
    assert page.index('id="L4"') < page.index("Negative x") < page.index('id="whole"')
    assert page.index('id="whole"') < page.index("Nearly there.")
    assert "Change the score" in page


def test_a_line_in_the_query_opens_the_form_under_that_line(instructor_client, cohort, submission):
    page = instructor_client.get(page_url(cohort, submission, line=3)).content.decode()
    assert 'id="line-comment"' in page
    assert '<input type="hidden" name="line" value="3">' in page
    assert page.index('id="L3"') < page.index('id="line-comment"') < page.index('id="L4"')


def test_a_line_outside_the_source_in_the_query_opens_no_form(
    instructor_client, cohort, submission
):
    for line in ("99", "0", "x", "-1"):
        page = instructor_client.get(page_url(cohort, submission, line=line)).content.decode()
        assert 'id="line-comment"' not in page


def test_the_page_needs_a_bounded_number_of_queries(
    instructor_client, cohort, submission, cohort_instructor, student, django_assert_max_num_queries
):
    for line in (1, 2, 3, 4, 4, None):
        feedback.comment_add(submission=submission, author=cohort_instructor, body="c", line=line)
        feedback.comment_add(submission=submission, author=student, body="r", line=line)
    with django_assert_max_num_queries(20):
        instructor_client.get(page_url(cohort, submission))


# Who gets what --------------------------------------------------------------------------


def test_an_assistant_comments_but_sees_no_override_form(client, cohort, submission, assistant):
    client.force_login(assistant)
    page = client.get(page_url(cohort, submission)).content.decode()
    assert "Change the score" not in page
    assert "Only the cohort's instructors can change a score." in page
    response = post_comment(client, cohort, submission, body="Good start", line="2")
    assert response.status_code == 302
    assert SubmissionComment.objects.get().author == assistant


def test_an_assistant_cannot_override_a_score(client, cohort, submission, assistant):
    client.force_login(assistant)
    response = post_override(client, cohort, submission, score="100", reason="Fine")
    assert response.status_code == 403
    assert not ScoreOverride.objects.exists()


def test_an_instructor_of_another_cohort_gets_a_403(
    client, cohort, other_cohort, submission, other_instructor
):
    client.force_login(other_instructor)
    assert client.get(page_url(cohort, submission)).status_code == 403
    assert post_comment(client, cohort, submission, body="x").status_code == 403
    assert post_override(client, cohort, submission, score="1", reason="r").status_code == 403
    assert client.get(reverse("teaching:review_queue", args=[cohort.uuid])).status_code == 403
    assert not SubmissionComment.objects.exists()


def test_through_their_own_cohort_another_instructor_gets_a_404(
    client, other_cohort, submission, other_instructor
):
    client.force_login(other_instructor)
    assert client.get(page_url(other_cohort, submission)).status_code == 404
    assert post_comment(client, other_cohort, submission, body="x").status_code == 404


def test_a_student_gets_a_403(client, cohort, submission, student):
    client.force_login(student)
    assert client.get(page_url(cohort, submission)).status_code == 403
    assert post_comment(client, cohort, submission, body="x").status_code == 403


def test_a_submission_of_someone_outside_the_cohort_is_a_404(
    instructor_client, cohort, other_cohort, exercise
):
    outsider = person("olga")
    cohort_join(cohort=other_cohort, user=outsider)
    theirs = submit(outsider, exercise)
    assert instructor_client.get(page_url(cohort, theirs)).status_code == 404


def test_an_unknown_submission_is_a_404(instructor_client, cohort):
    url = reverse("teaching:review", args=[cohort.uuid, uuid.uuid4()])
    assert instructor_client.get(url).status_code == 404


# Comments from the page -----------------------------------------------------------------


def test_a_comment_on_a_line_lands_under_it_and_notifies_the_student(
    instructor_client, cohort, submission, student
):
    response = post_comment(instructor_client, cohort, submission, body="Why x < 0?", line="4")
    made = SubmissionComment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(cohort, submission) + f"#c-{made.uuid}"
    assert made.line == 4
    assert Notification.objects.filter(user=student, text__contains="line 4").exists()


def test_a_comment_on_a_line_beyond_the_source_is_refused_and_the_text_kept(
    instructor_client, cohort, submission
):
    response = post_comment(instructor_client, cohort, submission, body="Keep this text", line="5")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 5 is not in this submission: it has 4 lines." in page
    assert "Keep this text</textarea>" in page
    assert not SubmissionComment.objects.exists()


def test_an_over_long_comment_is_refused(instructor_client, cohort, submission):
    response = post_comment(instructor_client, cohort, submission, body="x" * 5001, line="2")
    assert response.status_code == 400
    assert "at most 5,000" in response.content.decode()


def test_a_staff_answer_to_a_reply_takes_its_line(
    instructor_client, cohort, submission, cohort_instructor, student
):
    first = feedback.comment_add(submission=submission, author=cohort_instructor, body="a", line=3)
    reply = feedback.comment_add(submission=submission, author=student, body="b", reply_to=first)
    post_comment(instructor_client, cohort, submission, body="c", reply_to=str(reply.uuid))
    answer = SubmissionComment.objects.get(body="c")
    assert (answer.line, answer.reply_to) == (3, reply)


# Overrides from the page ----------------------------------------------------------------


def test_overrides_show_as_an_audit_trail_newest_first(instructor_client, cohort, submission):
    post_override(instructor_client, cohort, submission, score="80", reason="Check 2 was wrong")
    response = post_override(instructor_client, cohort, submission, score="75.5", reason="Rounded")
    assert response["Location"].endswith("#score")
    page = instructor_client.get(page_url(cohort, submission)).content.decode()
    assert page.index("Rounded") < page.index("Check 2 was wrong")
    assert "score that stands 75.5%" in page
    assert ScoreOverride.objects.count() == 2
    submission.refresh_from_db()
    assert submission.score == 0.5
    assert submission.effective_score == pytest.approx(0.755)


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("101", "r", "from 0 to 100"),
        ("abc", "r", "from 0 to 100"),
        ("nan", "r", "from 0 to 100"),
        ("50", "", "reason is empty"),
    ],
)
def test_a_bad_override_is_refused_and_the_form_kept(
    instructor_client, cohort, submission, score, reason, message
):
    response = post_override(instructor_client, cohort, submission, score=score, reason=reason)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScoreOverride.objects.exists()


# The queue ------------------------------------------------------------------------------


def test_requests_and_unanswered_replies_land_in_the_queue(
    instructor_client, cohort, submission, cohort_instructor, student
):
    first = feedback.comment_add(submission=submission, author=cohort_instructor, body="a", line=2)
    feedback.comment_add(submission=submission, author=student, body="My reply", reply_to=first)
    request = feedback.review_request(submission=submission, student=student, message="Check 3?")
    queue_url = reverse("teaching:review_queue", args=[cohort.uuid])
    page = instructor_client.get(queue_url).content.decode()
    assert "Check 3?" in page
    assert "My reply" in page
    assert page_url(cohort, submission) + "#requests" in page

    post_comment(instructor_client, cohort, submission, body="Answered", line="2")
    instructor_client.post(
        reverse("teaching:review_resolve", args=[cohort.uuid, submission.uuid, request.uuid])
    )
    page = instructor_client.get(queue_url).content.decode()
    assert "Check 3?" not in page
    assert "My reply" not in page
    assert "No open requests." in page
    request.refresh_from_db()
    assert request.state == "resolved"
    assert Notification.objects.filter(user=student, text__contains="answered").exists()


def test_a_later_reply_comes_back_to_the_queue(cohort, submission, cohort_instructor, student):
    feedback.comment_add(submission=submission, author=cohort_instructor, body="a")
    feedback.comment_add(submission=submission, author=student, body="r1")
    feedback.comment_add(submission=submission, author=cohort_instructor, body="b")
    assert feedback.review_queue(cohort=cohort).replies == []
    feedback.comment_add(submission=submission, author=student, body="r2")
    (item,) = feedback.review_queue(cohort=cohort).replies
    assert item.text == "r2"


def test_the_queue_leaves_out_other_cohorts(cohort, other_cohort, exercise, other_instructor):
    outsider = person("olga")
    cohort_join(cohort=other_cohort, user=outsider)
    theirs = submit(outsider, exercise)
    feedback.review_request(submission=theirs, student=outsider, message="Elsewhere")
    assert feedback.review_queue(cohort=cohort).empty
    assert len(feedback.review_queue(cohort=other_cohort).requests) == 1


def test_an_assistant_sees_the_queue_and_resolves(client, cohort, submission, student, assistant):
    request = feedback.review_request(submission=submission, student=student, message="m")
    client.force_login(assistant)
    assert client.get(reverse("teaching:review_queue", args=[cohort.uuid])).status_code == 200
    client.post(
        reverse("teaching:review_resolve", args=[cohort.uuid, submission.uuid, request.uuid])
    )
    request.refresh_from_db()
    assert request.resolved_by == assistant


def test_the_instructors_exercise_page_links_to_the_review_page(
    instructor_client, cohort, submission, exercise
):
    page = instructor_client.get(
        reverse("teaching:exercise", args=[cohort.uuid, exercise.slug])
    ).content.decode()
    assert page_url(cohort, submission) in page
