"""Feedback on code: comments anchored to a submission's lines, the student's replies,
score overrides with their audit trail, regrade review requests, and the notifications
they send (on the site, and by e-mail when mail is configured).

Who may do what is checked here, whatever page or script calls:

- comment: the staff of a cohort in which the submission's student takes its course
  (instructors, teaching assistants; site staff), or the student themself (a reply);
- override a score: that cohort's instructors and site staff, not its assistants;
- ask for a regrade review: the student, one open request per submission;
- resolve a request: that cohort's staff.

Someone else's submission is PermissionDenied; bad input is a ValueError whose message
says what to change. Every text is cleaned (sandbox.text) and bounded before it is stored:
a comment is shown to people, mailed to them and kept forever.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from courses.mail import mail_configured, one_line
from courses.models import Cohort, Membership
from courses.schedule import student_cohort, when, zone
from courses.selectors import late_note, results_withheld
from sandbox.text import clean_text

from .models import (
    COMMENT_MAX_CHARS,
    NOTIFICATION_MAX_CHARS,
    REASON_MAX_CHARS,
    REQUEST_MAX_CHARS,
    Notification,
    RegradeRequest,
    ScoreOverride,
    Submission,
    SubmissionComment,
)
from .signals import announce_score

log = logging.getLogger("descent.grading")

# A submission's comments are shown on one page and mailed one by one: these caps keep a
# runaway script (or a student replying in a loop) from filling the page and the inboxes.
COMMENTS_PER_SUBMISSION = 300
REPLIES_PER_SUBMISSION = 50
REQUESTS_PER_SUBMISSION = 5
# What an e-mail quotes of a comment; the page has the rest.
MAIL_QUOTE_CHARS = 1000


# Rules ----------------------------------------------------------------------------------


def _student_cohorts(submission: Submission):
    """The cohorts in which the submission's student takes the exercise's course (an
    archived student's work is still theirs to be commented on)."""
    return Cohort.objects.filter(
        course_id=submission.exercise.course_id,
        memberships__user_id=submission.student_id,
        memberships__role=Membership.Role.STUDENT,
    )


def may_assist(*, user, submission: Submission) -> bool:
    """Whether `user` is staff of the submission's student: may comment and resolve."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    cohorts = _student_cohorts(submission).values("pk")
    return Cohort.objects.assisted_by(user).filter(pk__in=cohorts).exists()


def may_override(*, user, submission: Submission) -> bool:
    """Whether `user` may change the submission's score: an instructor of the student's
    cohort, or site staff; never an assistant."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    cohorts = _student_cohorts(submission).values("pk")
    return Cohort.objects.managed_by(user).filter(pk__in=cohorts).exists()


def source_lines(source: str) -> list[str]:
    """The submission's lines as the pages number them: split at newlines only (not at
    the other separators str.splitlines knows), a final newline ending the last line."""
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _text(value, *, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    text = clean_text(value.replace("\r\n", "\n")).strip()
    if not text:
        raise ValueError(f"The {what} is empty: write something.")
    if len(text) > limit:
        raise ValueError(
            f"The {what} is {len(text):,} characters long; it can be at most {limit:,}."
        )
    return text


def line_check(line, submission: Submission) -> int | None:
    """The line, if it is one of the submission's (1-based); None stays None."""
    if line is None:
        return None
    if isinstance(line, bool) or not isinstance(line, int):
        raise ValueError("A line is a whole number, or none for the whole submission.")
    count = len(source_lines(submission.source))
    if not 1 <= line <= count:
        raise ValueError(
            f"Line {line} is not in this submission: it has {count} line{'' if count == 1 else 's'}."
        )
    return line


def _score(score) -> float:
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise ValueError("The score must be a number.")
    if not 0.0 <= score <= 1.0:
        raise ValueError("The score must be between 0% and 100%.")
    return float(score)


# Notifications --------------------------------------------------------------------------


def name_of(user) -> str:
    if user is None:
        return "someone"
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.get_username()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _send(messages: list[tuple[str, str, None, list[str]]]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception as exc:  # SMTP and socket errors alike: the notification stays
        log.error("event=feedback_mail_failed count=%d reason=%r", len(messages), exc)


def notify(*, users, text: str, url: str, subject: str, body: str, site_url: str = "") -> int:
    """A notification for each user and, when mail is configured, an e-mail to each that
    has an address, sent once the transaction commits (a rolled-back comment mails
    nobody). Returns the number of notifications."""
    users = list({user.pk: user for user in users}.values())
    if not users:
        return 0
    text = _clip(clean_text(text), NOTIFICATION_MAX_CHARS)
    Notification.objects.bulk_create(Notification(user=user, text=text, url=url) for user in users)
    if mail_configured():
        link = f"{site_url.rstrip('/')}{url}"
        message = f"{body}\n\n{link}\n" if url else f"{body}\n"
        subject = one_line(clean_text(subject))
        mails = [(subject, message, None, [user.email]) for user in users if user.email]
        if mails:
            transaction.on_commit(lambda: _send(mails))
    return len(users)


def exercise_page_url(submission: Submission, anchor: str = "feedback") -> str:
    """The student's exercise page showing this attempt, at its feedback."""
    exercise = submission.exercise
    page = reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])
    return f"{page}?submission={submission.uuid}#{anchor}"


def review_page_url(cohort: Cohort, submission: Submission) -> str:
    return reverse("teaching:review", args=[cohort.uuid, submission.uuid])


def _notify_staff(*, submission: Submission, author, text: str, body: str, site_url: str) -> int:
    """Every instructor and assistant of the student's cohorts on the course, each with a
    link to the review page of their own cohort."""
    memberships = (
        Membership.objects.filter(
            cohort__in=_student_cohorts(submission),
            role__in=[Membership.Role.INSTRUCTOR, Membership.Role.ASSISTANT],
            archived_at__isnull=True,
        )
        .exclude(user=author)
        .select_related("user", "cohort")
        .order_by("joined_at")
    )
    by_cohort: dict[int, tuple[Cohort, list]] = {}
    seen: set[int] = set()
    for membership in memberships:
        if membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        by_cohort.setdefault(membership.cohort_id, (membership.cohort, []))[1].append(
            membership.user
        )
    subject = f"Descent: {_clip(text, 150)}"
    return sum(
        notify(
            users=users,
            text=text,
            url=review_page_url(cohort, submission),
            subject=subject,
            body=body,
            site_url=site_url,
        )
        for cohort, users in by_cohort.values()
    )


def _notify_student(*, submission: Submission, text: str, body: str, site_url: str) -> int:
    return notify(
        users=[submission.student],
        text=text,
        url=exercise_page_url(submission),
        subject=f"Descent: {_clip(text, 150)}",
        body=body,
        site_url=site_url,
    )


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in _clip(text, MAIL_QUOTE_CHARS).split("\n"))


def _attempt_words(submission: Submission) -> str:
    return f"attempt {submission.attempt} at “{submission.exercise.title}”"


# Services -------------------------------------------------------------------------------


def comment_add(
    *,
    submission: Submission,
    author,
    body: str,
    line: int | None = None,
    reply_to: SubmissionComment | None = None,
    site_url: str = "",
) -> SubmissionComment:
    """A comment on one line of the submission (1-based) or, with no line, on the whole.
    By the cohort's staff it notifies the student; by the student (a reply) it notifies
    the cohort's staff. A reply to a comment sits on that comment's line."""
    is_reply = author.pk == submission.student_id
    if not is_reply and not may_assist(user=author, submission=submission):
        raise PermissionDenied("Only the student's instructors and assistants can comment.")
    body = _text(body, what="comment", limit=COMMENT_MAX_CHARS)
    if reply_to is not None:
        if reply_to.submission_id != submission.pk:
            raise ValueError("That comment is on another submission.")
        if line is not None and line != reply_to.line:
            raise ValueError("A reply goes on the line of the comment it answers.")
        line = reply_to.line
    line = line_check(line, submission)
    with transaction.atomic():
        # Counted under a lock on the submission, so simultaneous posts cannot pass the caps.
        Submission.objects.select_for_update().filter(pk=submission.pk).exists()
        existing = SubmissionComment.objects.filter(submission=submission)
        if existing.count() >= COMMENTS_PER_SUBMISSION:
            raise ValueError(
                f"This submission has {COMMENTS_PER_SUBMISSION} comments, the most it can have."
            )
        if is_reply and existing.filter(author=author).count() >= REPLIES_PER_SUBMISSION:
            raise ValueError(
                f"You have replied {REPLIES_PER_SUBMISSION} times on this attempt, the most "
                "there can be; ask for a regrade review if something is still wrong."
            )
        comment = SubmissionComment.objects.create(
            submission=submission, author=author, line=line, body=body, reply_to=reply_to
        )
        where = f"line {line} of " if line else ""
        if is_reply:
            text = f"{name_of(author)} replied on {where}{_attempt_words(submission)}."
            _notify_staff(
                submission=submission,
                author=author,
                text=text,
                body=f"{text}\n\n{_quoted(body)}",
                site_url=site_url,
            )
        else:
            text = f"{name_of(author)} commented on {where}your {_attempt_words(submission)}."
            _notify_student(
                submission=submission,
                text=text,
                body=f"{text}\n\n{_quoted(body)}\n\nRead it and reply on the exercise page:",
                site_url=site_url,
            )
    return comment


def score_override(
    *, submission: Submission, score: float, reason: str, by, site_url: str = ""
) -> ScoreOverride:
    """Replace the score the checks gave (0..1) with a reason. A new row every time: the
    latest stands (Submission.effective_score), the earlier ones are the audit trail.
    A late attempt's factor still applies to it, as to the graded score."""
    if not may_override(user=by, submission=submission):
        raise PermissionDenied("Only the cohort's instructors can change a score.")
    score = _score(score)
    reason = _text(reason, what="reason", limit=REASON_MAX_CHARS)
    if not submission.is_done:
        raise ValueError("Only a graded submission's score can be changed.")
    with transaction.atomic():
        override = ScoreOverride.objects.create(
            submission=submission, score=score, reason=reason, by=by
        )
        announce_score(student_id=submission.student_id, exercise_id=submission.exercise_id)
        text = f"{name_of(by)} changed the score of your {_attempt_words(submission)}."
        _notify_student(
            submission=submission,
            text=text,
            body=f"{text} The reason:\n\n{_quoted(reason)}",
            site_url=site_url,
        )
    return override


def review_request(
    *, submission: Submission, student, message: str, site_url: str = ""
) -> RegradeRequest:
    """A student asks the cohort's staff to review how a graded submission was graded;
    one open request per submission."""
    if student.pk != submission.student_id:
        raise PermissionDenied("Only the student who submitted it can ask for a review.")
    message = _text(message, what="message", limit=REQUEST_MAX_CHARS)
    if not submission.is_done:
        raise ValueError("Ask for a review once the attempt has its result.")
    if not _student_cohorts(submission).exists():
        raise ValueError("You are in no cohort of this course, so nobody can review it.")
    mine = RegradeRequest.objects.filter(submission=submission)
    if mine.filter(state=RegradeRequest.State.OPEN).exists():
        raise ValueError("You already asked for a review of this attempt; it is still open.")
    if mine.count() >= REQUESTS_PER_SUBMISSION:
        raise ValueError(
            f"You have asked for {REQUESTS_PER_SUBMISSION} reviews of this attempt, the most "
            "there can be."
        )
    try:
        with transaction.atomic():
            request = RegradeRequest.objects.create(
                submission=submission, student=student, message=message
            )
            text = f"{name_of(student)} asked for a regrade review of {_attempt_words(submission)}."
            _notify_staff(
                submission=submission,
                author=student,
                text=text,
                body=f"{text}\n\n{_quoted(message)}",
                site_url=site_url,
            )
    except IntegrityError:
        # The one-open-request constraint: a second tab asked at the same moment.
        raise ValueError(
            "You already asked for a review of this attempt; it is still open."
        ) from None
    return request


def review_resolve(*, regrade_request: RegradeRequest, by, site_url: str = "") -> RegradeRequest:
    """Close an open regrade request (after commenting or overriding the score, or
    deciding to change nothing) and tell the student."""
    submission = regrade_request.submission
    if not may_assist(user=by, submission=submission):
        raise PermissionDenied("Only the student's instructors and assistants can resolve it.")
    now = timezone.now()
    with transaction.atomic():
        changed = RegradeRequest.objects.filter(
            pk=regrade_request.pk, state=RegradeRequest.State.OPEN
        ).update(state=RegradeRequest.State.RESOLVED, resolved_by=by, resolved_at=now)
        if not changed:
            raise ValueError("This request was already resolved.")
        text = f"{name_of(by)} answered your regrade request for {_attempt_words(submission)}."
        _notify_student(
            submission=submission,
            text=text,
            body=f"{text} See the comments and the score on the exercise page:",
            site_url=site_url,
        )
    regrade_request.refresh_from_db()
    return regrade_request


def notifications_mark_read(*, user, uuid=None) -> int:
    """Mark one of the user's notifications read (by uuid), or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if uuid is not None:
        unread = unread.filter(uuid=uuid)
    return unread.update(read_at=timezone.now())


# Selectors ------------------------------------------------------------------------------


@dataclass
class CommentView:
    comment: SubmissionComment
    author_name: str
    is_reply: bool  # by the submission's student
    when: str


@dataclass
class Thread:
    """The comments on one line (or on the whole submission: line None), oldest first."""

    line: int | None
    code: str
    comments: list[CommentView] = field(default_factory=list)

    @property
    def last(self) -> SubmissionComment:
        return self.comments[-1].comment

    @property
    def last_reply(self) -> SubmissionComment | None:
        """The last comment when the student wrote it: what a comment from staff answers."""
        last = self.comments[-1]
        return last.comment if last.is_reply else None

    @property
    def anchor(self) -> str:
        return f"L{self.line}" if self.line else "whole"


@dataclass
class OverrideView:
    override: ScoreOverride
    score_percent: float | None  # None while the student's results are withheld
    by_name: str
    when: str


@dataclass
class RequestView:
    request: RegradeRequest
    when: str
    resolved_by_name: str
    resolved_when: str


@dataclass
class StudentFeedback:
    """What templates/grading/_feedback.html shows a student under one of their attempts."""

    submission: Submission
    threads: list[Thread]  # line threads in line order, then the whole-submission thread
    override: OverrideView | None
    requests: list[RequestView]  # newest first
    can_request: bool
    request_refusal: str  # why not, when the student cannot ask (shown instead of the form)
    reply_url: str
    request_url: str
    comment_max: int = COMMENT_MAX_CHARS
    request_max: int = REQUEST_MAX_CHARS

    @property
    def open_request(self) -> RequestView | None:
        return next((r for r in self.requests if r.request.is_open), None)

    @property
    def has_comments(self) -> bool:
        return bool(self.threads)


def _threads(submission: Submission, comments, tz) -> list[Thread]:
    lines = source_lines(submission.source)
    by_line: dict[int | None, Thread] = {}
    for comment in comments:
        number = comment.line if comment.line and comment.line <= len(lines) else None
        thread = by_line.get(number)
        if thread is None:
            code = lines[number - 1] if number else ""
            thread = by_line[number] = Thread(line=number, code=code)
        thread.comments.append(
            CommentView(
                comment=comment,
                author_name=name_of(comment.author),
                is_reply=comment.author_id == submission.student_id,
                when=when(comment.created_at, tz),
            )
        )
    return sorted(by_line.values(), key=lambda t: (t.line is None, t.line or 0))


def _comments(submission: Submission):
    return list(
        SubmissionComment.objects.filter(submission=submission)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def _request_views(submission: Submission, tz) -> list[RequestView]:
    requests = RegradeRequest.objects.filter(submission=submission).select_related("resolved_by")
    return [
        RequestView(
            request=r,
            when=when(r.created_at, tz),
            resolved_by_name=name_of(r.resolved_by) if r.resolved_at else "",
            resolved_when=when(r.resolved_at, tz),
        )
        for r in requests.order_by("-created_at")
    ]


def _cohort_zone(student, submission: Submission):
    cohort = student_cohort(user=student, course=submission.exercise.course)
    return zone(cohort.time_zone if cohort else "UTC")


def _request_refusal(submission: Submission, requests: list[RequestView]) -> str:
    """Why the student cannot ask for a review of this attempt now; empty when they can."""
    if not submission.is_done:
        return "You can ask for a review once this attempt has its result."
    if len(requests) >= REQUESTS_PER_SUBMISSION:
        return f"You have asked for {REQUESTS_PER_SUBMISSION} reviews of this attempt."
    if not _student_cohorts(submission).exists():
        return "Reviews are for students in a cohort of this course."
    return ""


def feedback_for(*, student, submission: Submission | None) -> StudentFeedback | None:
    """The feedback on one of the student's own submissions, for the exercise page; None
    for no submission or someone else's. While an exam-style schedule withholds the
    student's results, an override shows its reason but not its score."""
    if submission is None or student.pk != submission.student_id:
        return None
    tz = _cohort_zone(student, submission)
    latest = (
        ScoreOverride.objects.filter(submission=submission)
        .select_related("by")
        .order_by("-created_at", "-pk")
        .first()
    )
    override = None
    if latest is not None:
        withheld = results_withheld(
            viewer=student, student=student, exercise=submission.exercise, names=False
        )
        override = OverrideView(
            override=latest,
            score_percent=None if withheld else round(latest.score * 100, 1),
            by_name=name_of(latest.by),
            when=when(latest.created_at, tz),
        )
    requests = _request_views(submission, tz)
    is_open = any(r.request.is_open for r in requests)
    refusal = "" if is_open else _request_refusal(submission, requests)
    return StudentFeedback(
        submission=submission,
        threads=_threads(submission, _comments(submission), tz),
        override=override,
        requests=requests,
        can_request=not is_open and not refusal,
        request_refusal=refusal,
        reply_url=reverse("grading:feedback_reply", args=[submission.uuid]),
        request_url=reverse("grading:feedback_review", args=[submission.uuid]),
    )


def _cohort_student_ids(cohort: Cohort):
    return Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values("user_id")


def review_submission_get(*, cohort: Cohort, uuid) -> Submission:
    """A submission of one of the cohort's students on the cohort's course, else 404."""
    return get_object_or_404(
        Submission.objects.with_override().select_related("exercise__course", "student"),
        uuid=uuid,
        exercise__course_id=cohort.course_id,
        student_id__in=_cohort_student_ids(cohort),
    )


@dataclass
class CodeLine:
    number: int
    text: str
    thread: Thread | None


@dataclass
class SubmissionReview:
    """What the staff's review page shows of one submission."""

    cohort: Cohort
    submission: Submission
    student_name: str
    lines: list[CodeLine]
    whole: Thread | None  # comments on the whole submission
    overrides: list[OverrideView]  # newest first: the audit trail
    requests: list[RequestView]
    attempts: list[Submission]  # the student's attempts at the exercise, newest first
    submitted: str
    late_note: str
    may_override: bool
    comment_max: int = COMMENT_MAX_CHARS
    reason_max: int = REASON_MAX_CHARS

    @property
    def score_percent(self) -> float | None:
        score = self.submission.score
        return None if score is None else round(score * 100, 1)

    @property
    def effective_percent(self) -> float | None:
        score = self.submission.effective_score
        return None if score is None else round(score * 100, 1)

    @property
    def counted_percent(self) -> float | None:
        """What counts after a late attempt's penalty, when there is one."""
        score = self.submission.effective_score
        if score is None or self.submission.score_factor >= 1:
            return None
        return round(score * self.submission.score_factor * 100, 1)

    @property
    def open_request(self) -> RequestView | None:
        return next((r for r in self.requests if r.request.is_open), None)

    @property
    def comment_count(self) -> int:
        threads = [line.thread for line in self.lines if line.thread] + [self.whole]
        return sum(len(t.comments) for t in threads if t)


def submission_review(*, cohort: Cohort, submission: Submission, viewer) -> SubmissionReview:
    tz = zone(cohort.time_zone)
    threads = _threads(submission, _comments(submission), tz)
    by_line = {t.line: t for t in threads}
    overrides = [
        OverrideView(
            override=o,
            score_percent=round(o.score * 100, 1),
            by_name=name_of(o.by),
            when=when(o.created_at, tz),
        )
        for o in ScoreOverride.objects.filter(submission=submission)
        .select_related("by")
        .order_by("-created_at", "-pk")
    ]
    attempts = list(
        Submission.objects.filter(student_id=submission.student_id, exercise=submission.exercise)
        .only("uuid", "attempt", "state", "verdict", "score", "created_at")
        .order_by("-attempt")
    )
    return SubmissionReview(
        cohort=cohort,
        submission=submission,
        student_name=name_of(submission.student),
        lines=[
            CodeLine(number=n, text=text, thread=by_line.get(n))
            for n, text in enumerate(source_lines(submission.source), start=1)
        ],
        whole=by_line.get(None),
        overrides=overrides,
        requests=_request_views(submission, tz),
        attempts=attempts,
        submitted=when(submission.created_at, tz),
        late_note=late_note(late_by_s=submission.late_by_s, score_factor=submission.score_factor),
        may_override=cohort.can_manage(viewer),
    )


@dataclass
class QueueItem:
    submission: Submission
    student_name: str
    text: str  # the request's message or the reply's body
    when: str
    line: int | None = None
    anchor: str = ""


@dataclass
class ReviewQueue:
    requests: list[QueueItem]  # open regrade requests, oldest first
    replies: list[QueueItem]  # students' replies no staff comment followed, oldest first

    @property
    def empty(self) -> bool:
        return not self.requests and not self.replies


QUEUE_LIMIT = 200


def open_requests_count(*, cohort: Cohort) -> int:
    """Regrade review requests waiting for the cohort's staff (the count beside "Reviews")."""
    return RegradeRequest.objects.filter(
        state=RegradeRequest.State.OPEN,
        submission__exercise__course_id=cohort.course_id,
        submission__student_id__in=_cohort_student_ids(cohort),
    ).count()


def review_queue(*, cohort: Cohort) -> ReviewQueue:
    """What waits for the cohort's staff: open regrade requests, and replies by students
    on their submissions that no later comment by someone else answered (one per
    submission, its latest). Two queries."""
    tz = zone(cohort.time_zone)
    mine = {
        "submission__exercise__course_id": cohort.course_id,
        "submission__student_id__in": _cohort_student_ids(cohort),
    }
    requests = (
        RegradeRequest.objects.filter(state=RegradeRequest.State.OPEN, **mine)
        .select_related("submission__exercise", "student")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    answered = SubmissionComment.objects.filter(
        submission_id=OuterRef("submission_id"), created_at__gt=OuterRef("created_at")
    ).exclude(author_id=OuterRef("submission__student_id"))
    replies = (
        SubmissionComment.objects.filter(author_id=F("submission__student_id"), **mine)
        .filter(~Exists(answered))
        .select_related("submission__exercise", "author")
        .order_by("-created_at", "-pk")[: QUEUE_LIMIT * 5]
    )
    latest: dict[int, SubmissionComment] = {}
    for reply in replies:
        latest.setdefault(reply.submission_id, reply)
    return ReviewQueue(
        requests=[
            QueueItem(
                submission=r.submission,
                student_name=name_of(r.student),
                text=r.message,
                when=when(r.created_at, tz),
                anchor="requests",
            )
            for r in requests
        ],
        replies=[
            QueueItem(
                submission=c.submission,
                student_name=name_of(c.author),
                text=c.body,
                when=when(c.created_at, tz),
                line=c.line,
                anchor=f"c-{c.uuid}",
            )
            for c in sorted(latest.values(), key=lambda c: c.created_at)[:QUEUE_LIMIT]
        ],
    )


def notifications_for(*, user, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


def notifications_unread_count(*, user) -> int:
    """For the header's link; one query."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def comment_get(*, submission: Submission, uuid) -> SubmissionComment:
    """A comment on this submission, by its uuid, else 404."""
    return get_object_or_404(SubmissionComment, submission=submission, uuid=uuid)


def regrade_request_get(*, submission: Submission, uuid) -> RegradeRequest:
    return get_object_or_404(RegradeRequest, submission=submission, uuid=uuid)


def own_submission_get(*, user, uuid) -> Submission:
    """The user's own submission, else 404 (never a 403: that would confirm it exists)."""
    if not user.is_authenticated:
        raise Http404("No such submission.")
    return get_object_or_404(
        Submission.objects.select_related("exercise__course"), uuid=uuid, student=user
    )
