"""Announcements: what a cohort's instructors tell its students.

An instructor posts one (a title and a Markdown body) to a cohort. Every student of the
cohort sees it at the top of the course home until they dismiss it; when the instructor
asks, it is also e-mailed to the students who have an address, by a background task
(``courses.mail_announcement``, on the queue for an instructor's background work) so a
cohort of hundreds never holds up the request. Assistants read the list; only
instructors (and site staff) post and withdraw.

Bad input is a ValueError whose message says what to change; someone who may not act is
PermissionDenied. Texts are cleaned and bounded before they are stored: they are shown on
every student's course home and mailed.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from celery import current_app
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sandbox.text import clean_text

from .mail import mail_configured, one_line
from .models import (
    ANNOUNCEMENT_BODY_MAX_CHARS,
    ANNOUNCEMENT_TITLE_MAX_CHARS,
    Announcement,
    AnnouncementDelivery,
    AnnouncementDismissal,
    Cohort,
    Membership,
)
from .rendering import render_markdown

log = logging.getLogger("descent.courses")

MAIL_TASK = "courses.mail_announcement"
# A student's course home shows at most this many (the newest); older ones wait there.
SHOWN_ON_HOME = 5
# A runaway script posting in a loop fills neither the students' pages nor their inboxes.
PER_COHORT_PER_DAY = 20
# A mailing not finished after this long is a worker that died: another may take over.
CLAIM_FOR = timezone.timedelta(minutes=15)


def _text(value, *, what: str, limit: int) -> str:
    text = clean_text(str(value or "")).strip()
    if not text:
        raise ValueError(f"The {what} is empty: write something.")
    if len(text) > limit:
        raise ValueError(f"The {what} is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def students_to_mail(cohort: Cohort):
    """The addresses an announcement goes to: the cohort's current students who have one."""
    return (
        Membership.objects.filter(
            cohort=cohort,
            role=Membership.Role.STUDENT,
            archived_at__isnull=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )


def queue_mail(announcement: Announcement, *, site_url: str = "") -> bool:
    """Hand the e-mails to a worker. False (and a log line) when the broker will not take
    the message: the announcement is posted all the same and the page offers to retry."""
    try:
        current_app.send_task(MAIL_TASK, args=[announcement.pk, site_url], ignore_result=True)
    except Exception as exc:  # the broker's own errors vary by transport
        log.error("event=announcement_mail_not_queued id=%s reason=%r", announcement.pk, exc)
        return False
    return True


def announcement_post(*, cohort: Cohort, author, title, body, email: bool) -> Announcement:
    if not cohort.can_manage(author):
        raise PermissionDenied("Only this cohort's instructors post announcements.")
    title = _text(title, what="title", limit=ANNOUNCEMENT_TITLE_MAX_CHARS)
    body = _text(body, what="message", limit=ANNOUNCEMENT_BODY_MAX_CHARS)
    since = timezone.now() - timezone.timedelta(days=1)
    if cohort.announcements.filter(created_at__gte=since).count() >= PER_COHORT_PER_DAY:
        raise ValueError(
            f"This cohort has had {PER_COHORT_PER_DAY} announcements in the last day; "
            "edit the course or wait before posting another."
        )
    announcement = Announcement.objects.create(
        cohort=cohort,
        author=author,
        title=" ".join(title.split()),
        body=body,
        body_html=render_markdown(body).html,
        email_requested=bool(email) and mail_configured(),
    )
    return announcement


def announcement_mail_again(*, announcement: Announcement, by, site_url: str = "") -> bool:
    """Queue the e-mails of an announcement whose mailing never finished: they go to the
    students it has not reached yet."""
    if not announcement.cohort.can_manage(by):
        raise PermissionDenied("Only this cohort's instructors send announcements.")
    if not mail_configured():
        raise ValueError("This site sends no e-mail: no mail server is configured.")
    if announcement.emailed_at is not None:
        raise ValueError("This announcement has already been e-mailed.")
    Announcement.objects.filter(pk=announcement.pk).update(email_requested=True)
    return queue_mail(announcement, site_url=site_url)


def announcement_withdraw(*, announcement: Announcement, by) -> None:
    """Take an announcement down from every course home (its e-mails cannot be recalled)."""
    if not announcement.cohort.can_manage(by):
        raise PermissionDenied("Only this cohort's instructors withdraw announcements.")
    announcement.delete()


def announcement_dismiss(*, user, uuid) -> Announcement | None:
    """The student puts it away. None when it is not one of theirs (or no longer exists,
    or they were archived)."""
    announcement = (
        Announcement.objects.select_related("cohort__course")
        .filter(_current_student_of(user), uuid=uuid)
        .first()
    )
    if announcement is not None:
        AnnouncementDismissal.objects.get_or_create(announcement=announcement, user=user)
    return announcement


def _claim(announcement_id: int, now) -> bool:
    """One worker mails an announcement at a time. A claim older than CLAIM_FOR is a
    worker that died mid-way: the next message takes over (the deliveries say where)."""
    return bool(
        Announcement.objects.filter(
            Q(mail_started_at__isnull=True) | Q(mail_started_at__lt=now - CLAIM_FOR),
            pk=announcement_id,
            email_requested=True,
            emailed_at__isnull=True,
        ).update(mail_started_at=now, mail_problem="")
    )


def _mail_parts(announcement: Announcement, site_url: str) -> tuple[str, str]:
    cohort = announcement.cohort
    course_url = site_url.rstrip("/") + reverse("courses:course", args=[cohort.course.slug])
    author = announcement.author
    context = {
        "announcement": announcement,
        "cohort": cohort,
        "course": cohort.course,
        "author": (author.first_name or author.get_username()) if author else "",
        "link": course_url,
    }
    body = render_to_string("courses/announcement_email.txt", context)
    return one_line(f"[{cohort.name}] {announcement.title}"), body


def mail_announcement(announcement_id: int, site_url: str = "") -> int:
    """Mail an announcement to each current student of its cohort who has an address and
    has not had it yet. A refused address is skipped and named; any other failure (the
    server unreachable, a timeout) stops the mailing and releases the claim, so "Queue
    its e-mail again" carries on from there. Returns the e-mails sent by this call."""
    now = timezone.now()
    if not mail_configured() or not _claim(announcement_id, now):
        return 0
    announcement = Announcement.objects.select_related("cohort__course", "author").get(
        pk=announcement_id
    )
    subject, body = _mail_parts(announcement, site_url)
    reached = AnnouncementDelivery.objects.filter(announcement=announcement).values("user_id")
    students = [m.user for m in students_to_mail(announcement.cohort).exclude(user_id__in=reached)]
    sent, refused, stopped = 0, [], ""
    try:
        with mail.get_connection() as connection:
            for student in students:
                message = mail.EmailMessage(
                    subject=subject, body=body, to=[student.email], connection=connection
                )
                try:
                    connection.send_messages([message])
                except smtplib.SMTPRecipientsRefused:
                    refused.append(student.email)
                    continue
                AnnouncementDelivery.objects.get_or_create(announcement=announcement, user=student)
                sent += 1
    except Exception as exc:  # the server unreachable, a timeout, an SMTP error
        stopped = f"stopped after {sent} e-mail{'' if sent == 1 else 's'}: {exc}"
        log.error(
            "event=announcement_mail_failed id=%s sent=%d reason=%r", announcement_id, sent, exc
        )
    problem = stopped or (f"refused by the mail server: {', '.join(refused)}" if refused else "")
    Announcement.objects.filter(pk=announcement_id).update(
        emailed_count=AnnouncementDelivery.objects.filter(announcement_id=announcement_id).count(),
        mail_problem=one_line(problem, 500),
        # Finished, or released for a retry.
        emailed_at=None if stopped else timezone.now(),
        mail_started_at=None if stopped else now,
    )
    return sent


# What the pages show ------------------------------------------------------------------


def _current_student_of(user) -> Q:
    """Announcements of the cohorts where ``user`` is a current (not archived) student."""
    return Q(
        cohort__memberships__user=user,
        cohort__memberships__role=Membership.Role.STUDENT,
        cohort__memberships__archived_at__isnull=True,
    )


def announcements_for_student(*, user, course) -> list:
    """The newest announcements to the cohorts of this course where the user is a
    current student (an archived one is no longer told), not yet dismissed. One query."""
    if not user.is_authenticated:
        return []
    dismissed = AnnouncementDismissal.objects.filter(announcement=OuterRef("pk"), user=user)
    return list(
        Announcement.objects.filter(_current_student_of(user), cohort__course=course)
        .select_related("author")
        .annotate(dismissed=Exists(dismissed))
        .filter(dismissed=False)
        .order_by("-created_at", "-pk")[:SHOWN_ON_HOME]
    )


@dataclass(frozen=True)
class AnnouncementRow:
    announcement: Announcement
    dismissed: int
    students: int

    @property
    def mail_state(self) -> str:
        a = self.announcement
        count = f"{a.emailed_count} student{'' if a.emailed_count == 1 else 's'}"
        if not a.email_requested:
            return "not e-mailed"
        if a.emailed_at is not None:
            return f"e-mailed to {count}" + (f" ({a.mail_problem})" if a.mail_problem else "")
        if a.mail_problem:
            return f"e-mail {a.mail_problem}; sent to {count} so far"
        if a.mail_started_at is not None:
            return f"e-mail being sent ({count} so far)"
        return "e-mail waiting to be sent"

    @property
    def may_mail(self) -> bool:
        """Whether "E-mail it" makes sense: not mailed, and no worker at it right now."""
        a = self.announcement
        return a.emailed_at is None and (a.mail_started_at is None or bool(a.mail_problem))


def cohort_announcements(*, cohort: Cohort) -> list[AnnouncementRow]:
    students = cohort.memberships.filter(
        role=Membership.Role.STUDENT, archived_at__isnull=True
    ).count()
    rows = (
        cohort.announcements.select_related("author")
        .annotate(
            dismissed_by=Count(
                "dismissals",
                # Of the students counted beside it: current ones.
                filter=Q(
                    dismissals__user__memberships__cohort=cohort,
                    dismissals__user__memberships__role=Membership.Role.STUDENT,
                    dismissals__user__memberships__archived_at__isnull=True,
                ),
            )
        )
        # Explicitly: a model's default ordering is not applied to a GROUP BY query.
        .order_by("-created_at", "-pk")
    )
    return [AnnouncementRow(a, a.dismissed_by, students) for a in rows]
