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
from dataclasses import dataclass

from celery import current_app
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
MAIL_BATCH = 100


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
        email_requested=bool(email),
    )
    return announcement


def announcement_mail_again(*, announcement: Announcement, by, site_url: str = "") -> bool:
    """Queue the e-mails of an announcement whose e-mails never went out."""
    if not announcement.cohort.can_manage(by):
        raise PermissionDenied("Only this cohort's instructors send announcements.")
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
    """The student puts it away. None when it is not one of theirs (or no longer exists)."""
    announcement = (
        Announcement.objects.select_related("cohort__course")
        .filter(uuid=uuid, cohort__memberships__user=user)
        .first()
    )
    if announcement is not None:
        AnnouncementDismissal.objects.get_or_create(announcement=announcement, user=user)
    return announcement


def mail_announcement(announcement_id: int, site_url: str = "") -> int:
    """Send an announcement to its cohort's students, once: the first worker to claim it
    sends, a redelivered message finds it claimed. Returns the number of e-mails sent."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement_id, email_requested=True, emailed_at__isnull=True
        ).update(emailed_at=now)
    if not claimed:
        return 0
    announcement = Announcement.objects.select_related("cohort__course", "author").get(
        pk=announcement_id
    )
    if not mail_configured():
        return 0
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
    subject = one_line(f"[{cohort.name}] {announcement.title}")
    sent = 0
    recipients = [m.user.email for m in students_to_mail(cohort)]
    with mail.get_connection() as connection:
        for start in range(0, len(recipients), MAIL_BATCH):
            batch = recipients[start : start + MAIL_BATCH]
            messages = [
                mail.EmailMessage(subject=subject, body=body, to=[to], connection=connection)
                for to in batch
            ]
            try:
                sent += connection.send_messages(messages) or 0
            except Exception as exc:  # SMTP and socket errors alike: the page keeps it
                log.error(
                    "event=announcement_mail_failed id=%s sent=%d reason=%r",
                    announcement_id,
                    sent,
                    exc,
                )
                break
    Announcement.objects.filter(pk=announcement_id).update(emailed_count=sent)
    return sent


# What the pages show ------------------------------------------------------------------


def announcements_for_student(*, user, cohort: Cohort | None) -> list:
    """The newest announcements of the student's cohort (schedule.student_cohort, which
    the study path has already found) that they have not dismissed."""
    if not user.is_authenticated or cohort is None:
        return []
    dismissed = AnnouncementDismissal.objects.filter(announcement=OuterRef("pk"), user=user)
    return list(
        cohort.announcements.select_related("author")
        .annotate(dismissed=Exists(dismissed))
        .filter(dismissed=False)[:SHOWN_ON_HOME]
    )


@dataclass(frozen=True)
class AnnouncementRow:
    announcement: Announcement
    dismissed: int
    students: int

    @property
    def mail_state(self) -> str:
        a = self.announcement
        if not a.email_requested:
            return "not e-mailed"
        if a.emailed_at is None:
            return "e-mail waiting to be sent"
        return f"e-mailed to {a.emailed_count} student{'' if a.emailed_count == 1 else 's'}"


def cohort_announcements(*, cohort: Cohort) -> list[AnnouncementRow]:
    students = cohort.memberships.filter(
        role=Membership.Role.STUDENT, archived_at__isnull=True
    ).count()
    rows = (
        cohort.announcements.select_related("author")
        .annotate(
            dismissed_by=Count(
                "dismissals",
                filter=Q(
                    dismissals__user__memberships__cohort=cohort,
                    dismissals__user__memberships__role=Membership.Role.STUDENT,
                ),
            )
        )
        # Explicitly: a model's default ordering is not applied to a GROUP BY query.
        .order_by("-created_at", "-pk")
    )
    return [AnnouncementRow(a, a.dismissed_by, students) for a in rows]
