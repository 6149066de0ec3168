"""Feedback on code, the rules and the student's side (grading/feedback.py and
grading/views_feedback.py): who may comment and override, line anchoring, bounds on every
text, the audit trail and the score that stands, replies and regrade requests, the
notifications and e-mails they send, and the notifications page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from courses.models import Membership, ScheduleEntry
from courses.services import cohort_create, cohort_join
from grading import feedback
from grading.models import (
    Notification,
    RegradeRequest,
    ScoreOverride,
    Submission,
    SubmissionComment,
)
from tests.conftest import person

pytestmark = pytest.mark.django_db

SOURCE = "import numpy as np\n\ndef double(x):\n    return x + x  # <b>not bold</b>\n"


@pytest.fixture
def cohort(exercise, cohort_instructor, student, second_student):
    cohort = cohort_create(
        course=exercise.course, name="Tuesday group", created_by=cohort_instructor
    )
    cohort_join(cohort=cohort, user=student)
    cohort_join(cohort=cohort, user=second_student)
    return cohort


@pytest.fixture
def other_cohort(exercise, other_instructor):
    return cohort_create(course=exercise.course, name="Thursday group", created_by=other_instructor)


@pytest.fixture
def assistant(cohort):
    user = person("tara")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


@pytest.fixture
def submission(cohort, student, exercise, make_submission):
    return make_submission(student, exercise, source=SOURCE, score=0.4, verdict="failed")


def comment(submission, author, body="Look at this.", **fields):
    return feedback.comment_add(submission=submission, author=author, body=body, **fields)


# Who may comment ------------------------------------------------------------------------


def test_an_instructor_comments_on_a_line_and_the_student_is_notified(
    submission, cohort_instructor, student
):
    made = comment(submission, cohort_instructor, "Why add x to itself?", line=4)
    assert (made.line, made.body, made.is_reply) == (4, "Why add x to itself?", False)
    note = Notification.objects.get(user=student)
    assert "commented on line 4 of your attempt 1" in note.text
    assert note.url == feedback.exercise_page_url(submission)
    assert f"?submission={submission.uuid}#feedback" in note.url


def test_an_assistant_can_comment(submission, assistant):
    assert comment(submission, assistant, line=None).line is None


def test_an_instructor_of_another_cohort_cannot_comment(submission, other_cohort, other_instructor):
    with pytest.raises(PermissionDenied):
        comment(submission, other_instructor)
    assert not SubmissionComment.objects.exists()


def test_another_student_cannot_comment(submission, second_student):
    with pytest.raises(PermissionDenied):
        comment(submission, second_student)


def test_site_staff_may_comment(submission, instructor):
    assert comment(submission, instructor).author == instructor


# Lines and bounds -----------------------------------------------------------------------


@pytest.mark.parametrize("line", [0, 5, 10_000, -1])
def test_a_line_outside_the_source_is_refused(submission, cohort_instructor, line):
    with pytest.raises(ValueError, match="not in this submission: it has 4 lines"):
        comment(submission, cohort_instructor, line=line)


@pytest.mark.parametrize("line", [True, "2", 2.0])
def test_a_line_must_be_a_whole_number(submission, cohort_instructor, line):
    with pytest.raises(ValueError, match="whole number"):
        comment(submission, cohort_instructor, line=line)


def test_the_last_line_without_a_final_newline_counts(cohort, student, exercise, make_submission):
    sub = make_submission(student, exercise, source="a = 1\nb = 2")
    assert feedback.line_check(2, sub) == 2
    with pytest.raises(ValueError, match="it has 2 lines"):
        feedback.line_check(3, sub)


def test_a_comment_over_5000_characters_is_refused(submission, cohort_instructor):
    assert comment(submission, cohort_instructor, "x" * 5000).body == "x" * 5000
    with pytest.raises(ValueError, match="5,001 characters long; it can be at most 5,000"):
        comment(submission, cohort_instructor, "x" * 5001)


@pytest.mark.parametrize("body", ["", "   \n ", None, 42])
def test_an_empty_or_non_text_comment_is_refused(submission, cohort_instructor, body):
    with pytest.raises(ValueError, match="comment"):
        comment(submission, cohort_instructor, body)


def test_control_characters_are_cleaned_before_storing(submission, cohort_instructor):
    made = comment(submission, cohort_instructor, "a\x00b\r\nc\td")
    assert made.body == "a\ufffdb\nc\td"


def test_a_notification_is_at_most_300_characters(submission, exercise, cohort_instructor):
    exercise.title = "T" * 200
    exercise.save()
    cohort_instructor.first_name = "G" * 150
    cohort_instructor.save()
    comment(Submission.objects.get(pk=submission.pk), cohort_instructor)
    assert len(Notification.objects.get().text) == 300


# Replies --------------------------------------------------------------------------------


def test_a_reply_sits_on_the_line_it_answers_and_notifies_the_cohort_staff(
    submission, cohort, cohort_instructor, assistant, student, other_cohort, other_instructor
):
    first = comment(submission, cohort_instructor, line=3)
    reply = comment(submission, student, "I thought it was the same.", reply_to=first)
    assert (reply.line, reply.reply_to, reply.is_reply) == (3, first, True)
    notified = set(
        Notification.objects.filter(text__contains="replied").values_list("user", flat=True)
    )
    assert notified == {cohort_instructor.pk, assistant.pk}
    url = Notification.objects.get(user=assistant, text__contains="replied").url
    assert url == reverse("teaching:review", args=[cohort.uuid, submission.uuid])


def test_a_reply_to_a_comment_on_another_submission_is_refused(
    submission, cohort_instructor, student, exercise, make_submission
):
    elsewhere = make_submission(student, exercise, source="x = 1\n")
    first = comment(elsewhere, cohort_instructor)
    with pytest.raises(ValueError, match="another submission"):
        comment(submission, student, reply_to=first)


def test_a_student_has_a_bounded_number_of_replies(submission, student, monkeypatch):
    monkeypatch.setattr(feedback, "REPLIES_PER_SUBMISSION", 2)
    comment(submission, student)
    comment(submission, student)
    with pytest.raises(ValueError, match="replied 2 times"):
        comment(submission, student)


# E-mail ---------------------------------------------------------------------------------


def test_the_student_gets_an_email_about_a_comment(
    submission, cohort_instructor, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        feedback.comment_add(
            submission=submission,
            author=cohort_instructor,
            body="Use 2 * x.",
            line=4,
            site_url="https://descent.example/",
        )
    (message,) = mail.outbox
    assert message.to == [student.email]
    assert "commented on line 4" in message.subject
    assert "> Use 2 * x." in message.body
    assert f"https://descent.example{feedback.exercise_page_url(submission)}" in message.body


def test_a_newline_in_a_name_does_not_break_the_subject(
    submission, cohort_instructor, django_capture_on_commit_callbacks
):
    cohort_instructor.first_name = "Grace\nBcc: everyone@example.org"
    cohort_instructor.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment(submission, cohort_instructor)
    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert message.subject.startswith("Descent: Grace Bcc: everyone@example.org")


def test_no_email_with_the_dummy_backend_but_the_notification_stays(
    submission, cohort_instructor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        comment(submission, cohort_instructor)
    assert mail.outbox == []
    assert Notification.objects.count() == 1


def test_a_mail_failure_does_not_lose_the_comment(
    submission, cohort_instructor, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(feedback, "send_mass_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        comment(submission, cohort_instructor)
    assert SubmissionComment.objects.count() == 1


def test_a_review_request_emails_the_cohort_staff(
    submission, student, cohort_instructor, assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        feedback.review_request(submission=submission, student=student, message="Check 2 is wrong")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cohort_instructor.email, assistant.email]
    )
    assert all("regrade review" in m.subject for m in mail.outbox)


# Score overrides ------------------------------------------------------------------------


def test_every_override_is_kept_and_the_latest_stands(submission, cohort_instructor, student):
    assert submission.effective_score == 0.4
    feedback.score_override(
        submission=submission, score=0.8, reason="Check 2 was wrong", by=cohort_instructor
    )
    feedback.score_override(
        submission=submission, score=0.7, reason="On second thought", by=cohort_instructor
    )
    trail = list(ScoreOverride.objects.filter(submission=submission).values_list("score", "reason"))
    assert trail == [(0.7, "On second thought"), (0.8, "Check 2 was wrong")]
    fresh = Submission.objects.get(pk=submission.pk)
    assert (fresh.score, fresh.effective_score) == (0.4, 0.7)
    annotated = Submission.objects.with_override().get(pk=submission.pk)
    assert annotated.effective_score == 0.7
    assert (
        Notification.objects.filter(user=student, text__contains="changed the score").count() == 2
    )


def test_without_an_override_the_graded_score_stands(submission):
    assert Submission.objects.with_override().get(pk=submission.pk).effective_score == 0.4


def test_an_assistant_cannot_override(submission, assistant):
    with pytest.raises(PermissionDenied):
        feedback.score_override(submission=submission, score=1.0, reason="r", by=assistant)
    assert not ScoreOverride.objects.exists()


def test_an_instructor_of_another_cohort_cannot_override(
    submission, other_cohort, other_instructor
):
    with pytest.raises(PermissionDenied):
        feedback.score_override(submission=submission, score=1.0, reason="r", by=other_instructor)


def test_the_student_cannot_override_their_own_score(submission, student):
    with pytest.raises(PermissionDenied):
        feedback.score_override(submission=submission, score=1.0, reason="r", by=student)


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        (1.5, "r", "between 0% and 100%"),
        (-0.1, "r", "between 0% and 100%"),
        (float("nan"), "r", "must be a number"),
        ("1", "r", "must be a number"),
        (0.5, "", "reason is empty"),
        (0.5, "r" * 1001, "at most 1,000"),
    ],
)
def test_an_override_needs_a_score_from_0_to_1_and_a_reason(
    submission, cohort_instructor, score, reason, message
):
    with pytest.raises(ValueError, match=message):
        feedback.score_override(
            submission=submission, score=score, reason=reason, by=cohort_instructor
        )


def test_an_ungraded_submission_cannot_be_overridden(
    cohort, student, exercise, make_submission, cohort_instructor
):
    queued = make_submission(student, exercise, source="y = 1\n", state=Submission.State.QUEUED)
    with pytest.raises(ValueError, match="graded"):
        feedback.score_override(submission=queued, score=1.0, reason="r", by=cohort_instructor)


# Regrade requests -----------------------------------------------------------------------


def test_one_open_request_per_submission(submission, student, cohort_instructor):
    first = feedback.review_request(submission=submission, student=student, message="Please look")
    with pytest.raises(ValueError, match="still open"):
        feedback.review_request(submission=submission, student=student, message="Again")
    feedback.review_resolve(regrade_request=first, by=cohort_instructor)
    first.refresh_from_db()
    assert (first.state, first.resolved_by, first.resolved_at is not None) == (
        "resolved",
        cohort_instructor,
        True,
    )
    again = feedback.review_request(submission=submission, student=student, message="Still wrong")
    assert again.is_open


def test_resolving_twice_is_refused(submission, student, assistant):
    request = feedback.review_request(submission=submission, student=student, message="m")
    feedback.review_resolve(regrade_request=request, by=assistant)
    with pytest.raises(ValueError, match="already resolved"):
        feedback.review_resolve(regrade_request=request, by=assistant)


def test_only_the_cohort_staff_resolve(submission, student, other_cohort, other_instructor):
    request = feedback.review_request(submission=submission, student=student, message="m")
    for outsider in (other_instructor, student):
        with pytest.raises(PermissionDenied):
            feedback.review_resolve(regrade_request=request, by=outsider)


def test_only_the_student_asks_for_a_review(submission, second_student):
    with pytest.raises(PermissionDenied):
        feedback.review_request(submission=submission, student=second_student, message="m")


def test_a_request_message_is_bounded(submission, student):
    with pytest.raises(ValueError, match="at most 2,000"):
        feedback.review_request(submission=submission, student=student, message="m" * 2001)
    with pytest.raises(ValueError, match="empty"):
        feedback.review_request(submission=submission, student=student, message=" ")


def test_a_student_in_no_cohort_cannot_ask(exercise, make_submission):
    loner = person("lone")
    sub = make_submission(loner, exercise)
    with pytest.raises(ValueError, match="no cohort"):
        feedback.review_request(submission=sub, student=loner, message="m")


# What the student sees ------------------------------------------------------------------


def test_feedback_is_for_the_submissions_own_student_only(
    submission, cohort_instructor, second_student
):
    comment(submission, cohort_instructor)
    assert feedback.feedback_for(student=second_student, submission=submission) is None
    assert feedback.feedback_for(student=second_student, submission=None) is None


def test_feedback_groups_comments_by_line_then_the_whole(submission, cohort_instructor, student):
    whole = comment(submission, cohort_instructor, "Overall fine.")
    on_four = comment(submission, cohort_instructor, "Here.", line=4)
    reply = comment(submission, student, "Thanks", reply_to=on_four)
    seen = feedback.feedback_for(student=student, submission=submission)
    assert [(t.line, [c.comment for c in t.comments]) for t in seen.threads] == [
        (4, [on_four, reply]),
        (None, [whole]),
    ]
    assert seen.threads[0].code == "    return x + x  # <b>not bold</b>"
    assert seen.can_request


def test_the_partial_shows_comments_escaped_with_their_line(submission, cohort_instructor, student):
    comment(submission, cohort_instructor, "Try <em>2 * x</em>", line=4)
    feedback.score_override(
        submission=submission, score=0.9, reason="Close enough", by=cohort_instructor
    )
    request = RequestFactory().get("/")
    request.user = student
    html = render_to_string(
        "grading/_feedback.html",
        {"feedback": feedback.feedback_for(student=student, submission=submission)},
        request=request,
    )
    assert "Try &lt;em&gt;2 * x&lt;/em&gt;" in html
    assert "# &lt;b&gt;not bold&lt;/b&gt;" in html
    assert "Line 4" in html
    assert "changed the score of this attempt to 90%" in html
    assert "Close enough" in html
    assert 'name="reply_to"' in html
    assert "Ask for a regrade review" in html


def test_the_partial_renders_nothing_without_feedback():
    assert render_to_string("grading/_feedback.html", {"feedback": None}).strip() == ""


def test_withheld_results_hide_the_overridden_score(
    submission, cohort, cohort_instructor, student, exercise
):
    ScheduleEntry.objects.create(
        cohort=cohort,
        kind="exercise",
        slug=exercise.slug,
        due_at=timezone.now() + timedelta(days=2),
        hide_scores=True,
    )
    feedback.score_override(
        submission=submission, score=0.9, reason="Reviewed", by=cohort_instructor
    )
    seen = feedback.feedback_for(student=student, submission=submission)
    assert seen.override.score_percent is None
    assert seen.override.override.reason == "Reviewed"


# The student's endpoints ----------------------------------------------------------------


def test_the_student_replies_from_the_exercise_page(client, submission, student, cohort_instructor):
    first = comment(submission, cohort_instructor, line=2)
    client.force_login(student)
    response = client.post(
        reverse("grading:feedback_reply", args=[submission.uuid]),
        {"body": "Done.", "reply_to": str(first.uuid)},
    )
    reply = SubmissionComment.objects.get(author=student)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?submission={submission.uuid}#c-{reply.uuid}")
    assert (reply.line, reply.reply_to) == (2, first)


def test_another_students_submission_is_a_404(client, submission, second_student):
    client.force_login(second_student)
    for name, data in (
        ("grading:feedback_reply", {"body": "x"}),
        ("grading:feedback_review", {"message": "x"}),
    ):
        response = client.post(reverse(name, args=[submission.uuid]), data)
        assert response.status_code == 404
    assert not SubmissionComment.objects.exists()
    assert not RegradeRequest.objects.exists()


def test_a_reply_to_a_comment_not_on_the_submission_is_a_404(client, submission, student):
    client.force_login(student)
    url = reverse("grading:feedback_reply", args=[submission.uuid])
    assert client.post(url, {"body": "x", "reply_to": "not-a-uuid"}).status_code == 404
    assert client.post(url, {"body": "x", "reply_to": str(submission.uuid)}).status_code == 404


def test_the_endpoints_take_posts_from_signed_in_users_only(client, submission, student):
    url = reverse("grading:feedback_review", args=[submission.uuid])
    assert client.post(url, {"message": "m"}).status_code == 302  # to the log-in page
    client.force_login(student)
    assert client.get(url).status_code == 405


def test_the_student_asks_for_a_review_once_from_the_page(client, submission, student):
    client.force_login(student)
    url = reverse("grading:feedback_review", args=[submission.uuid])
    client.post(url, {"message": "Check 2 is wrong"})
    response = client.post(url, {"message": "Again"}, follow=True)
    assert RegradeRequest.objects.filter(submission=submission).count() == 1
    assert "still open" in response.content.decode()


def test_an_over_long_reply_is_refused_with_a_message(
    client, submission, student, cohort_instructor
):
    comment(submission, cohort_instructor)
    client.force_login(student)
    response = client.post(
        reverse("grading:feedback_reply", args=[submission.uuid]), {"body": "x" * 5001}, follow=True
    )
    assert "at most 5,000" in response.content.decode()
    assert not SubmissionComment.objects.filter(author=student).exists()


# Notifications --------------------------------------------------------------------------


def test_the_notifications_page_lists_the_users_own(
    client, submission, cohort_instructor, student, second_student
):
    comment(submission, cohort_instructor, line=4)
    Notification.objects.create(user=second_student, text="Not for ada")
    client.force_login(student)
    response = client.get(reverse("grading:notifications"))
    page = response.content.decode()
    assert "commented on line 4" in page
    assert "Not for ada" not in page
    assert "1 unread" in page
    assert response["Cache-Control"] == "no-store"
    assert feedback.notifications_unread_count(user=student) == 1


def test_opening_a_notification_marks_it_read_and_follows_it(
    client, submission, cohort_instructor, student
):
    comment(submission, cohort_instructor)
    note = Notification.objects.get(user=student)
    client.force_login(student)
    response = client.post(reverse("grading:notification_open", args=[note.uuid]))
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.is_read


def test_a_notification_never_leads_off_the_site(client, student):
    note = Notification.objects.create(user=student, text="t", url="//evil.example/x")
    client.force_login(student)
    response = client.post(reverse("grading:notification_open", args=[note.uuid]))
    assert response["Location"] == reverse("grading:notifications")


def test_someone_elses_notification_is_a_404(client, student, second_student):
    note = Notification.objects.create(user=second_student, text="t", url="/")
    client.force_login(student)
    assert client.post(reverse("grading:notification_open", args=[note.uuid])).status_code == 404
    client.post(reverse("grading:notifications_read"), {"notification": str(note.uuid)})
    note.refresh_from_db()
    assert not note.is_read


def test_mark_one_or_all_read(client, student):
    one, two, three = (Notification.objects.create(user=student, text=str(i)) for i in range(3))
    client.force_login(student)
    client.post(reverse("grading:notifications_read"), {"notification": str(one.uuid)})
    assert feedback.notifications_unread_count(user=student) == 2
    client.post(reverse("grading:notifications_read"))
    assert feedback.notifications_unread_count(user=student) == 0
